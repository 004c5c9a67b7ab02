import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Sparse: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sparse", abstract: "Sparse × dense products (A·B, Aᵀ·B) on a synthetic rating matrix.")
        @Option(help: "Ratings in the synthetic matrix, for sizes between the scales (users = ratings / 20, items = ratings / 100).") var ratings: Int?
        @Option(help: "Dense columns.") var columns = 64
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench sparse svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("sparse", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            var suite = SparseSuite()
            if let ratings {
                try common.refuseSize("--ratings \(ratings) already sets the matrix")
                guard ratings >= 100 else { throw ValidationError("--ratings must be ≥ 100, got \(ratings)") }
                suite.ratings = ratings; suite.users = ratings / 20; suite.items = max(100, ratings / 100)
            } else {
                suite.use(try common.matrixSize())
            }
            guard columns >= 1 else { throw ValidationError("--columns must be ≥ 1, got \(columns)") }
            suite.columns = columns
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "sparse", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
