import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `popularity`: ranks items by how many training interactions they have (optionally only those
/// rated at least ``PopularityConfiguration/minimumRating``). Not a rating predictor; the same list
/// for everyone, minus the user's own items.
public struct Popularity: Recommender {
    public static let name = "popularity"
    public static let summary = "items ranked by training interactions"
    public static let predictsRatings = false
    public static let personalized = false
    public let configuration: PopularityConfiguration
    public private(set) var training: RatingDataset?
    public private(set) var counts: [Float] = []

    public init(_ configuration: PopularityConfiguration = PopularityConfiguration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration()
        guard train.ratingCount > 0 else { throw ModelError.unsuitableData(model: Self.name, reason: "the training data has no ratings") }
        let minimum = Float(c.minimumRating)
        var counts = [Float](repeating: 0, count: train.itemCount)
        for k in 0..<train.ratingCount where train.ratings.values[k] >= minimum { counts[Int(train.ratings.columnIndices[k])] += 1 }
        self.counts = counts
        training = train
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: 0))
    }

    /// Popularity does not estimate ratings; this returns the item's interaction count.
    public func predict(user: Int, item: Int) -> Float { item >= 0 && item < counts.count ? counts[item] : 0 }
    public func score(user: Int, items: [Int32]) -> [Float] { items.map { counts[Int($0)] } }

    public var scoreKind: ScoreKind { .count }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        TopKScorer.sameScoresForEveryUser(counts, users: users.count)
    }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.floats["counts"] = counts
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let t = try a.requireTraining()
        counts = try a.floats("counts", count: t.itemCount)
        training = t
    }
}
