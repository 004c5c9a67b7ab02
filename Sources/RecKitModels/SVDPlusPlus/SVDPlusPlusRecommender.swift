import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `svd++`: SVD++ (Koren 2008) trained by SGD (``SVDPlusPlus``), `r̂_ui = μ + b_u + b_i +
/// q_iᵀ(p_u + |N(u)|^{-1/2} Σ_{j∈N(u)} y_j)`, predictions clipped to the training rating range.
///
/// Scores use the combined user vector, so ranking a block of users is one GEMM as for the other
/// factor models. Fold-in (``foldIn(items:ratings:)``) gives a new user the implicit sum of their
/// items plus ridge-solved explicit factors.
public struct SVDPlusPlusRecommender: FoldingIn {
    public static let name = "svd++"
    public static let summary = "SVD++: biased MF plus implicit factors of the items each user rated, by SGD"
    public static let predictsRatings = true

    public let configuration: SVDPlusPlusConfiguration
    /// Scores and predictions: user factors are `p_u + z_u`.
    public private(set) var factorModel: FactorModel?
    /// `items × f`: the implicit factors `y_j`.
    public private(set) var implicitItems: Matrix<Float>?
    public private(set) var scale: ClosedRange<Float> = 0...0
    public private(set) var losses: [Double] = []
    public private(set) var validationRMSE: [Double] = []

    public init(_ configuration: SVDPlusPlusConfiguration = SVDPlusPlusConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration().options
        let fit = try translatingErrors(train) {
            try SVDPlusPlus.fit(train.ratings, options: options, context: context, progress: progress)
        }
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items, userBias: fit.userBias, itemBias: fit.itemBias,
                                      globalBias: fit.globalMean, training: train)
        implicitItems = fit.implicitItems
        scale = train.ratingScale
        losses = fit.losses
        validationRMSE = fit.validationRMSE
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// A new user: `z = |N|^{-1/2} Σ y_j` over their items, then `[p, b_u]` by ridge regression on
    /// the residuals `r − μ − b_i − z·q_i`; their vector is `p + z`.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        guard let y = implicitItems else { throw ModelError.notFitted(model: Self.name) }
        let f = y.columns
        var z = [Float](repeating: 0, count: f)
        let norm = items.isEmpty ? 0 : 1 / Float(items.count).squareRoot()
        for j in items { for t in 0..<f { z[t] += norm * y.storage[Int(j) * f + t] } }
        let residual = zip(items, ratings).map { j, r in r - (0..<f).reduce(Float(0)) { $0 + z[$1] * model.itemFactors.storage[Int(j) * f + $1] } }
        var user = try model.ridgeFoldIn(items: items, ratings: residual, regularization: configuration.regularization, model: Self.name)
        for t in 0..<f { user.factors[t] += z[t] }
        return user
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel, let implicitItems else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.floats["implicit_factors"] = implicitItems.storage
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.doubles["losses"] = losses
        a.doubles["validation_rmse"] = validationRMSE
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        configuration = try a.configuration(SVDPlusPlusConfiguration.self)
        let model = try FactorModel(parametersIn: a, factors: configuration.factors)
        factorModel = model
        let f = model.itemFactors.columns, n = model.itemFactors.rows
        implicitItems = Matrix(rows: n, columns: f, uncheckedStorage: try a.floats("implicit_factors", count: n * f))
        let s = try a.floats("scale", count: 2)
        scale = s[0]...s[1]
        losses = a.doubles["losses"] ?? []
        validationRMSE = a.doubles["validation_rmse"] ?? []
    }
}
