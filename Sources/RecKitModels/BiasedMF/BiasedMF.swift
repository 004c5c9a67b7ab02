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
        let configuration = try validatedConfiguration(for: train, context: context)
        let unit = configuration.ratingUnit(for: train.ratingScale)
        let fit = try translatingErrors(train) {
            try BiasedMatrixFactorization.fit(unit.ratings(train.ratings), options: configuration.ratingOptions, context: context, progress: progress)
        }
        fitted = try RatingFactorFit(unit.restoring(fit), training: train)
        secondsPerEpoch = fit.secondsPerEpoch
    }

    public func predict(user: Int, item: Int) -> Float { fitted?.predict(user: user, item: item) ?? 0 }

    /// The user's factors and bias solved exactly (ridge regression on the fitted items, λ scaled by
    /// the user's rating count as SGD's per-rating penalty is), without refitting.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return try model.ridgeFoldIn(items: items, ratings: ratings, regularization: configuration.regularization, unit: configuration.unit(of: fitted), model: Self.name)
    }

    /// Passes over the user's history that ``onlineUpdate(_:items:ratings:)`` takes.
    public static let onlineEpochs = 5

    /// Online learning as the model was trained: ``onlineEpochs`` passes of SGD over the user's
    /// history (in item order) from `previous`, item factors and biases fixed, with the model's
    /// learning rate and penalties (`b_u += η(e − λ_b b_u)`, `p_u += η(e q_i − λ p_u)`). A user
    /// without `previous` starts from the exact fold-in. The passes run in the fitted unit
    /// (``RatingUnit``), as training did.
    public func onlineUpdate(_ previous: FoldedInUser?, items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        guard let previous else { return try foldIn(items: items, ratings: ratings) }
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        let k = model.itemFactors.columns
        guard previous.factors.count == k else {
            throw ModelError.invalidInput(model: Self.name, operation: "online update",
                                          reason: "the user's factors have \(previous.factors.count) values, the model \(k)")
        }
        let lr = Float(configuration.learningRate), lambda = Float(configuration.regularization)
        let lambdaBias = Float(configuration.regularizationBias)
        let unit = configuration.unit(of: fitted), side = unit.itemSide(of: model, items: items)
        let start = unit.converting(previous)
        var p = start.factors, b = start.bias
        for _ in 0..<Self.onlineEpochs {
            for (row, rating) in unit.ratings(ratings).enumerated() {
                let q = side.factors.storage[(row * k)..<(row * k + k)]
                var dot: Float = 0
                for (a, c) in zip(p, q) { dot += a * c }
                let e = rating - (side.globalBias + b + side.itemBias[row] + dot)
                b += lr * (e - lambdaBias * b)
                for t in 0..<k { p[t] += lr * (e * q[q.startIndex + t] - lambda * p[t]) }
            }
        }
        guard b.isFinite, p.allSatisfy(\.isFinite) else {
            throw ModelError.invalidInput(model: Self.name, operation: "online update", reason: "SGD diverged; lower --learning-rate")
        }
        return unit.restoring(FoldedInUser(factors: p, bias: b, items: items))
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
