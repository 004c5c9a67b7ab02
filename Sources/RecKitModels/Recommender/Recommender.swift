import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The protocol every RecKit model implements, so that the evaluator, the command line, the
/// registry and the benchmarks treat models alike.
///
/// A model is built from its typed ``Configuration`` (`init(_:)`), trained with `fit`, and saved and
/// restored with its configuration as fitted (`archive()`, `init(archive:)`). Users and items are
/// the dense indexes of the training ``RatingDataset``; a fitted model keeps the training id maps so
/// that files it writes use the original ids. Registering a model type in ``ModelRegistry`` gives it
/// the command line, the search, experiment files and the conformance suite.
public protocol Recommender: Sendable {
    /// The model's hyperparameters.
    associatedtype Configuration: ModelConfiguration

    /// The stable kebab-case name (`baseline`, `popularity`, `als`, …).
    static var name: String { get }

    /// One line for listings and help texts.
    static var summary: String { get }

    /// Whether ``predict(user:item:)`` estimates ratings (false for pure ranking models).
    static var predictsRatings: Bool { get }

    /// Whether the model learns something per user, so that it can tell users apart when ranking
    /// (false for the global mean, the baseline's item order and popularity).
    static var personalized: Bool { get }

    /// Whether training needs the ratings' timestamps (next-item models).
    static var needsTimestamps: Bool { get }

    /// The configuration the model was built with (and, once fitted, was fitted with).
    var configuration: Configuration { get }

    /// An unfitted model.
    init(_ configuration: Configuration)

    /// Whether this configured model estimates ratings (a model that can do both, like ALS,
    /// answers for its settings). Defaults to ``predictsRatings``.
    var ratingPredictor: Bool { get }

    /// Side information (user attributes, item features) for models that use it; others ignore it.
    mutating func use(_ side: SideInformation)

    /// Trains on `train`, reporting progress after each epoch or iteration.
    /// - Throws: ``ModelError`` (an invalid configuration names the field; a failure of the
    ///   algorithm names the user or item by id), or `DataError` for unsuitable data.
    mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws

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

    /// The model's configuration and parameters, for saving.
    func archive() throws -> ModelArchive

    /// A model restored from ``archive()``.
    /// - Throws: ``ModelError/invalidArchive(file:reason:)``.
    init(archive: ModelArchive) throws
}

extension Recommender {
    public static var personalized: Bool { true }
    public static var needsTimestamps: Bool { false }
    public var ratingPredictor: Bool { Self.predictsRatings }
    /// What this model's recommendation scores are: predicted ratings for rating predictors,
    /// unitless relevance otherwise (baselines say more).
    public var scoreKind: ScoreKind { ratingPredictor ? .predictedRating : .relevance }
    public var itemCount: Int { training?.itemCount ?? 0 }
    public var userCount: Int { training?.userCount ?? 0 }
    public mutating func use(_ side: SideInformation) {}

    /// The configuration field by field (also for a model known only as `any Recommender`).
    public var configurationValues: [String: FieldValue] { configuration.values }

    /// A model with the default configuration changed by `configure`:
    /// `ALSRecommender { $0.factors = 32 }`.
    public init(_ configure: (inout Configuration) -> Void) {
        self.init(Configuration(configure))
    }

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
        guard let train = training else { throw ModelError.notFitted(model: Self.name) }
        guard users.lowerBound >= 0, users.upperBound <= train.userCount else {
            throw ModelError.unknownUser(model: Self.name, user: "indexes \(users) (the training data has \(train.userCount) users)")
        }
        return try TopKScorer.recommend(model: self, users: users, count: count, filter: filter, train: train.ratings, context: context)
    }

    /// Saves the model to a file (versioned, checksummed, atomic).
    public func save(to path: String) throws { try archive().write(to: path) }

    /// The configuration stored in `archive`, after checking that it holds this model at the
    /// parameter layout `version` this RecKit reads.
    /// - Throws: ``ModelError/invalidArchive(file:reason:)``.
    static func configuration(in archive: ModelArchive, version: Int = 1) throws -> Configuration {
        try archive.expect(model: name, version: version)
        return try archive.configuration(Configuration.self)
    }

    /// The configuration checked field by field, or an error naming the field.
    func validatedConfiguration() throws -> Configuration {
        try configuration.validate(model: Self.name)
        return configuration
    }

    /// Runs an algorithm's fit, turning its ``AlgorithmError`` into ``ModelError/fitFailed(model:cause:user:item:)``
    /// that names the user or item at fault by its id in `train`.
    func translatingErrors<R>(_ train: RatingDataset, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as AlgorithmError {
            throw ModelError.fitFailed(model: Self.name, cause: error, in: train)
        }
    }
}

extension ClosedRange {
    /// `x` moved into the range (rating predictions clipped to the training scale).
    func clamping(_ x: Bound) -> Bound { Swift.min(upperBound, Swift.max(lowerBound, x)) }
}
