import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `gmf`, `mlp`, `neumf`: neural collaborative filtering (He et al. 2017) on implicit feedback
/// (``NeuralCollaborativeFiltering``): every training interaction is a positive, sampled
/// non-interactions are negatives, and the network's logit ranks items. Ranking models; one
/// implementation, a configuration type per model (``GMFRecommender``, ``MLPRecommender``,
/// ``NeuMFRecommender``).
public struct NCFRecommender<Configuration: NCFConfiguration>: Recommender {
    public static var name: String { Configuration.modelName }
    public static var summary: String { Configuration.summary }
    public static var predictsRatings: Bool { false }

    public let configuration: Configuration
    /// The trained network's parameters, in ``NCFNetwork/parameters`` order. Scoring builds a
    /// network of its own from them (the network caches activations, so it is not shared).
    public private(set) var weights: [Matrix<Float>] = []
    public private(set) var training: RatingDataset?
    /// Mean training loss and samples per second of each epoch of the last fit.
    public private(set) var losses: [Double] = []
    public private(set) var samplesPerSecond: [Double] = []

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    var options: NCFOptions { configuration.options }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration(for: train, context: context).options
        var losses: [Double] = [], rates: [Double] = []
        let network = try translatingErrors(train) {
            try NeuralCollaborativeFiltering.fit(train.ratings, options: options, context: context) { p in
                losses.append(p.loss ?? .nan); rates.append(p.measures["samples_per_second"] ?? 0)
                progress?(p)
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
        guard let train = training, !weights.isEmpty else { throw ModelError.notFitted(model: Self.name) }
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
        guard let train = training else { throw ModelError.notFitted(model: Self.name) }
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
        guard !weights.isEmpty else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.storeWeights(weights)
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let t = try a.requireTraining()
        let net = NCFNetwork<Float>(users: t.userCount, items: t.itemCount, options: configuration.options)
        weights = try a.weights(shapedLike: net.parameters)
        training = t
    }
}

/// `gmf`: generalised matrix factorisation.
public typealias GMFRecommender = NCFRecommender<GMFConfiguration>
/// `mlp`: an MLP over user and item embeddings.
public typealias MLPRecommender = NCFRecommender<MLPConfiguration>
/// `neumf`: GMF and MLP fused (with the pretrained start by default).
public typealias NeuMFRecommender = NCFRecommender<NeuMFConfiguration>
