import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// GRU4Rec and SASRec (`gru4rec`, `sasrec`): they learn a sequential pattern, both back ends train
/// to the same loss, histories are truncated deterministically, empty histories are handled, and
/// bad settings or an exploding loss stop with a clear error.
@Suite struct SequenceModelTests {
    /// Users with these histories (oldest first), timestamps increasing along each.
    static func dataset(_ histories: [[Int32]], items: Int) throws -> RatingDataset {
        var rows: [Int32] = [], cols: [Int32] = [], stamps: [Int64] = []
        for (u, h) in histories.enumerated() {
            for (k, item) in h.enumerated() { rows.append(Int32(u)); cols.append(item); stamps.append(Int64(1000 * u + k)) }
        }
        let built = try CSRMatrix<Float>.fromTriplets(rows: histories.count, columns: items, rowIndices: rows, columnIndices: cols,
                                                      values: [Float](repeating: 1, count: rows.count), payload: stamps)
        return RatingDataset(ratings: built.matrix, timestamps: built.payload)
    }

    /// 120 users walking a cycle of 30 items: each history is 12 consecutive items (mod 30) from a
    /// random start. The next item after `i` is always `i + 1`.
    static func cycles(users: Int = 120, items: Int = 30, length: Int = 12, seed: UInt64 = 1) -> [[Int32]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<users).map { _ in
            let start = Int(rng.next() % UInt64(items))
            return (0..<length).map { Int32((start + $0) % items) }
        }
    }

    static func cycle(users: Int = 120) throws -> RatingDataset { try dataset(cycles(users: users), items: 30) }

    static func options(_ encoder: SequenceEncoder, epochs: Int = 30) -> NextItemOptions {
        NextItemOptions(encoder: encoder, factors: 16, maxLength: 8, blocks: 1, heads: 2, dropout: 0.1, epochs: epochs, batchSize: 16,
                        learningRate: 0.01, patience: 0, seed: 4)
    }

    /// The registered model of `encoder` with ``options(_:epochs:)``'s settings.
    static func model(_ encoder: SequenceEncoder, epochs: Int = 30, learningRate: String = "0.01") throws -> any Recommender {
        var settings: [(name: String, value: String)] = [("factors", "16"), ("max-length", "8"), ("dropout", "0.1"), ("epochs", "\(epochs)"),
                                                         ("batch-size", "16"), ("learning-rate", learningRate), ("patience", "0"), ("seed", "4")]
        if encoder == .selfAttention { settings += [("blocks", "1"), ("heads", "2")] }
        return try ModelRegistry.spec(named: name(encoder)).makeModel(settings: settings)
    }

    static func name(_ encoder: SequenceEncoder) -> String { encoder == .gru ? "gru4rec" : "sasrec" }

    /// The top item after a window ending in `i` must be `i + 1` (it is never in the window, which
    /// holds the 8 items before). Chance is 1 in 22.
    @Test(arguments: SequenceEncoder.allCases)
    func learnsTheNextItemOfACycle(encoder: SequenceEncoder) throws {
        let train = try Self.cycle()
        var model = try Self.model(encoder)
        try model.fit(train, context: .current, progress: nil)
        let histories = try ItemSequences.histories(train.ratings, timestamps: train.timestamps)
        var hits = 0
        for u in 0..<train.userCount {
            let next = (histories[u].last! + 1) % 30
            if try model.recommend(user: u, count: 1)[0].item == Int(next) { hits += 1 }
        }
        #expect(hits >= 108, "\(encoder): the next item was first for \(hits) of 120 users")
        try RoundTrip.expectSameModel(model, name: Self.name(encoder), pairs: [(0, 1), (5, 7)])
    }

    @Test(arguments: SequenceEncoder.allCases)
    func bothBackEndsTrainToTheSameLoss(encoder: SequenceEncoder) throws {
        let histories = Self.cycles()
        var losses: [[Double]] = []
        for backend in Backend.allCases {
            var reports: [Double] = []
            _ = try NextItemPrediction.fit(histories, items: 30, options: Self.options(encoder, epochs: 4),
                                           context: ExecutionContext(backend: backend, threads: 2)) { reports.append($0.loss!) }
            losses.append(reports)
        }
        // Same seed, same batches and dropout masks: the back ends differ only in GEMM rounding.
        for (a, b) in zip(losses[0], losses[1]) { #expect(abs(a - b) <= 1e-4 * a, "\(encoder): \(losses)") }
        #expect(losses[0].last! < 0.9 * losses[0].first!, "\(encoder): the loss did not fall: \(losses[0])")
    }

    /// Only the latest `maxLength` items count: older items change nothing. An empty history gets
    /// the all-padding representation, the same for everyone.
    @Test(arguments: SequenceEncoder.allCases)
    func longHistoriesAreTruncatedAndEmptyOnesHandled(encoder: SequenceEncoder) throws {
        let network = NextItemNetwork<Float>(items: 30, options: Self.options(encoder))
        let recent: [Int32] = [3, 9, 4, 4, 17, 2, 8, 11], older: [Int32] = [1, 2, 3, 5, 7, 29, 0]
        let r = try network.representations([ArraySlice(older + recent), ArraySlice(recent), [], []], context: .current)
        // equal up to rounding: a GEMM may round a row differently at another place in the batch
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) } }
        #expect(close(r.row(0), r.row(1)))
        #expect(close(r.row(2), r.row(3)) && !close(r.row(2), r.row(1)))
        #expect(ItemSequences.window(ArraySlice(older + recent), maxLength: 8) == ArraySlice(recent))
        // Users with no or one item take no part in training but are scored.
        let data = try Self.dataset(Self.cycles(users: 40) + [[], [5]], items: 30)
        var model = try Self.model(encoder, epochs: 2)
        try model.fit(data, context: .current, progress: nil)
        #expect(try model.recommend(user: 40, count: 5).count == 5)
        #expect(try model.recommend(user: 41, count: 5).allSatisfy { $0.item != 5 })
    }

    /// Equal timestamps keep item order, so the order never depends on anything else.
    @Test func historiesAreOrderedByTimeWithTiesByItem() throws {
        let built = try CSRMatrix<Float>.fromTriplets(rows: 1, columns: 5, rowIndices: [0, 0, 0, 0], columnIndices: [4, 0, 3, 1],
                                                      values: [1, 1, 1, 1], payload: [Int64(20), 30, 10, 20])
        #expect(try ItemSequences.histories(built.matrix, timestamps: built.payload) == [[3, 1, 4, 0]])
        #expect(throws: AlgorithmError.self) { _ = try ItemSequences.histories(built.matrix, timestamps: nil) }
    }

    @Test func badSettingsAndExplodingLossesAreRefused() throws {
        let train = try Self.cycle(users: 30)
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "sasrec").makeModel(["max-length": "1"]) }
        var heads = SASRecRecommender { $0.factors = 10; $0.heads = 3 }
        #expect(throws: ModelError.invalidConfiguration(model: "sasrec", field: "heads", value: "3", requirement: "a divisor of --factors (10)")) {
            try heads.fit(train, context: .current, progress: nil)
        }
        var untimed = SASRecRecommender()
        #expect(throws: ModelError.self) { try untimed.fit(RatingDataset(ratings: train.ratings), context: .current, progress: nil) }
        for encoder in SequenceEncoder.allCases {
            var exploding = try Self.model(encoder, epochs: 5, learningRate: "10")
            do {
                try exploding.fit(train, context: .current, progress: nil)
                Issue.record("\(encoder): a learning rate of 10 trained without an error")
            } catch let ModelError.fitFailed(_, cause, _, _) {
                guard case let .diverged(_, _, _, hint) = cause else { Issue.record("\(cause)"); continue }
                #expect(hint.contains("learning rate"), "\(hint)")
            }
        }
    }
}
