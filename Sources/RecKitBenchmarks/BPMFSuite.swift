import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Bayesian MF Gibbs sweeps on a rating matrix (10 factors, Float), for each back end and thread
/// count. A row's time is the median seconds per sweep (one sweep draws every user and every item
/// once: one posterior sample); `ratings_per_second` is the matrix's ratings over that time. Its
/// agreement is the relative difference of the last sweep's log-likelihood from the first back
/// end's at the same thread count (the same draws: only the back ends' rounding differs).
public struct BPMFSuite: Sendable {
    public var file: String?
    public var scale = BenchmarkScale.m2
    public var factors = 10
    /// Sweeps timed after one warm-up sweep.
    public var sweeps = 3
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let ratings = try scale.ratings(file: file)
        var options = BPMFOptions()
        options.factors = factors
        options.burnIn = 1
        options.samples = sweeps
        options.seed = 1
        var rows: [BenchmarkRow] = []
        var reference: [Int: Double] = [:]
        for backend in backends {
            for t in threads {
                let fit = try BayesianMatrixFactorization.fit(ratings, options: options, context: ExecutionContext(backend: backend, threads: t))
                let timing = Timing(samples: fit.trace.dropFirst().map(\.seconds)), logLikelihood = fit.trace.last!.logLikelihood
                if reference[t] == nil { reference[t] = logLikelihood }
                var row = BenchmarkRow(op: "bpmf_gibbs_sweep", dtype: "float", backend: backend.rawValue, threads: t, size: factors,
                                       params: ["rows": "\(ratings.rows)", "columns": "\(ratings.columns)", "nnz": "\(ratings.nonZeroCount)",
                                                "sweeps": "\(sweeps)"],
                                       seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                       gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                row.agreement = abs(logLikelihood - reference[t]!) / abs(reference[t]!)
                row.results = ["log_likelihood": String(format: "%.8g", logLikelihood),
                               "ratings_per_second": String(format: "%.3g", Double(ratings.nonZeroCount) / timing.median)]
                rows.append(row)
                progress(row)
            }
        }
        return rows
    }
}
