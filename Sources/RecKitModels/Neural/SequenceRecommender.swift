import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `gru4rec`, `sasrec`: next-item prediction from each user's time-ordered history
/// (``NextItemPrediction``). A fitted model keeps every training user's representation (the
/// encoder's state after their latest window), so ranking is one GEMM with the output layer, and a
/// saved model needs no timestamps to score. Ranking models; the training data must have timestamps.
public struct SequenceRecommender: Recommender {
    public static let name = "sasrec"
    public static let predictsRatings = false

    public var options: NextItemOptions
    /// Weights in ``NextItemNetwork/parameters`` order.
    public private(set) var weights: [Matrix<Float>] = []
    /// `users × factors`.
    public private(set) var representations = Matrix<Float>(rows: 0, columns: 0)
    public private(set) var training: RatingDataset?
    /// Each epoch's report from the last fit.
    public private(set) var epochs: [NextItemPrediction.Epoch] = []

    public init(options: NextItemOptions = NextItemOptions()) { self.options = options }

    var modelName: String { Self.modelName(options.encoder) }
    static func modelName(_ e: SequenceEncoder) -> String { e == .gru ? "gru4rec" : "sasrec" }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        var reports: [NextItemPrediction.Epoch] = []
        let total = options.epochs, options = options
        let (network, histories) = try ModelError.translating(train) {
            let histories = try ItemSequences.histories(train.ratings, timestamps: train.timestamps)
            let network = try NextItemPrediction.fit(histories, items: train.itemCount, options: options, context: context) { e in
                reports.append(e)
                progress?(FitProgress(iteration: e.epoch, iterations: total, loss: e.loss, seconds: e.seconds,
                                      validation: e.validationNDCG.map { ("NDCG@10", $0) }))
            }
            return (network, histories)
        }
        weights = network.parameters.map(\.value)
        representations = try network.representations(histories.map { ArraySlice($0) }, context: context)
        epochs = reports
        training = train
    }

    /// The logit of the item as the user's next one (not a rating).
    public func predict(user: Int, item: Int) -> Float { score(user: user, items: [Int32(item)]).first ?? 0 }

    public func score(user: Int, items: [Int32]) -> [Float] {
        guard user >= 0, user < representations.rows, let s = try? scoreBlock(users: user..<(user + 1), context: .current) else { return items.map { _ in 0 } }
        return items.map { $0 >= 0 && Int($0) < s.columns ? s.storage[Int($0)] : -Float.infinity }
    }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard training != nil, let w = weights.dropLast().last, let b = weights.last else { throw ModelError.notFitted(modelName) }
        var s = try LinearAlgebra.multiply(representations.rows(users), w, context: context)
        let n = s.columns
        for r in 0..<s.rows { for c in 0..<n { s.storage[r * n + c] += b.storage[c] } }
        return s
    }

    public func archive() throws -> ModelArchive {
        guard !weights.isEmpty else { throw ModelError.notFitted(modelName) }
        var a = ModelArchive(model: modelName, hyperparameters: Self.hyperparameters(options))
        a.storeWeights(weights)
        a.floats["representations"] = representations.storage
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        guard let encoder = SequenceEncoder.allCases.first(where: { Self.modelName($0) == a.model }) else {
            try a.expect(model: Self.name, version: 1); throw ModelError.unsupported(a.model)
        }
        try a.expect(model: a.model, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("\(a.model) model file has no training data") }
        var o = Self.options(a.hyperparameters)
        o.encoder = encoder
        options = o
        let net = NextItemNetwork<Float>(items: t.itemCount, options: o)
        weights = try a.weights(shapedLike: net.parameters)
        representations = try Matrix(rows: t.userCount, columns: o.factors, elements: try a.floats("representations", count: t.userCount * o.factors))
        training = t
    }

    static let keys = ["factors", "max-length", "blocks", "heads", "dropout", "epochs", "batch-size", "learning-rate", "patience", "seed"]

    static func hyperparameters(_ o: NextItemOptions) -> [String: Double] {
        ["factors": Double(o.factors), "max-length": Double(o.maxLength), "blocks": Double(o.blocks), "heads": Double(o.heads), "dropout": o.dropout,
         "epochs": Double(o.epochs), "batch-size": Double(o.batchSize), "learning-rate": o.learningRate, "patience": Double(o.patience), "seed": Double(o.seed)]
    }

    static func options(_ h: [String: Double]) -> NextItemOptions {
        NextItemOptions(factors: Int(h["factors"] ?? 64), maxLength: Int(h["max-length"] ?? 50), blocks: Int(h["blocks"] ?? 2), heads: Int(h["heads"] ?? 1),
                        dropout: h["dropout"] ?? 0.2, epochs: Int(h["epochs"] ?? 200), batchSize: Int(h["batch-size"] ?? 64),
                        learningRate: h["learning-rate"] ?? 0.001, patience: Int(h["patience"] ?? 10), seed: UInt64(h["seed"] ?? 0))
    }

    static func spec(_ encoder: SequenceEncoder, summary: String) -> ModelSpec {
        let defaults = NextItemOptions(encoder: encoder)
        var hyper = [
            Hyperparameter(name: "factors", defaultValue: Double(defaults.factors), help: "embedding and hidden width", range: 1...100_000),
            Hyperparameter(name: "max-length", defaultValue: Double(defaults.maxLength), help: "latest items kept of each history", range: 2...100_000),
            Hyperparameter(name: "dropout", defaultValue: defaults.dropout, help: "dropout rate", range: 0...0.99),
            Hyperparameter(name: "epochs", defaultValue: Double(defaults.epochs), help: "most passes over the users' sequences", range: 1...100_000),
            Hyperparameter(name: "batch-size", defaultValue: Double(defaults.batchSize), help: "sequences per mini-batch", range: 1...1e7),
            Hyperparameter(name: "learning-rate", defaultValue: defaults.learningRate, help: "Adam's step size", range: 1e-9...10),
            Hyperparameter(name: "patience", defaultValue: Double(defaults.patience),
                           help: "stop after this many epochs without a better validation NDCG@10 (each user's latest item); 0: no validation", range: 0...100_000),
            Hyperparameter(name: "seed", defaultValue: 0, help: "initial weights, dropout and batch order", range: 0...1e15),
        ]
        if encoder == .selfAttention {
            hyper.insert(contentsOf: [Hyperparameter(name: "blocks", defaultValue: Double(defaults.blocks), help: "self-attention blocks", range: 1...100),
                                      Hyperparameter(name: "heads", defaultValue: Double(defaults.heads), help: "attention heads (divide factors)", range: 1...100)], at: 2)
        }
        return ModelSpec(name: modelName(encoder), summary: summary, predictsRatings: false, hyperparameters: hyper,
                         make: { h in var o = options(h); o.encoder = encoder; return SequenceRecommender(options: o) },
                         restore: { try SequenceRecommender(archive: $0) })
    }
}
