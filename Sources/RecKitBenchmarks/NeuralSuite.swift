import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Neural training epochs (Float) for each back end and thread count:
///
/// - `neumf_train_epoch`: NeuMF on synthetic implicit feedback, trained data-parallel (each batch
///   split across network replicas, one per thread) in batches of 2 048. NeuMF splits a batch only
///   into parts of ``NCFOptions/samplesPerThread`` (1 024) or more, so at its default batch of 256
///   it trains on one thread; the larger batch makes the thread rows measure the parallel path.
/// - `sasrec_train_epoch`: SASRec on synthetic item sequences; its batched attention GEMMs split
///   across sequences and its large GEMMs (the output layer over every item) across threads.
///
/// A row's time is the median seconds per epoch and it reports training samples per second
/// (NeuMF: positives plus sampled negatives; SASRec: predicted positions). Agreement is the
/// relative difference of the last epoch's loss from the same thread count's first back end.
public struct NeuralSuite: Sendable {
    public var interactions = 50_000
    /// SASRec: users, their history length and the catalogue.
    public var sequences = 1_000
    public var sequenceLength = 50
    public var sequenceItems = 2_000
    public var epochs = 2
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases

    public init() {}

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let data = try SyntheticRatings(users: Swift.max(50, interactions / 20), items: Swift.max(50, interactions / 100), ratings: interactions,
                                        kind: .implicit, seed: 42).generate().ratings
        let ncf = NCFOptions(mode: .neumf, epochs: epochs, batchSize: 2048, seed: 1)
        var rows = try measure(op: "neumf_train_epoch", size: ncf.factors,
                               params: ["users": "\(data.rows)", "items": "\(data.columns)", "interactions": "\(data.nonZeroCount)",
                                        "negatives": "\(ncf.negatives)", "batch_size": "\(ncf.batchSize)", "epochs": "\(epochs)"], progress: progress) { context in
            var epochs: [TrainingProgress] = []
            _ = try NeuralCollaborativeFiltering.fit(data, options: ncf, context: context) { epochs.append($0) }
            return epochs
        }
        let histories = Self.sequences(users: sequences, length: sequenceLength, items: sequenceItems)
        let sas = NextItemOptions(encoder: .selfAttention, factors: 64, maxLength: sequenceLength, blocks: 2, heads: 1, epochs: epochs, batchSize: 64,
                                  patience: 0, seed: 1)
        rows += try measure(op: "sasrec_train_epoch", size: sas.factors,
                            params: ["users": "\(sequences)", "items": "\(sequenceItems)", "length": "\(sequenceLength)", "blocks": "\(sas.blocks)",
                                     "heads": "\(sas.heads)", "batch_size": "\(sas.batchSize)", "epochs": "\(epochs)"], progress: progress) { context in
            var epochs: [TrainingProgress] = []
            _ = try NextItemPrediction.fit(histories, items: sequenceItems, options: sas, context: context) { epochs.append($0) }
            return epochs
        }
        return rows
    }

    /// One row per back end and thread count of `train` (its epochs' seconds, losses and samples/s).
    func measure(op: String, size: Int, params: [String: String], progress: (BenchmarkRow) -> Void,
                 _ train: (ExecutionContext) throws -> [TrainingProgress]) throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        var reference: [Int: Double] = [:]
        for backend in backends {
            for t in threads {
                let epochs = try train(ExecutionContext(backend: backend, threads: t))
                let rates = epochs.map { $0.measures["samples_per_second"] ?? 0 }
                let timing = Timing(samples: epochs.map(\.seconds)), loss = epochs.last?.loss ?? .nan
                if reference[t] == nil { reference[t] = loss }
                var row = BenchmarkRow(op: op, dtype: "float", backend: backend.rawValue, threads: t, size: size, params: params,
                                       seconds: timing.median, secondsMin: timing.min, secondsMax: timing.max, repeats: timing.repeats,
                                       gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
                row.agreement = abs(loss - reference[t]!) / abs(reference[t]!)
                row.results = ["loss": String(format: "%.6g", loss), "samples_per_second": String(format: "%.0f", Timing(samples: rates).median)]
                rows.append(row)
                progress(row)
            }
        }
        return rows
    }

    /// Synthetic histories with sequential structure: each user walks the catalogue, the next item
    /// usually a near successor of the last (so there is something to learn), deterministic.
    static func sequences(users: Int, length: Int, items: Int) -> [[Int32]] {
        var rng = SeededGenerator(seed: 11)
        return (0..<users).map { _ in
            var item = Int(rng.next() % UInt64(items))
            return (0..<length).map { _ in
                item = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(items)) : (item + 1 + Int(rng.next() % 3)) % items
                return Int32(item)
            }
        }
    }
}
