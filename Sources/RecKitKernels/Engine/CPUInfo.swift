import CReckitShim

/// What the CPU supports, as RecKit's kernels care about it.
public struct CPUInfo: Sendable {
    /// The CPU's brand string, e.g. `"AMD EPYC"`.
    public let model: String
    /// SIMD features present (and enabled by the OS where that matters).
    public let features: [String]

    /// The running machine.
    public static var current: CPUInfo {
        var buf = [CChar](repeating: 0, count: 64)
        reckit_cpu_brand(&buf, Int32(buf.count))
        let f = reckit_cpu_features()
        let features = (0..<32).compactMap { (bit: UInt32) -> String? in
            guard f & (1 << bit) != 0, let name = reckit_cpu_feature_name(bit) else { return nil }
            return String(cString: name)
        }
        return CPUInfo(model: String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), features: features)
    }

    /// One core's single-precision peak in GFLOP/s, measured for about `seconds`: independent
    /// fused multiply-adds at the widest vector width the CPU and OS support (512, 256 or 128
    /// bits, returned with it).
    public static func measureFMAPeak(seconds: Double = 0.2) -> (gflops: Double, vectorBits: Int) {
        var bits: Int32 = 0
        let g = reckit_fma_peak_gflops(seconds, &bits)
        return (g, Int(bits))
    }
}
