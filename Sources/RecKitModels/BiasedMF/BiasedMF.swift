import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `biased-mf`: biased matrix factorisation trained by SGD (``BiasedMatrixFactorization``),
/// `r̂_ui = μ + b_u + b_i + p_u·q_i`, predictions clipped to the training rating range.
///
/// Parallel across threads by stratified blocks; both back ends (the shim's C kernel or Swift
/// SIMD). Beyond the ``Recommender`` protocol: fold-in of new users (``foldIn(items:ratings:)``),
/// similar items and users (``FoldingIn``), early stopping on a validation split
/// (``SGDOptions/validationFraction``).
public struct BiasedMF: FoldingIn {
    public static let name = "biased-mf"
    public static let summary = "biased matrix factorisation μ + b_u + b_i + p_u·q_i by parallel SGD"
    public static let predictsRatings = true

    public let configuration: BiasedMFConfiguration
    /// The fitted factors, rating range and training history (nil before a fit).
    public private(set) var fitted: RatingFactorFit?
    public private(set) var secondsPerEpoch: [Double] = []
    public var factorModel: FactorModel? { fitted?.factorModel }

    public init(_ configuration: BiasedMFConfiguration = BiasedMFConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration(for: train, context: context).ratingOptions
        let fit = try translatingErrors(train) {
            try BiasedMatrixFactorization.fit(train.ratings, options: options, context: context, progress: progress)
        }
        fitted = try RatingFactorFit(fit, training: train)
        secondsPerEpoch = fit.secondsPerEpoch
    }

    public func predict(user: Int, item: Int) -> Float { fitted?.predict(user: user, item: item) ?? 0 }

    /// The user's factors and bias solved exactly (ridge regression on the fitted items, λ scaled by
    /// the user's rating count as SGD's per-rating penalty is), without refitting.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return try model.ridgeFoldIn(items: items, ratings: ratings, regularization: configuration.regularization, model: Self.name)
    }

    public func archive() throws -> ModelArchive {
        guard let fitted else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        fitted.store(in: &a)
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        fitted = try RatingFactorFit(archive: a, factors: configuration.factors)
    }
}
