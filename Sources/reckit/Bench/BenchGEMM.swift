import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct GEMM: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GEMM and batched-GEMM throughput (Float and Double).")
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench gemm svd als`).") var others: [String] = []
        @OptionGroup var common: Common
        @Option(help: "Comma-separated matrix orders.")
        var sizes = "256,1024,2048"
        @Option(help: "Precisions: float, double, or both comma-separated.")
        var precision = "float,double"
        @Option(help: .hidden) var dtype: String?
        @Option(help: "Batched GEMM: number of products (0 skips it).")
        var batch = 10_000
        @Option(help: "Batched GEMM: order of each small matrix.")
        var batchOrder = 64

        func run() throws {
            if try Bench.runNamedSuites("gemm", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            try common.refuseSize("the gemm suite has no rating matrix")
            var suite = GEMMSuite()
            suite.sizes = try parseList(sizes, what: "sizes") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
            if let dtype { deprecated("reckit bench gemm --dtype", use: "--precision \(dtype)") }
            suite.dtypes = try parseList(dtype ?? precision, what: "precision") { DType(rawValue: $0.lowercased()) }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            guard batch >= 0, batchOrder >= 1 else { throw ValidationError("--batch must be ≥ 0 and --batch-order ≥ 1") }
            suite.batchCount = batch
            suite.batchOrder = batchOrder
            try Self.checkMemory(suite)
            try runSuite(name: "gemm", common: common) { progress in try suite.run(progress: progress) }
        }

        /// Refuses, before any work, orders whose operands the machine cannot hold: the largest
        /// product keeps A, B, C and the other back end's C (4 n² values), the batch 3 · batch ·
        /// order² values.
        static func checkMemory(_ suite: GEMMSuite) throws {
            guard let available = MemoryBudget.availableBytes else { return }
            let bytes = Double(suite.dtypes.map { $0 == .double ? 8 : 4 }.max() ?? 8)
            if let n = suite.sizes.max() {
                let needed = 4 * Double(n) * Double(n) * bytes
                guard needed <= Double(available) else {
                    throw ValidationError("--sizes \(n) needs about \(MemoryBudget.describe(needed)) for its \(n) × \(n) operands; "
                                          + "the machine has \(MemoryBudget.describe(Double(available))) available")
                }
            }
            let batched = 3 * Double(suite.batchCount) * Double(suite.batchOrder) * Double(suite.batchOrder) * bytes
            guard batched <= Double(available) else {
                throw ValidationError("--batch \(suite.batchCount) of order \(suite.batchOrder) needs about \(MemoryBudget.describe(batched)); "
                                      + "the machine has \(MemoryBudget.describe(Double(available))) available")
            }
        }
    }
}
