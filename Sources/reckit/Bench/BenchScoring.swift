import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Scoring: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Top-n for every user of a factor model (blocked GEMM + heap selection).")
        @Option(help: "Users.") var users = 6_000
        @Option(help: "Items.") var items = 4_000
        @Option(help: "Factors.") var factors = 64
        @Option(help: "Items per user (the list length).") var n: Int?
        @Option(help: .hidden) var k: Int?
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench scoring svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("scoring", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            try common.refuseSize("the scoring suite has no rating matrix")
            var suite = ScoringSuite()
            suite.users = users; suite.items = items; suite.factors = factors; suite.k = n ?? k ?? 10
            if let k { deprecated("reckit bench scoring --k", use: "--n \(k)") }
            guard suite.k >= 1 else { throw ValidationError("--n must be ≥ 1") }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "scoring", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
