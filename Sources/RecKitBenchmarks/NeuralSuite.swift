import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// NeuMF training epochs on synthetic implicit feedback (Float), for each back end and thread
/// count: a row's time is the median seconds per epoch, and it reports training samples per second
/// (positives plus sampled negatives). Agreement is the relative difference of the last epoch's
/// loss from the same thread count's first back end. Training is single-threaded for now (a
/// batch's GEMMs are too small to split), so thread counts above 1 show that, not a speed-up.
public struct NeuralSuite: Sendable {
    public var interactions = 50_000
    public var epochs = 2
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let data = try SyntheticRatings(users: Swift.max(50, interactions / 20), items: Swift.max(50, interactions / 100), ratings: interactions,
                                        kind: .implicit, seed: 42).generate().ratings
        let options = NCFOptions(mode: .neumf, epochs: epochs, seed: 1)
        var rows: [BenchmarkRow] = []
        var reference: [Int: Double] = [:]
        for backend in backends {
            for t in threads {
                var seconds: [Double] = [], losses: [Double] = []
                _ = try NeuralCollaborativeFiltering.fit(data, options: options, context: ExecutionContext(backend: backend, threads: t)) { _, loss, s, _ in
                    seconds.append(s); losses.append(loss)
                }
                let timing = Timing(samples: seconds), loss = losses.last!
                if reference[t] == nil { reference[t] = loss }
                var row = BenchmarkRow(op: "neumf_train_epoch", dtype: "float", backend: backend.rawValue, threads: t, size: options.factors,
                                       params: ["users": "\(data.rows)", "items": "\(data.columns)", "interactions": "\(data.nonZeroCount)",
                                                "negatives": "\(options.negatives)", "batch_size": "\(options.batchSize)", "epochs": "\(epochs)"],
                                       seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                       gflops: nil, peakRssBytes: peakResidentBytes())
                row.agreement = abs(loss - reference[t]!) / abs(reference[t]!)
                row.results = ["loss": String(format: "%.6g", loss), "samples_per_second": String(format: "%.0f", Double(data.nonZeroCount * (1 + options.negatives)) / timing.median)]
                rows.append(row)
                progress(row)
            }
        }
        return rows
    }
}
