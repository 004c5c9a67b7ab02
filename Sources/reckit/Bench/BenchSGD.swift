import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct SGD: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sgd",
            abstract: "Biased-MF SGD seconds per epoch in Float (stratified parallel SGD; the shim's kernel against Swift SIMD).")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Latent factors.") var factors = 64
        @Option(help: "Epochs per run (the row reports their median).") var epochs = 3
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("sgd", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            guard factors >= 1, epochs >= 1 else { throw ValidationError("--factors and --epochs must be ≥ 1") }
            var suite = SGDSuite()
            suite.file = file; suite.scale = try common.matrixSize(); suite.factors = factors; suite.epochs = epochs
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "sgd", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
