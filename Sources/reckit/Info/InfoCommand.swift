import ArgumentParser
import RecKit
import RecKitBenchmarks

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the CPU, OpenBLAS kernel, threads and back ends.")

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let m = MachineDescription.current()
        let ctx = ExecutionContext.current
        if json {
            print(String(decoding: try Report.json(m), as: UTF8.self))
            return
        }
        print("RecKit \(m.reckitVersion) (commit \(m.gitCommit))")
        print("CPU:              \(m.cpu), \(m.cores) core\(m.cores == 1 ? "" : "s") available")
        print("SIMD features:    \(m.cpuFeatures.joined(separator: " "))")
        print("OpenBLAS:         \(BLASKernel.openBLASConfig)")
        print("Kernel in use:    \(m.openblasKernel) (chosen by: \(m.openblasKernelSource))")
        print("Kernels this CPU can run: \(BLASKernel.supported.map(\.name).joined(separator: ", "))")
        let refused = BLASKernel.known.filter { !$0.isSupported }.map(\.name)
        if !refused.isEmpty { print("Kernels refused here (CPU/OS lacks their instructions): \(refused.joined(separator: ", "))") }
        for r in BLASKernel.environmentRefusal?.split(separator: "\n") ?? [] { print("Override refused: \(r)") }
        print("Threads:          \(ctx.threads) engine worker(s); OpenBLAS \(Engine.blasThreads)")
        print("Back ends:        \(Backend.allCases.map(\.rawValue).joined(separator: ", ")) (default: \(ctx.backend))")
        print("Override with RECKIT_BACKEND, RECKIT_THREADS, RECKIT_BLAS_KERNEL (or OpenBLAS's OPENBLAS_CORETYPE).")
    }
}
