import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Full-ranking top-k for every user of a factor model: blocked GEMM scoring plus bounded-heap
/// selection, never the whole score matrix at once.
public struct ScoringSuite: Sendable {
    public var users = 6_000
    public var items = 4_000
    public var factors = 64
    public var k = 10
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        // Every user rated one item, so training items are excluded as in a real run.
        let train = try CSRMatrix<Float>(rows: users, columns: items, rowOffsets: Array(0...users),
                                         columnIndices: (0..<users).map { Int32($0 % items) }, values: [Float](repeating: 1, count: users))
        let model = try FactorModel(userFactors: .random(rows: users, columns: factors, seed: 1),
                                    itemFactors: .random(rows: items, columns: factors, seed: 2), training: RatingDataset(ratings: train))
        var rows: [BenchmarkRow] = []
        for backend in backends {
            for t in threads {
                let ctx = ExecutionContext(backend: backend, threads: t)
                let timing = try Timing.measure(minRepeats: 3, maxRepeats: 9, targetSeconds: 1) {
                    _ = try model.recommend(users: 0..<users, count: k, context: ctx)
                }
                let row = BenchmarkRow(op: "topk_all_users", dtype: "float", backend: backend.rawValue, threads: t, size: items,
                                       params: ["users": "\(users)", "items": "\(items)", "factors": "\(factors)", "k": "\(k)"],
                                       seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                       gflops: 2 * Double(users) * Double(items) * Double(factors) / timing.median / 1e9,
                                       memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                rows.append(row)
                progress(row)
            }
        }
        return rows
    }
}
