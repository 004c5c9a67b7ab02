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
    /// The fitted factors (user factors are `p_u + z_u`), rating range and training history.
    public private(set) var fitted: RatingFactorFit?
    /// `items × f`: the implicit factors `y_j`.
    public private(set) var implicitItems: Matrix<Float>?
    public var factorModel: FactorModel? { fitted?.factorModel }

    public init(_ configuration: SVDPlusPlusConfiguration = SVDPlusPlusConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let configuration = try validatedConfiguration(for: train, context: context)
        let unit = configuration.ratingUnit(for: train.ratingScale)
        let fit = try translatingErrors(train) {
            try SVDPlusPlus.fit(unit.ratings(train.ratings), options: configuration.options, context: context, progress: progress)
        }
        fitted = try RatingFactorFit(unit.restoring(fit.factors), training: train)
        implicitItems = unit.restoringFactors(fit.implicitItems)
    }

    public func predict(user: Int, item: Int) -> Float { fitted?.predict(user: user, item: item) ?? 0 }

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
        var user = try model.ridgeFoldIn(items: items, ratings: residual, regularization: configuration.regularization,
                                            unit: configuration.unit(of: fitted), model: Self.name)
        for t in 0..<f { user.factors[t] += z[t] }
        return user
    }

    public func archive() throws -> ModelArchive {
        guard let fitted, let implicitItems else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        fitted.store(in: &a)
        a.floats["implicit_factors"] = implicitItems.storage
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let fitted = try RatingFactorFit(archive: a, factors: configuration.factors)
        self.fitted = fitted
        let f = fitted.factorModel.itemFactors.columns, n = fitted.factorModel.itemFactors.rows
        implicitItems = Matrix(rows: n, columns: f, uncheckedStorage: try a.floats("implicit_factors", count: n * f))
    }
}
