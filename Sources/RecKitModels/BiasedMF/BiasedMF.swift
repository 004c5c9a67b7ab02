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
    public private(set) var factorModel: FactorModel?
    /// The training rating range predictions are clipped to.
    public private(set) var scale: ClosedRange<Float> = 0...0
    /// The objective after each epoch of the last fit; validation RMSE per epoch with early stopping.
    public private(set) var losses: [Double] = []
    public private(set) var validationRMSE: [Double] = []
    public private(set) var secondsPerEpoch: [Double] = []

    public init(_ configuration: BiasedMFConfiguration = BiasedMFConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration().ratingOptions
        let fit = try translatingErrors(train) {
            try BiasedMatrixFactorization.fit(train.ratings, options: options, context: context, progress: progress)
        }
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items, userBias: fit.userBias, itemBias: fit.itemBias,
                                      globalBias: fit.globalMean, training: train)
        scale = train.ratingScale
        losses = fit.losses
        validationRMSE = fit.validationRMSE
        secondsPerEpoch = fit.secondsPerEpoch
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// The user's factors and bias solved exactly (ridge regression on the fitted items, λ scaled by
    /// the user's rating count as SGD's per-rating penalty is), without refitting.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return try model.ridgeFoldIn(items: items, ratings: ratings, regularization: configuration.regularization, model: Self.name)
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.doubles["losses"] = losses
        a.doubles["validation_rmse"] = validationRMSE
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        configuration = try a.configuration(BiasedMFConfiguration.self)
        factorModel = try FactorModel(parametersIn: a, factors: configuration.factors)
        let s = try a.floats("scale", count: 2)
        scale = s[0]...s[1]
        losses = a.doubles["losses"] ?? []
        validationRMSE = a.doubles["validation_rmse"] ?? []
    }
}
