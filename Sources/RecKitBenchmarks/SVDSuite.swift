import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Truncated SVD of a rating matrix (Double): Lanczos and randomised, for each back end and
/// thread count. Rows carry the largest relative residual; `singularValuesPath` writes each
/// method's σ as `.npy` for comparison with other libraries.
public struct SVDSuite: Sendable {
    public var file: String?
    /// The synthetic matrix used when there is no file.
    public var scale = BenchmarkScale.m2
    public var rank = 64
    public var powerIterations = 4
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases
    public var singularValuesPath: String?
    /// Which solvers to run: "lanczos", "randomized".
    public var methods = ["lanczos", "randomized"]

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let clock = ContinuousClock(), loadStart = clock.now
        let csr: CSRMatrix<Double>
        csr = try scale.ratings(file: file).converted(to: Double.self)
        let loadSeconds = (clock.now - loadStart).seconds
        let op = SparseOperator(csr)
        var rows: [BenchmarkRow] = []
        var reference: [String: [Double]] = [:]
        for backend in backends {
            for t in threads {
                let ctx = ExecutionContext(backend: backend, threads: t)
                for method in methods {
                    var result: TruncatedSVD<Double>? = nil
                    let timing = try Timing.measure(minRepeats: 1, maxRepeats: 1, targetSeconds: 0) {
                        result = method == "lanczos"
                            ? try SingularValues.lanczos(op, rank: rank, context: ctx)
                            : try SingularValues.randomized(op, rank: rank, options: RandomizedSVDOptions(powerIterations: powerIterations), context: ctx)
                    }
                    let r = result!
                    if reference[method] == nil { reference[method] = r.singularValues }
                    if let path = singularValuesPath, backend == backends[0], t == threads[0] {
                        try NumPy.write(r.singularValues, to: "\(path)-\(method).npy")
                    }
                    var row = BenchmarkRow(op: "svd_\(method)", dtype: "double", backend: backend.rawValue, threads: t, size: rank,
                                           params: ["rows": "\(csr.rows)", "columns": "\(csr.columns)", "nnz": "\(csr.nonZeroCount)",
                                                    "power_iterations": method == "randomized" ? "\(powerIterations)" : "-"],
                                           seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                           gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                    row.agreement = relativeDifference(r.singularValues, reference[method]!)
                    row.results = ["max_rel_residual": String(format: "%.1e", r.maxRelativeResidual), "converged": "\(r.converged)",
                                   "iterations": "\(r.iterations)", "seconds_load": String(format: "%.3f", loadSeconds)]
                    rows.append(row)
                    progress(row)
                }
            }
        }
        return rows
    }
}
