import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `autorec`: I-AutoRec (``AutoRec``) for rating prediction. The prediction of `(u, i)` is entry `u`
/// of item `i`'s reconstruction from its training ratings, clipped to the training rating range;
/// unknown users or items get the mean training rating. Ranks by the predicted rating. Ratings are
/// fitted and reconstructed in units of their spread ÷ 4 (``RatingUnit``), so one λ serves any scale.
public struct AutoRecRecommender: Recommender {
    public static let name = "autorec"
    public static let summary = "I-AutoRec: an autoencoder over each item's ratings (Sedhain et al. 2015)"
    public static let predictsRatings = true

    public let configuration: AutoRecConfiguration
    /// The encoder's and decoder's weights and biases, in order.
    public private(set) var weights: [Matrix<Float>] = []
    /// `items × users`: every item's reconstruction.
    public private(set) var reconstruction: Matrix<Float>?
    public private(set) var training: RatingDataset?
    public private(set) var losses: [Double] = []
    var mean: Float = 0
    var scale: ClosedRange<Float> = 0...0

    public init(_ configuration: AutoRecConfiguration = AutoRecConfiguration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context), options = c.options
        let unit = RatingUnit(setting: c.ratingUnit, range: train.ratingScale), ratings = unit.ratings(train.ratings)
        var losses: [Double] = []
        let network = try translatingErrors(train) {
            try AutoRec.fit(ratings, options: options, context: context) { p in
                losses.append(p.loss ?? .nan)
                progress?(p)
            }
        }
        weights = network.parameters.map(\.value)
        reconstruction = unit.restoringRatings(try AutoRec.reconstruct(network, ratings: ratings, items: Array(0..<train.itemCount), context: context))
        self.losses = losses.map { $0 * Double(unit.factor * unit.factor) }
        training = train
        mean = Float(train.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(train.ratingCount))
        scale = train.ratingScale
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let r = reconstruction, item >= 0, item < r.rows, user >= 0, user < r.columns else { return mean }
        return scale.clamping(r[item, user])
    }

    public func score(user: Int, items: [Int32]) -> [Float] { items.map { predict(user: user, item: Int($0)) } }

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
        let users = t.userCount, hidden = configuration.hidden
        let network = Sequential<Float>([Linear<Float>(inputs: users, outputs: hidden, seed: 0), Activation<Float>(.sigmoid),
                                         Linear<Float>(inputs: hidden, outputs: users, seed: 0)])
        weights = try a.weights(shapedLike: network.parameters)
        for (p, w) in zip(network.parameters, weights) { p.value = w }
        let unit = RatingUnit(setting: configuration.ratingUnit, range: t.ratingScale)
        reconstruction = unit.restoringRatings(try AutoRec.reconstruct(network, ratings: unit.ratings(t.ratings), items: Array(0..<t.itemCount), context: .current))
        training = t
        mean = Float(t.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(Swift.max(1, t.ratingCount)))
        scale = t.ratingScale
    }
}
