import RecKitData
import RecKitLinearAlgebra

/// Sparse × dense products on a built-in synthetic rating matrix: `A·B` and `Aᵀ·B` with a block of
/// `columns` dense columns (the shapes of ALS, SVD and scoring), for each back end and thread count.
/// The agreement parameter is the largest relative difference from the first back end's result.
public struct SparseSuite: Sendable {
    public var users = 100_000
    public var items = 20_000
    public var ratings = 2_000_000
    public var columns = 64
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    /// Uses a scale's synthetic matrix.
    public mutating func use(_ scale: BenchmarkScale) { (users, items, ratings) = scale.shape }

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let a = try SyntheticRatings(users: users, items: items, ratings: ratings, seed: 42).generate().ratings
        let b = Matrix<Float>.random(rows: items, columns: columns, seed: 1)
        let bt = Matrix<Float>.random(rows: users, columns: columns, seed: 2)
        var rows: [BenchmarkRow] = []
        var references: [String: Matrix<Float>] = [:]
        for backend in backends {
            for t in threads {
                let ctx = ExecutionContext(backend: backend, threads: t)
                for (op, product) in [("spmm", { try a.multiply(b, context: ctx) }), ("spmm_transposed", { try a.multiplyTransposed(bt, context: ctx) })] as [(String, () throws -> Matrix<Float>)] {
                    var result = Matrix<Float>(rows: 0, columns: 0)
                    let timing = try Timing.measure(minRepeats: 3, maxRepeats: 9, targetSeconds: 0.5) { result = try product() }
                    if references[op] == nil { references[op] = result }
                    var row = BenchmarkRow(op: op, dtype: "float", backend: backend.rawValue, threads: t, size: columns,
                                           params: ["users": "\(users)", "items": "\(items)", "ratings": "\(a.nonZeroCount)"],
                                           seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                           gflops: 2 * Double(a.nonZeroCount) * Double(columns) / timing.median / 1e9, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                    row.agreement = relativeDifference(result.storage, references[op]!.storage)
                    rows.append(row)
                    progress(row)
                }
            }
        }
        return rows
    }
}
