import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `autorec`: I-AutoRec (``AutoRec``) for rating prediction. The prediction of `(u, i)` is entry `u`
/// of item `i`'s reconstruction from its training ratings, clipped to the training rating range;
/// unknown users or items get the mean training rating. Ranks by the predicted rating.
public struct AutoRecRecommender: Recommender {
    public static let name = "autorec"
    public static let predictsRatings = true

    public var options: AutoRecOptions
    /// The encoder's and decoder's weights and biases, in order.
    public private(set) var weights: [Matrix<Float>] = []
    /// `items × users`: every item's reconstruction.
    public private(set) var reconstruction: Matrix<Float>?
    public private(set) var training: RatingDataset?
    public private(set) var losses: [Double] = []
    var mean: Float = 0
    var scale: ClosedRange<Float> = 0...0

    public init(options: AutoRecOptions = AutoRecOptions()) { self.options = options }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        var losses: [Double] = []
        let total = options.epochs
        let network = try ModelError.translating(train) {
            try AutoRec.fit(train.ratings, options: options, context: context) { epoch, loss, seconds in
                losses.append(loss)
                progress?(FitProgress(iteration: epoch, iterations: total, loss: loss, seconds: seconds))
            }
        }
        weights = network.parameters.map(\.value)
        reconstruction = try AutoRec.reconstruct(network, ratings: train.ratings, items: Array(0..<train.itemCount), context: context)
        self.losses = losses
        training = train
        mean = Float(train.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(train.ratingCount))
        scale = SGDModels.scale(of: train)
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let r = reconstruction, item >= 0, item < r.rows, user >= 0, user < r.columns else { return mean }
        return scale.clamping(r[item, user])
    }

    public func score(user: Int, items: [Int32]) -> [Float] { items.map { predict(user: user, item: Int($0)) } }

    public func archive() throws -> ModelArchive {
        guard !weights.isEmpty else { throw ModelError.notFitted(Self.name) }
        var a = ModelArchive(model: Self.name, hyperparameters: ["hidden": Double(options.hidden), "regularization": options.regularization,
                                                                 "epochs": Double(options.epochs), "batch-size": Double(options.batchSize),
                                                                 "learning-rate": options.learningRate, "seed": Double(options.seed)])
        a.storeWeights(weights)
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("autorec model file has no training data") }
        let h = a.hyperparameters
        options = AutoRecOptions(hidden: Int(h["hidden"] ?? 500), regularization: h["regularization"] ?? 1, epochs: Int(h["epochs"] ?? 100),
                                 batchSize: Int(h["batch-size"] ?? 64), learningRate: h["learning-rate"] ?? 0.001, seed: UInt64(h["seed"] ?? 0))
        let users = t.userCount, hidden = options.hidden
        let network = Sequential<Float>([Linear<Float>(inputs: users, outputs: hidden, seed: 0), Activation<Float>(.sigmoid),
                                         Linear<Float>(inputs: hidden, outputs: users, seed: 0)])
        weights = try a.weights(shapedLike: network.parameters)
        for (p, w) in zip(network.parameters, weights) { p.value = w }
        reconstruction = try AutoRec.reconstruct(network, ratings: t.ratings, items: Array(0..<t.itemCount), context: .current)
        training = t
        mean = Float(t.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(Swift.max(1, t.ratingCount)))
        scale = SGDModels.scale(of: t)
    }
}
