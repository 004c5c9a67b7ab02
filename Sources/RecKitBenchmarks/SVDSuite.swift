import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Truncated SVD of a rating matrix: Lanczos and randomised, for each precision (Double by
/// default), back end and thread count. Rows carry the largest relative residual;
/// `singularValuesPath` writes each method's σ as `.npy` for comparison with other libraries.
public struct SVDSuite: Sendable {
    public var file: String?
    /// The synthetic matrix used when there is no file.
    public var scale = BenchmarkScale.m2
    public var rank = 64
    public var powerIterations = 4
    /// Sketch columns of the randomised method beyond the rank.
    public var oversampling = 10
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases
    public var singularValuesPath: String?
    /// Which solvers to run: "lanczos", "randomized".
    public var methods = ["lanczos", "randomized"]
    /// Precisions of the matrix, the vectors and every product: "double", "float", or "mixed" (a
    /// Double matrix and results, the randomised method's sketch and power iterations in Float,
    /// ``SketchPrecision/float``; Lanczos has no sketch and is not run in this precision).
    public var precisions = ["double"]
    /// Lanczos residual tolerance relative to σ₁ (nil: the solver's default, 1e-13 in Double and
    /// 1e-6 in Float).
    public var tolerance: Double?
    /// Lanczos Krylov subspace size (nil: the solver's default, `max(2k, k + 20)`).
    public var subspace: Int?

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let clock = ContinuousClock(), loadStart = clock.now
        let ratings = try scale.ratings(file: file)
        let loadSeconds = (clock.now - loadStart).seconds
        var rows: [BenchmarkRow] = []
        for precision in precisions {
            switch precision {
            case "double": rows += try run(ratings.converted(to: Double.self), loadSeconds: loadSeconds, progress: progress)
            case "float": rows += try run(ratings.converted(to: Float.self), loadSeconds: loadSeconds, progress: progress)
            case "mixed": rows += try run(ratings.converted(to: Double.self), sketch: .float, loadSeconds: loadSeconds, progress: progress)
            default: throw BenchmarkError.invalidParameter("SVD precision '\(precision)' (double, float, mixed)")
            }
        }
        return rows
    }

    func run<T: Scalar>(_ csr: CSRMatrix<T>, sketch: SketchPrecision = .element, loadSeconds: Double,
                        progress: (BenchmarkRow) -> Void) throws -> [BenchmarkRow] {
        let op = SparseOperator(csr)
        let methods = sketch == .element ? methods : methods.filter { $0 == "randomized" }
        let dtype = T.dtype == .double ? "double" : "float"
        var rows: [BenchmarkRow] = []
        var reference: [String: [T]] = [:]
        for backend in backends {
            for t in threads {
                let ctx = ExecutionContext(backend: backend, threads: t)
                for method in methods {
                    var result: TruncatedSVD<T>? = nil
                    let timing = try Timing.measure(minRepeats: 1, maxRepeats: 1, targetSeconds: 0) {
                        result = method == "lanczos"
                            ? try SingularValues.lanczos(op, rank: rank, options: LanczosSVDOptions(subspace: subspace, tolerance: tolerance), context: ctx)
                            : try SingularValues.randomized(op, rank: rank, options: RandomizedSVDOptions(oversampling: oversampling, powerIterations: powerIterations,
                                                                                                         sketchPrecision: sketch), context: ctx)
                    }
                    let r = result!
                    if reference[method] == nil { reference[method] = r.singularValues }
                    if let path = singularValuesPath, backend == backends[0], t == threads[0] {
                        let suffix = sketch == .float ? "-mixed" : precisions.count > 1 && T.dtype == .float ? "-float" : ""
                        try NumPy.write(r.singularValues, to: "\(path)-\(method)\(suffix).npy")
                    }
                    var row = BenchmarkRow(op: "svd_\(method)", dtype: dtype, backend: backend.rawValue, threads: t, size: rank,
                                           params: ["rows": "\(csr.rows)", "columns": "\(csr.columns)", "nnz": "\(csr.nonZeroCount)",
                                                    "power_iterations": method == "randomized" ? "\(powerIterations)" : "-",
                                                    "oversampling": method == "randomized" ? "\(oversampling)" : "-",
                                                    "sketch": method == "randomized" ? (sketch == .float ? "float" : dtype) : "-",
                                                    "tolerance": method == "lanczos" ? tolerance.map { "\($0)" } ?? "default" : "-",
                                                    "subspace": method == "lanczos" ? subspace.map { "\($0)" } ?? "default" : "-"],
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
