import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `svd-residual`: a rating predictor from the truncated SVD of the baseline residuals. The
/// baseline `b_ui = μ + b_u + b_i` (``BiasBaseline``) is fitted first; missing ratings are imputed
/// by the baseline, so the residual matrix `r_ui − b_ui` is zero there and stays sparse; its rank-k
/// SVD `U Σ Vᵀ` gives
///
/// ```
/// r̂_ui = clip(μ + b_u + b_i + p_u·q_i),   P = UΣ, Q = V
/// ```
/// Fold-in of a new user: `b_u` from the baseline's user step, then `p = (r − μ − b_u − b)·V` — for a
/// training user's own ratings exactly their fitted `b_u` and `p_u` (``refitUser(_:context:)``).
public struct SVDResidual: FoldingIn {
    public static let name = "svd-residual"
    public static let summary = "baseline + truncated SVD of its residuals (missing = baseline)"
    public static let predictsRatings = true
    public let configuration: SVDResidualConfiguration
    public private(set) var factorModel: FactorModel?
    public private(set) var report: SVDFitReport?
    var scale: ClosedRange<Float> = 0...0

    public init(_ configuration: SVDResidualConfiguration = SVDResidualConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context)
        try checkRank(c.factors, train, Self.name)
        var base = BiasBaseline(c.baseline)
        try base.fit(train, context: context, progress: nil)
        let r = train.ratings
        var residual = [Double](repeating: 0, count: r.nonZeroCount)
        for u in 0..<r.rows {
            for k in r.range(ofRow: u) {
                let i = Int(r.columnIndices[k])
                residual[k] = Double(r.values[k]) - Double(base.mean) - Double(base.userBias[u]) - Double(base.itemBias[i])
            }
        }
        let residuals = try CSRMatrix<Double>(rows: r.rows, columns: r.columns, rowOffsets: r.rowOffsets, columnIndices: r.columnIndices, values: residual)
        let (p, q, report) = try translatingErrors(train) {
            try svdFactors(residuals, rank: c.factors, solver: c.solver, seed: c.seed, context: context)
        }
        factorModel = try FactorModel(userFactors: p, itemFactors: q, userBias: base.userBias, itemBias: base.itemBias,
                                      globalBias: base.mean, training: train)
        scale = (r.values.min() ?? 0)...(r.values.max() ?? 0)
        self.report = report
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: report.seconds))
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// The rating predicted for a folded-in user, clipped to the training scale.
    public func predict(_ user: FoldedInUser, item: Int) throws -> Float {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        let f = factorModel.itemFactors.columns
        var s = factorModel.globalBias + user.bias + factorModel.itemBias[item]
        for t in 0..<f { s += user.factors[t] * factorModel.itemFactors.storage[item * f + t] }
        return scale.clamping(s)
    }

    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        // The baseline's user step with the fitted item biases.
        var deviation = 0.0
        for (item, r) in zip(items, ratings) { deviation += Double(r) - Double(model.globalBias) - Double(model.itemBias[Int(item)]) }
        let bias = Float(deviation / (configuration.baseline.regularizationUser + Double(items.count)))
        let residuals = zip(items, ratings).map { item, r in r - model.globalBias - bias - model.itemBias[Int(item)] }
        return FoldedInUser(factors: project(items, weights: residuals, on: model), bias: bias, items: items)
    }

    /// The fitted `b_u` (the baseline's last user step) and `p_u` (the projection of the residuals).
    public func refitUser(_ user: Int, context: ExecutionContext) throws -> FoldedInUser? {
        guard let model = factorModel, let train = model.training else { throw ModelError.notFitted(model: Self.name) }
        let f = model.userFactors.columns
        return FoldedInUser(factors: Array(model.userFactors.storage[user * f..<(user + 1) * f]), bias: model.userBias[user],
                            items: Array(train.ratings.columnIndices[train.ratings.range(ofRow: user)]))
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        factorModel = try FactorModel(parametersIn: a, factors: configuration.factors)
        scale = try a.range("scale")
    }
}
