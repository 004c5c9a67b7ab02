import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// Neural collaborative filtering (`gmf`, `mlp`, `neumf`): training lowers the loss, both back
/// ends train to the same loss for a seed, save/load, bad settings.
@Suite struct NeuralModelTests {
    static func data() throws -> RatingDataset {
        try SyntheticRatings(users: 120, items: 60, ratings: 2400, kind: .implicit, seed: 6).generate(threads: 1)
    }

    /// The settings of each NCF model for these tests: 8 factors, a 16-8 tower, 6 epochs.
    static func model(_ name: String) throws -> any Recommender {
        let spec = try ModelRegistry.spec(named: name)
        var settings: [(name: String, value: String)] = [("epochs", "6"), ("batch-size", "64"), ("learning-rate", "0.005"), ("seed", "3")]
        if spec.field(named: "factors") != nil { settings.append(("factors", "8")) }
        if spec.field(named: "layers") != nil { settings += [("layers", "16"), ("depth", "2")] }
        if spec.field(named: "pretrain") != nil { settings.append(("pretrain", "false")) }
        return try spec.makeModel(settings: settings)
    }

    @Test(arguments: ["gmf", "mlp", "neumf"])
    func bothBackEndsTrainToTheSameLoss(mode: String) throws {
        let train = try Self.data()
        var losses: [[Double]] = []
        for backend in Backend.allCases {
            var model = try Self.model(mode)
            var epochs: [Double] = []
            try model.fit(train, context: ExecutionContext(backend: backend, threads: 1)) { epochs.append($0.loss!) }
            losses.append(epochs)
        }
        // Same seed, same samples and batches: the back ends differ only in GEMM rounding.
        for (a, b) in zip(losses[0], losses[1]) { #expect(abs(a - b) <= 1e-4 * a, "\(mode): \(losses)") }
        #expect(losses[0].last! < 0.95 * losses[0].first!, "\(mode): the loss did not fall: \(losses[0])")
    }

    /// Data-parallel training sums the replicas' gradients into the batch's gradient, so 2 threads
    /// follow the 1-thread run up to the rounding of the sum.
    @Test func twoThreadsTrainLikeOne() throws {
        let train = try Self.data()
        var losses: [[Double]] = []
        for threads in [1, 2] {
            var options = NCFOptions(mode: .neumf, factors: 8, layers: [16, 8], epochs: 4, batchSize: 64, learningRate: 0.005, seed: 3)
            options.samplesPerThread = 32  // so that 2 threads do split each batch
            var epochs: [Double] = []
            _ = try NeuralCollaborativeFiltering.fit(train.ratings, options: options, context: ExecutionContext(backend: .blas, threads: threads)) {
                epochs.append($0.loss!)
            }
            losses.append(epochs)
        }
        for (a, b) in zip(losses[0], losses[1]) { #expect(abs(a - b) <= 1e-4 * a, "\(losses)") }
    }

    @Test func saveAndLoadGiveTheSameScores() throws {
        var model = try ModelRegistry.spec(named: "neumf").makeModel(["epochs": "2", "layers": "16", "depth": "2"])
        try model.fit(try Self.data(), context: .current, progress: nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-neumf-\(UUID()).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try ModelRegistry.load(from: path)
        #expect(loaded.score(user: 3, items: [0, 5, 9]) == model.score(user: 3, items: [0, 5, 9]))
        #expect(try loaded.recommend(user: 7, count: 10) == model.recommend(user: 7, count: 10))
        var gmf = try ModelRegistry.spec(named: "gmf").makeModel(["epochs": "1"])
        try gmf.fit(try Self.data(), context: .current, progress: nil)
        try gmf.save(to: path)
        #expect(try ModelRegistry.load(from: path).score(user: 1, items: [2]) == gmf.score(user: 1, items: [2]))
    }

    @Test func badSettingsAreRefused() throws {
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "neumf").makeModel(["negatives": "0"]) }
        var model = NeuMFRecommender { $0.batchSize = 0 }
        #expect(throws: ModelError.invalidConfiguration(model: "neumf", field: "batch-size", value: "0", requirement: "an integer in 1…10000000")) {
            try model.fit(try Self.data(), context: .current, progress: nil)
        }
        // A step size that blows up: the algorithm's divergence error, with a hint.
        #expect(performing: {
            _ = try NeuralCollaborativeFiltering.fit(try Self.data().ratings, options: NCFOptions(epochs: 3, learningRate: 1e30))
        }, throws: { error in
            guard case AlgorithmError.diverged(_, _, _, let hint) = error else { return false }
            return hint.contains("learning rate")
        })
    }
}

extension NeuralModelTests {
    /// NeuMF started from pretrained GMF and MLP computes α·logit_GMF + (1 − α)·logit_MLP before
    /// any NeuMF training (the output layer is the weighted concatenation of theirs).
    @Test func pretrainedNeuMFStartsAsTheBlendOfGMFAndMLP() throws {
        let r = try Self.data().ratings
        var options = NCFOptions(mode: .gmf, factors: 4, layers: [8, 4], epochs: 2, batchSize: 64, learningRate: 0.01, seed: 2)
        let gmf = try NeuralCollaborativeFiltering.fit(r, options: options)
        options.mode = .mlp
        let mlp = try NeuralCollaborativeFiltering.fit(r, options: options)
        options.mode = .neumf
        let neumf = NCFNetwork<Float>(users: r.rows, items: r.columns, options: options)
        neumf.start(from: gmf, and: mlp, balance: 0.3)
        let users: [Int32] = [0, 5, 9, 50], items: [Int32] = [3, 1, 40, 59]
        let a = try neumf.logits(users: users, items: items, context: .current), g = try gmf.logits(users: users, items: items, context: .current)
        let m = try mlp.logits(users: users, items: items, context: .current)
        for k in 0..<users.count { #expect(abs(a.storage[k] - (0.3 * g.storage[k] + 0.7 * m.storage[k])) <= 1e-5) }
        // The pretrain option runs end to end.
        var model = NeuMFRecommender { $0.factors = 4; $0.layers = 8; $0.depth = 2; $0.epochs = 2; $0.batchSize = 64; $0.pretrain = true; $0.fineTuneEpochs = nil }
        try model.fit(try Self.data(), context: .current, progress: nil)
        #expect(model.losses.count == 2)
    }
}

extension NeuralModelTests {
    static func ratings() throws -> RatingDataset {
        try SyntheticRatings(users: 80, items: 50, ratings: 1600, seed: 12).generate(threads: 1)
    }

    @Test func autoRecTrainsTheSameOnBothBackEndsAndFitsItsRatings() throws {
        let train = try Self.ratings()
        var fits: [AutoRecRecommender] = []
        for backend in Backend.allCases {
            var model = AutoRecRecommender { $0.hidden = 20; $0.regularization = 0.1; $0.epochs = 150; $0.batchSize = 16; $0.learningRate = 0.01; $0.optimizer = .adam; $0.seed = 1 }
            try model.fit(train, context: ExecutionContext(backend: backend, threads: 2), progress: nil)
            fits.append(model)
        }
        // The back ends' GEMMs round differently; over 150 Adam steps per 10 epochs that grows, so
        // the first epochs must agree tightly and the last within 5 %.
        for (a, b) in zip(fits[0].losses.prefix(10), fits[1].losses.prefix(10)) { #expect(abs(a - b) <= 1e-4 * a, "\(fits[0].losses) vs \(fits[1].losses)") }
        #expect(abs(fits[0].losses.last! - fits[1].losses.last!) <= 0.05 * fits[0].losses.last!)
        #expect(fits[0].losses.last! < 0.5 * fits[0].losses.first!)
        // It reconstructs its training ratings better than the mean does.
        let r = train.ratings
        let mean = r.values.reduce(0, +) / Float(r.nonZeroCount)
        var model = 0.0, baseline = 0.0
        for u in 0..<r.rows {
            for p in r.range(ofRow: u) {
                let v = r.values[p]
                model += Double((fits[0].predict(user: u, item: Int(r.columnIndices[p])) - v) * (fits[0].predict(user: u, item: Int(r.columnIndices[p])) - v))
                baseline += Double((mean - v) * (mean - v))
            }
        }
        #expect(model < 0.7 * baseline, "training squared error \(model) vs the mean's \(baseline)")
    }

    @Test func autoRecByLBFGSDescendsOnBothBackEnds() throws {
        // Full-batch L-BFGS accepts only steps that lower the objective, so every epoch's loss is at
        // most the one before; the back ends' GEMMs round differently, so they agree to 1e-3 over
        // the first 10 iterations (line searches can branch on rounding later) and both fit.
        let train = try Self.ratings()
        var fits: [AutoRecRecommender] = []
        for backend in Backend.allCases {
            var model = AutoRecRecommender { $0.hidden = 20; $0.regularization = 0.1; $0.epochs = 60; $0.optimizer = .lbfgs; $0.seed = 1 }
            try model.fit(train, context: ExecutionContext(backend: backend, threads: 2), progress: nil)
            for (e, (a, b)) in zip(model.losses, model.losses.dropFirst()).enumerated() {
                #expect(b <= a, "\(backend): the loss rose at epoch \(e + 2): \(a) → \(b)")
            }
            #expect(model.losses.last! < 0.3 * model.losses.first!, "\(backend): \(model.losses)")
            fits.append(model)
        }
        for (a, b) in zip(fits[0].losses.prefix(10), fits[1].losses.prefix(10)) { #expect(abs(a - b) <= 1e-3 * a, "\(fits[0].losses) vs \(fits[1].losses)") }
    }

    @Test func autoRecSavesAndLoads() throws {
        var model = AutoRecRecommender { $0.hidden = 10; $0.epochs = 3; $0.batchSize = 16 }
        try model.fit(try Self.ratings(), context: .current, progress: nil)
        // the reconstruction is recomputed on load, so to rounding
        try RoundTrip.expectSameModel(model, name: "autorec", pairs: [(0, 0), (7, 30), (79, 49)], tolerance: 1e-5)
        var bad = AutoRecRecommender { $0.hidden = 0 }
        #expect(throws: ModelError.self) { try bad.fit(try Self.ratings(), context: .current, progress: nil) }
    }
}
