import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `gmf`, `mlp`, `neumf`: neural collaborative filtering (He et al. 2017) on implicit feedback
/// (``NeuralCollaborativeFiltering``): every training interaction is a positive, sampled
/// non-interactions are negatives, and the network's logit ranks items. Ranking models.
public struct NCFRecommender: Recommender {
    public static let name = "neumf"
    public static let predictsRatings = false

    public var options: NCFOptions
    /// The trained network's parameters, in ``NCFNetwork/parameters`` order. Scoring builds a
    /// network of its own from them (the network caches activations, so it is not shared).
    public private(set) var weights: [Matrix<Float>] = []
    public private(set) var training: RatingDataset?
    /// Mean training loss and samples per second of each epoch of the last fit.
    public private(set) var losses: [Double] = []
    public private(set) var samplesPerSecond: [Double] = []

    public init(options: NCFOptions = NCFOptions()) { self.options = options }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        var losses: [Double] = [], rates: [Double] = []
        let total = options.epochs
        let network = try ModelError.translating(train) {
            try NeuralCollaborativeFiltering.fit(train.ratings, options: options, context: context) { epoch, loss, seconds, rate in
                losses.append(loss); rates.append(rate)
                progress?(FitProgress(iteration: epoch, iterations: total, loss: loss, seconds: seconds))
            }
        }
        weights = network.parameters.map(\.value)
        self.losses = losses
        samplesPerSecond = rates
        training = train
    }

    /// The logit of the pair (not a rating).
    public func predict(user: Int, item: Int) -> Float { score(user: user, items: [Int32(item)]).first ?? 0 }

    /// A network holding the trained weights, for this call's scoring.
    func network() throws -> NCFNetwork<Float> {
        guard let train = training, !weights.isEmpty else { throw ModelError.notFitted(Self.name) }
        let net = NCFNetwork<Float>(users: train.userCount, items: train.itemCount, options: options)
        for (p, w) in zip(net.parameters, weights) { p.value = w }
        return net
    }

    public func score(user: Int, items: [Int32]) -> [Float] {
        guard let train = training, user >= 0, user < train.userCount, !items.isEmpty, let network = try? network() else { return items.map { _ in 0 } }
        return (try? network.logits(users: [Int32](repeating: Int32(user), count: items.count), items: items, context: .current).storage)
            ?? items.map { _ in 0 }
    }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard let train = training else { throw ModelError.notFitted(Self.name) }
        let network = try network()
        let n = train.itemCount, all = (0..<Int32(n)).map { $0 }
        var m = Matrix<Float>(rows: users.count, columns: n)
        for (r, u) in users.enumerated() {
            let s = try network.logits(users: [Int32](repeating: Int32(u), count: n), items: all, context: context)
            m.storage.replaceSubrange(r * n..<(r + 1) * n, with: s.storage)
        }
        return m
    }

    public func archive() throws -> ModelArchive {
        guard !weights.isEmpty else { throw ModelError.notFitted(Self.name) }
        var a = ModelArchive(model: options.mode.rawValue, hyperparameters: NCFRecommender.hyperparameters(options))
        a.storeWeights(weights)
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        guard NCFMode(rawValue: a.model) != nil else { try a.expect(model: Self.name, version: 1); throw ModelError.unsupported(a.model) }
        try a.expect(model: a.model, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("\(a.model) model file has no training data") }
        options = NCFRecommender.options(a.hyperparameters)
        let net = NCFNetwork<Float>(users: t.userCount, items: t.itemCount, options: options)
        weights = try a.weights(shapedLike: net.parameters)
        training = t
    }

    static func hyperparameters(_ o: NCFOptions) -> [String: Double] {
        ["mode": Double(NCFMode.allCases.firstIndex(of: o.mode)!), "factors": Double(o.factors), "layers": Double(o.layers[0]),
         "depth": Double(o.layers.count), "negatives": Double(o.negatives), "epochs": Double(o.epochs), "batch-size": Double(o.batchSize),
         "learning-rate": o.learningRate, "pretrain": o.pretrain ? 1 : 0, "fine-tune-epochs": Double(o.fineTuneEpochs ?? -1),
         "fine-tune-rate": o.fineTuneRate, "seed": Double(o.seed)]
    }

    /// `layers` is the tower's first width, halved `depth − 1` times (64, 32, 16 for 64 and 3).
    static func options(_ h: [String: Double]) -> NCFOptions {
        let first = Int(h["layers"] ?? 64), depth = Int(h["depth"] ?? 3)
        var o = NCFOptions(mode: NCFMode.allCases[Int(h["mode"] ?? 2)], factors: Int(h["factors"] ?? 8),
                          layers: (0..<Swift.max(1, depth)).map { Swift.max(1, first >> $0) }, negatives: Int(h["negatives"] ?? 4),
                          epochs: Int(h["epochs"] ?? 20), batchSize: Int(h["batch-size"] ?? 256), learningRate: h["learning-rate"] ?? 0.001,
                          seed: UInt64(h["seed"] ?? 0))
        o.pretrain = h["pretrain"] == 1
        o.fineTuneEpochs = (h["fine-tune-epochs"] ?? -1) < 0 ? nil : Int(h["fine-tune-epochs"]!)
        o.fineTuneRate = h["fine-tune-rate"] ?? 0
        return o
    }

    static func spec(_ mode: NCFMode, summary: String) -> ModelSpec {
        ModelSpec(name: mode.rawValue, summary: summary, predictsRatings: false,
                  hyperparameters: [
                    Hyperparameter(name: "factors", defaultValue: 8, help: "GMF embedding size", range: 1...100_000),
                    Hyperparameter(name: "layers", defaultValue: 64, help: "MLP tower's first width (halved per layer)", range: 2...100_000),
                    Hyperparameter(name: "depth", defaultValue: 3, help: "MLP tower layers, counting the input width", range: 1...10),
                    Hyperparameter(name: "negatives", defaultValue: 4, help: "sampled negatives per positive", range: 1...1000),
                    Hyperparameter(name: "epochs", defaultValue: 20, help: "passes over the interactions", range: 1...100_000),
                    Hyperparameter(name: "batch-size", defaultValue: 256, help: "mini-batch size", range: 1...1e7),
                    Hyperparameter(name: "learning-rate", defaultValue: 0.001, help: "Adam's step size", range: 1e-9...10),
                    Hyperparameter(name: "seed", defaultValue: 0, help: "initial weights and sampling", range: 0...1e15),
                  ] + (mode == .neumf ? [
                    // The paper's pretrained start with a short plain-SGD fine-tune: chosen by
                    // leave-one-out NDCG@10 on validation splits of u.data's training part (docs/neural.md).
                    Hyperparameter(name: "pretrain", defaultValue: 1, help: "1: start from GMF and MLP trained alone", range: 0...1),
                    Hyperparameter(name: "fine-tune-epochs", defaultValue: 3, help: "with pretrain: the fused model's epochs (-1: --epochs; 0: the blend)", range: -1...100_000),
                    Hyperparameter(name: "fine-tune-rate", defaultValue: 0.05, help: "with pretrain: 0 fine-tunes with Adam, above 0 with plain SGD at this step", range: 0...100),
                  ] : []),
                  make: { h in var v = h; v["mode"] = Double(NCFMode.allCases.firstIndex(of: mode)!); return NCFRecommender(options: options(v)) },
                  restore: { try NCFRecommender(archive: $0) })
    }
}
