import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `bpr`: Bayesian personalised ranking (``BayesianPersonalizedRanking``) on implicit feedback:
/// every training interaction (optionally only ratings ≥ ``BPRConfiguration/minimumRating``) is a positive; scores
/// `p_u·q_i + b_i` rank items. A ranking model: it does not estimate ratings.
public struct BPRRecommender: FoldingIn {
    public static let name = "bpr"
    public static let summary = "Bayesian personalised ranking on implicit feedback, by parallel SGD"
    public static let predictsRatings = false

    public let configuration: BPRConfiguration
    public private(set) var factorModel: FactorModel?
    public private(set) var losses: [Double] = []
    /// Share of sampled triples ranked correctly before their update, per epoch.
    public private(set) var accuracy: [Double] = []

    public init(_ configuration: BPRConfiguration = BPRConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context), options = c.baseOptions, minimumRating = Float(c.minimumRating)
        var positives = train.ratings
        if minimumRating > 0 {
            let keep = positives.values.map { $0 >= minimumRating }
            var offsets = [0], columns: [Int32] = [], values: [Float] = []
            for u in 0..<positives.rows {
                for p in positives.range(ofRow: u) where keep[p] { columns.append(positives.columnIndices[p]); values.append(1) }
                offsets.append(columns.count)
            }
            positives = try CSRMatrix(rows: positives.rows, columns: positives.columns, rowOffsets: offsets, columnIndices: columns, values: values)
        }
        let fit = try translatingErrors(train) {
            try BayesianPersonalizedRanking.fit(positives, options: options, context: context, progress: progress)
        }
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items, itemBias: fit.itemBias, training: train)
        losses = fit.losses
        accuracy = fit.accuracy
    }

    /// BPR ranks; this returns the score `p_u·q_i + b_i`.
    public func predict(user: Int, item: Int) -> Float { factorModel?.predict(user: user, item: item) ?? 0 }

    /// A new user's factors: the least-squares fit of score 1 on their items and 0 elsewhere is not
    /// BPR's objective, so fold-in uses the ridge solution on their items' factors with target 1
    /// (minus the item bias), λ scaled by their item count — a projection into the ranking space.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, _) = try validatedFoldIn(items: items, ratings: ratings)
        var user = try model.ridgeFoldIn(items: items, ratings: items.map { _ in 1 }, regularization: configuration.regularization, unit: .raw, model: Self.name)
        user.bias = 0
        return user
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.doubles["losses"] = losses
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        factorModel = try FactorModel(parametersIn: a, factors: configuration.factors)
        losses = a.doubles["losses"] ?? []
    }
}
