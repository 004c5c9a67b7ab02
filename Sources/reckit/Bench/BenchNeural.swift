import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Neural: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "neural",
            abstract: "Neural training: NeuMF (synthetic implicit feedback; data-parallel over threads) and SASRec (synthetic item sequences), seconds per epoch and samples per second.")
        @Option(help: "NeuMF: synthetic interactions (users = interactions / 20, items = interactions / 100, at least 50 each).") var interactions = 50_000
        @Option(help: "SASRec: synthetic users, each with a history of --sequence-length items.") var sequences = 1_000
        @Option(help: "SASRec: history length (the model's maximum length).") var sequenceLength = 50
        @Option(help: "Epochs per run (the row reports their median).") var epochs = 2
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench neural svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("neural", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            guard interactions >= 100, epochs >= 1, sequences >= 1, sequenceLength >= 2 else {
                throw ValidationError("--interactions must be ≥ 100, --epochs and --sequences ≥ 1, --sequence-length ≥ 2")
            }
            try common.refuseSize("the neural suite has no rating matrix")
            var suite = NeuralSuite()
            suite.interactions = interactions; suite.epochs = epochs
            suite.sequences = sequences; suite.sequenceLength = sequenceLength
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "neural", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
