import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the CPU, OpenBLAS kernel, threads and back ends.")

    @Option(help: ArgumentHelp("Also write the description as JSON to this file, or to standard output for '-' (schema reckit-info/1, docs/cli.md).", valueName: "path"))
    var json: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.apply()
        let m = MachineDescription.current()
        if let json {
            let data = try Report.json(JSONDocument(schema: "reckit-info/1", body: m))
            if json == "-" {
                print(String(decoding: data, as: UTF8.self))
                return
            }
            try AtomicOutput.write(data, to: json)
            note("wrote \(json)")
        }
        let ctx = ExecutionContext.current
        print("RecKit \(m.reckitVersion) (commit \(m.gitCommit))")
        print("CPU:              \(m.cpu), \(m.cores) core\(m.cores == 1 ? "" : "s") available")
        print("SIMD features:    \(m.cpuFeatures.joined(separator: " "))")
        print("OpenBLAS:         \(BLASKernel.openBLASConfig)")
        print("Kernel in use:    \(m.openblasKernel) (chosen by: \(m.openblasKernelSource))")
        print("Kernels this CPU can run: \(BLASKernel.supported.map(\.name).joined(separator: ", "))")
        let refused = BLASKernel.known.filter { !$0.isSupported }.map(\.name)
        if !refused.isEmpty { print("Kernels refused here (CPU/OS lacks their instructions): \(refused.joined(separator: ", "))") }
        for r in BLASKernel.environmentRefusal?.split(separator: "\n") ?? [] { print("Override refused: \(r)") }
        print("Shim kernels:     \(NativeKernelVariant.current) (the native back end's sparse, ALS and SGD kernels; chosen by: \(NativeKernelVariant.selectionSource))")
        print("Pure-Swift tier:  \(SwiftKernelTier.current), \(SwiftKernelTier.vectorBits)-bit vectors (chosen by: \(SwiftKernelTier.selectionSource)); this CPU can run: \(SwiftKernelTier.supported.joined(separator: ", "))")
        if let r = SwiftKernelTier.environmentRefusal { print("Override refused: \(r)") }
        if let peak = m.peak {
            print(String(format: "FMA peak:         %.1f GFLOP/s per core in Float, %d-bit vectors (measured)", peak.floatGflops, peak.vectorBits))
        }
        print("Threads:          \(ctx.threads) engine worker(s); OpenBLAS \(Engine.blasThreads)")
        print("Back ends:        \(Backend.allCases.map(\.rawValue).joined(separator: ", ")) (default: \(ctx.backend))")
        print("Override with RECKIT_BACKEND, RECKIT_THREADS, RECKIT_BLAS_KERNEL (or OpenBLAS's OPENBLAS_CORETYPE), RECKIT_SWIFT_KERNEL.")
    }
}
