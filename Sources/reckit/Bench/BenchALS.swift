import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct ALS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "als",
            abstract: "ALS seconds per iteration in Float: explicit (Cholesky), implicit with conjugate gradient and with Cholesky.")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Latent factors.") var factors = 64
        @Option(help: "Iterations per run (the row reports their median).") var iterations = 3
        @Option(help: "Variants, comma-separated: explicit, implicit_cg, implicit_cholesky.") var variants = "explicit,implicit_cg,implicit_cholesky"
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("als", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            guard factors >= 1, iterations >= 1 else { throw ValidationError("--factors and --iterations must be ≥ 1") }
            var suite = ALSSuite()
            suite.file = file; suite.scale = try common.matrixSize(); suite.factors = factors; suite.iterations = iterations
            suite.variants = variants.split(separator: ",").map(String.init)
            for v in suite.variants where !["explicit", "implicit_cg", "implicit_cholesky"].contains(v) {
                throw ValidationError("--variants: unknown variant '\(v)' (explicit, implicit_cg, implicit_cholesky)")
            }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "als", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
