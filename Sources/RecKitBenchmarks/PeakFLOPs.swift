import RecKitLinearAlgebra

/// One core's floating-point peak, measured: independent fused multiply-adds at the widest vector
/// width the CPU and OS support (``CPUInfo/measureFMAPeak(seconds:)``: 512-bit with AVX-512,
/// 256-bit with AVX2+FMA). No GEMM kernel can pass it on one core, so the GFLOP/s chart draws it, times the
/// thread count, as the ceiling. It is measured rather than computed from the clock because the
/// clock Linux reports is nominal (cores boost above it) and virtual machines hide the CPU model
/// that says how many FMA pipes of what width a core has.
public struct PeakFLOPs: Codable, Sendable, Equatable {
    /// Single-precision GFLOP/s of one core.
    public var floatGflops: Double
    /// The vector width measured, in bits.
    public var vectorBits: Int

    /// Double precision has half the lanes.
    public var doubleGflops: Double { floatGflops / 2 }

    public func gflops(dtype: String) -> Double { dtype == "double" ? doubleGflops : floatGflops }

    /// This machine's peak, measured once per process (about 0.2 s).
    public static let measured: PeakFLOPs = {
        let (g, bits) = CPUInfo.measureFMAPeak(seconds: 0.2)
        return PeakFLOPs(floatGflops: g, vectorBits: bits)
    }()
}
