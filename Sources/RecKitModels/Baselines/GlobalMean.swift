import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `global-mean`: predicts the mean training rating for everything; ranks every item equally
/// (ties go to the lower item index). The floor any model must beat.
public struct GlobalMean: Recommender {
    public static let name = "global-mean"
    public static let summary = "the mean training rating"
    public static let predictsRatings = true
    public static let personalized = false
    public let configuration: EmptyConfiguration
    public private(set) var training: RatingDataset?
    public private(set) var mean: Float = 0

    public init(_ configuration: EmptyConfiguration = EmptyConfiguration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        guard train.ratingCount > 0 else { throw ModelError.unsuitableData(model: Self.name, reason: "the training data has no ratings") }
        mean = Float(train.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(train.ratingCount))
        training = train
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: 0))
    }

    public func predict(user: Int, item: Int) -> Float { mean }
    public func score(user: Int, items: [Int32]) -> [Float] { [Float](repeating: mean, count: items.count) }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.floats["mean"] = [mean]
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        mean = try a.floats("mean", count: 1)[0]
        training = try a.requireTraining()
    }
}
