import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `pure-svd`: PureSVD (Cremonesi, Koren & Turrin, RecSys 2010) for top-N ranking. The training
/// matrix, missing entries taken as zero, is factored by a truncated SVD `R ≈ U Σ Vᵀ`; a user's
/// scores are their rating row projected on the top item directions, `r_u·V·Vᵀ`, which is
/// `p_u·q_i` with `P = UΣ`, `Q = V`. Not a rating predictor: scores are on no rating scale.
///
/// A user outside the training data is scored by fold-in: `p = r·V` from their ratings — for a
/// training user's own ratings exactly their fitted `p_u` (``refitUser(_:context:)``).
public struct PureSVD: FoldingIn {
    public static let name = "pure-svd"
    public static let summary = "PureSVD top-N: truncated SVD of the rating matrix (missing = 0), scores r_u·V·Vᵀ"
    public static let predictsRatings = false
    public let configuration: PureSVDConfiguration
    public private(set) var factorModel: FactorModel?
    public private(set) var report: SVDFitReport?

    public init(_ configuration: PureSVDConfiguration = PureSVDConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context)
        try checkRank(c.factors, train, Self.name)
        let (p, q, report) = try translatingErrors(train) {
            try svdFactors(train.ratings.converted(to: Double.self), rank: c.factors, solver: c.solver, seed: c.seed, context: context)
        }
        factorModel = try FactorModel(userFactors: p, itemFactors: q, training: train)
        self.report = report
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: report.seconds))
    }

    public func predict(user: Int, item: Int) -> Float { factorModel?.predict(user: user, item: item) ?? 0 }

    /// `p = r·V`: the user's ratings projected on the item factors.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return FoldedInUser(factors: project(items, weights: ratings, on: model), bias: 0, items: items)
    }

    /// The fitted `p_u = r_u·V` itself: PureSVD's user factors are the projection of their ratings.
    public func refitUser(_ user: Int, context: ExecutionContext) throws -> FoldedInUser? {
        guard let model = factorModel, let train = model.training else { throw ModelError.notFitted(model: Self.name) }
        let f = model.userFactors.columns
        return FoldedInUser(factors: Array(model.userFactors.storage[user * f..<(user + 1) * f]), bias: 0,
                            items: Array(train.ratings.columnIndices[train.ratings.range(ofRow: user)]))
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        factorModel = try FactorModel(parametersIn: a, factors: configuration.factors)
    }
}
