import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct BPMF: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bpmf",
            abstract: "Bayesian MF Gibbs seconds per sweep (one posterior sample) and ratings per second, 10 factors, Float (OpenBLAS syrk/potrf against Swift).")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Latent factors.") var factors = 10
        @Option(help: "Sweeps timed after one warm-up sweep (the row reports their median).") var sweeps = 3
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("bpmf", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            guard factors >= 1, sweeps >= 1 else { throw ValidationError("--factors and --sweeps must be ≥ 1") }
            var suite = BPMFSuite()
            suite.file = file; suite.scale = try common.matrixSize(); suite.factors = factors; suite.sweeps = sweeps
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "bpmf", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
