import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// ALS iterations on a rating matrix (Float): explicit ratings (Cholesky), implicit feedback with
/// conjugate gradient and with Cholesky, for each back end and thread count. A row's time is the
/// median seconds per iteration; its agreement is the relative difference of the final objective
/// from the first configuration's (same data, seed and solver).
public struct ALSSuite: Sendable {
    public var file: String?
    /// The synthetic matrix used when there is no file.
    public var scale = BenchmarkScale.m2
    public var factors = 64
    public var iterations = 3
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases
    /// Which variants to run: "explicit", "implicit_cg", "implicit_cholesky".
    public var variants = ["explicit", "implicit_cg", "implicit_cholesky"]

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let ratings: CSRMatrix<Float>
        ratings = try scale.ratings(file: file)
        var rows: [BenchmarkRow] = []
        var reference: [String: Double] = [:]
        for variant in variants {
            let options: ALSOptions
            switch variant {
            case "explicit": options = ALSOptions(factors: factors, regularization: 0.05, iterations: iterations, feedback: .explicit, solver: .cholesky)
            case "implicit_cg": options = ALSOptions(factors: factors, regularization: 0.05, iterations: iterations, feedback: .implicit(alpha: 1))
            case "implicit_cholesky":
                options = ALSOptions(factors: factors, regularization: 0.05, iterations: iterations, feedback: .implicit(alpha: 1), solver: .cholesky)
            default: throw LinearAlgebraError.invalidArgument("unknown ALS variant '\(variant)'; use explicit, implicit_cg, implicit_cholesky")
            }
            // Implicit feedback on presence (every stored rating counts as 1), as the peers are run.
            let data = variant == "explicit" ? ratings : ratings.mapValues { _ in 1 }
            for backend in backends {
                for t in threads {
                    let fit = try AlternatingLeastSquares.fit(data, options: options, context: ExecutionContext(backend: backend, threads: t))
                    let timing = Timing(samples: fit.secondsPerIteration)
                    let loss = fit.losses.last!
                    if reference[variant] == nil { reference[variant] = loss }
                    var row = BenchmarkRow(op: "als_\(variant)", dtype: "float", backend: backend.rawValue, threads: t, size: factors,
                                           params: ["rows": "\(data.rows)", "columns": "\(data.columns)", "nnz": "\(data.nonZeroCount)",
                                                    "iterations": "\(iterations)"],
                                           seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                           gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                    row.agreement = abs(loss - reference[variant]!) / abs(reference[variant]!)
                    row.results = ["loss": String(format: "%.6g", loss)]
                    rows.append(row)
                    progress(row)
                }
            }
        }
        return rows
    }
}
