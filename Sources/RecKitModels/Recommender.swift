import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Progress of a model's `fit`, reported after each epoch or iteration.
public struct FitProgress: Sendable {
    public var iteration: Int
    public var iterations: Int
    /// The training objective (or another loss the model reports), if it computes one.
    public var loss: Double?
    /// Wall seconds of this iteration.
    public var seconds: Double
    /// A validation metric after this iteration, for models that validate while training (early stopping).
    public var validation: (metric: String, value: Double)? = nil

    public init(iteration: Int, iterations: Int, loss: Double? = nil, seconds: Double, validation: (metric: String, value: Double)? = nil) {
        self.iteration = iteration
        self.iterations = iterations
        self.loss = loss
        self.seconds = seconds
        self.validation = validation
    }

    /// `iteration 3/20: loss 0.412 validation NDCG@10 0.31 (1.20 s)`.
    public var summary: String {
        var s = "iteration \(iteration)/\(iterations)"
        if let loss { s += ": loss " + String(format: "%.6g", loss) }
        if let validation { s += ", validation \(validation.metric) " + String(format: "%.4f", validation.value) }
        return s + String(format: " (%.2f s)", seconds)
    }
}

/// What `recommend` may return.
public struct RecommendationFilter: Sendable {
    /// Leave out items the user interacted with in training.
    public var excludeTrainingItems = true
    /// Only these items may be recommended (nil: all).
    public var allowed: Set<Int32>? = nil
    /// These items are never recommended.
    public var denied: Set<Int32> = []

    public init(excludeTrainingItems: Bool = true, allowed: Set<Int32>? = nil, denied: Set<Int32> = []) {
        self.excludeTrainingItems = excludeTrainingItems
        self.allowed = allowed
        self.denied = denied
    }
}

/// One recommended item.
public struct Recommendation: Sendable, Equatable {
    public var item: Int
    public var score: Float
    public init(item: Int, score: Float) { self.item = item; self.score = score }
}

/// The protocol every RecKit model implements, so that the evaluator, the command line and the
/// benchmarks treat models alike.
///
/// Users and items are the dense indexes of the training ``RatingDataset``; a fitted model keeps
/// the training id maps so that files it writes use the original ids.
public protocol Recommender: Sendable {
    /// The stable kebab-case name (`baseline`, `popularity`, `als`, …).
    static var name: String { get }

    /// Whether ``predict(user:item:)`` estimates ratings (false for pure ranking models).
    static var predictsRatings: Bool { get }

    /// Whether this configured model estimates ratings (a model that can do both, like ALS,
    /// answers for its settings). Defaults to ``predictsRatings``.
    var ratingPredictor: Bool { get }

    /// Trains on `train`, reporting progress after each iteration.
    mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws

    /// The training data the model was fitted on (users, items, interactions, ids).
    var training: RatingDataset? { get }

    /// Estimated rating of `item` by `user`; indexes outside the training data (cold users or items)
    /// fall back to what the model knows (e.g. the global mean).
    func predict(user: Int, item: Int) -> Float

    /// Ranking scores of `items` for `user` (higher is better).
    func score(user: Int, items: [Int32]) -> [Float]

    /// Ranking scores of every item for a block of users, row-major `users.count × itemCount`.
    /// Factor models implement it with one GEMM; the default calls ``score(user:items:)``.
    func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float>

    /// The model's parameters and hyperparameters, for saving.
    func archive() throws -> ModelArchive

    /// A model restored from ``archive()``.
    init(archive: ModelArchive) throws
}

extension Recommender {
    public var ratingPredictor: Bool { Self.predictsRatings }
    public var itemCount: Int { training?.itemCount ?? 0 }
    public var userCount: Int { training?.userCount ?? 0 }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        let all = (0..<Int32(itemCount)).map { $0 }
        var m = Matrix<Float>(rows: users.count, columns: itemCount)
        for (r, u) in users.enumerated() {
            let s = score(user: u, items: all)
            m.storage.replaceSubrange(r * itemCount..<(r + 1) * itemCount, with: s)
        }
        return m
    }

    /// The top `count` items for `user` by score, best first; ties go to the lower item index.
    /// Returns fewer than `count` when fewer items pass the filter.
    public func recommend(user: Int, count: Int, filter: RecommendationFilter = RecommendationFilter(),
                          context: ExecutionContext = .current) throws -> [Recommendation] {
        try recommend(users: user..<(user + 1), count: count, filter: filter, context: context)[0]
    }

    /// Top-`count` lists for many users at once: scores in blocks of users (one GEMM per block for
    /// factor models), never the whole user × item matrix, parallel across blocks.
    public func recommend(users: Range<Int>, count: Int, filter: RecommendationFilter = RecommendationFilter(),
                          context: ExecutionContext = .current) throws -> [[Recommendation]] {
        guard let train = training else { throw ModelError.notFitted(Self.name) }
        guard users.lowerBound >= 0, users.upperBound <= train.userCount else {
            throw ModelError.unknownUser("users \(users) are outside 0..<\(train.userCount)")
        }
        return try TopKScorer.recommend(model: self, users: users, count: count, filter: filter, train: train.ratings, context: context)
    }

    /// Saves the model to a file (versioned, checksummed, atomic).
    public func save(to path: String) throws { try archive().write(to: path) }
}

extension ClosedRange {
    /// `x` moved into the range (rating predictions clipped to the training scale).
    func clamping(_ x: Bound) -> Bound { Swift.min(upperBound, Swift.max(lowerBound, x)) }
}

extension ModelError {
    /// Runs a fit, turning the algorithm layer's errors into model errors: an invalid argument
    /// becomes ``invalidHyperparameter(_:)`` with the training ids of the users and items it names,
    /// a divergence ``diverged(_:)``.
    static func translating<R>(_ train: RatingDataset, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let LinearAlgebraError.invalidArgument(message) {
            throw ModelError.invalidHyperparameter(ALSRecommender.describe(message, train))
        } catch let error as LinearAlgebraError {
            if case .diverged = error { throw ModelError.diverged(error.description) }
            throw error
        }
    }
}

/// Errors from models.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    case notFitted(String)
    case unknownUser(String)
    case unknownItem(String)
    case unknownModel(String)
    case invalidHyperparameter(String)
    case unsupported(String)
    case diverged(String)

    public var description: String {
        switch self {
        case let .notFitted(m): return "\(m): the model is not fitted yet; call fit or load a saved model"
        case let .unknownUser(m), let .unknownItem(m), let .invalidHyperparameter(m), let .unsupported(m), let .diverged(m): return m
        case let .unknownModel(m): return m
        }
    }
}
