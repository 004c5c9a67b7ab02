import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Biased-MF SGD epochs on a rating matrix (Float), for each back end and thread count. A row's time
/// is the median seconds per epoch; its agreement is the relative difference of the last epoch's
/// objective from the same thread count's first back end (same data, seed and strata; the threads
/// change the strata, so only equal thread counts are compared).
public struct SGDSuite: Sendable {
    public var file: String?
    /// The synthetic matrix used when there is no file.
    public var scale = BenchmarkScale.m2
    public var factors = 64
    public var epochs = 3
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let ratings: CSRMatrix<Float>
        ratings = try scale.ratings(file: file)
        let options = SGDOptions(factors: factors, epochs: epochs, learningRate: 0.005, regularization: 0.02, seed: 1)
        var rows: [BenchmarkRow] = []
        var reference: [Int: Double] = [:]
        for backend in backends {
            for t in threads {
                let fit = try BiasedMatrixFactorization.fit(ratings, options: options, context: ExecutionContext(backend: backend, threads: t))
                let timing = Timing(samples: fit.secondsPerEpoch), loss = fit.losses.last!
                if reference[t] == nil { reference[t] = loss }
                var row = BenchmarkRow(op: "sgd_biased_mf", dtype: "float", backend: backend.rawValue, threads: t, size: factors,
                                       params: ["rows": "\(ratings.rows)", "columns": "\(ratings.columns)", "nnz": "\(ratings.nonZeroCount)",
                                                "epochs": "\(epochs)"],
                                       seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                       gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                row.agreement = abs(loss - reference[t]!) / abs(reference[t]!)
                row.results = ["loss": String(format: "%.6g", loss), "updates_per_second": String(format: "%.3g", Double(ratings.nonZeroCount) / timing.median)]
                rows.append(row)
                progress(row)
            }
        }
        return rows
    }
}
