import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Which truncated-SVD solver a model fits with (see ``SingularValues``).
public enum SVDSolver: String, Sendable, CaseIterable {
    case lanczos, randomized
}

/// How a fitted SVD model's decomposition went: what ``TruncatedSVD`` reports, kept with the model.
public struct SVDFitReport: Sendable, Equatable {
    public var singularValues: [Double]
    public var maxRelativeResidual: Double
    public var converged: Bool
    public var seconds: Double
}

/// The truncated SVD `R ≈ U_k Σ_k V_kᵀ` of a sparse matrix in Double, as factors for scoring:
/// user factors `P = R·V_k = U_k Σ_k`, item factors `Q = V_k` (in Float, the precision scores use).
func svdFactors(_ r: CSRMatrix<Double>, rank k: Int, solver: SVDSolver, seed: UInt64,
                context: ExecutionContext) throws -> (p: Matrix<Float>, q: Matrix<Float>, report: SVDFitReport) {
    let clock = ContinuousClock(), start = clock.now
    let op = SparseOperator(r)
    let svd = solver == .lanczos
        ? try SingularValues.lanczos(op, rank: k, options: LanczosSVDOptions(seed: seed), context: context)
        : try SingularValues.randomized(op, rank: k, options: RandomizedSVDOptions(seed: seed), context: context)
    let users = r.rows, items = r.columns
    let p = Matrix<Float>(rows: users, columns: k) { u, t in Float(svd.u.storage[u * k + t] * svd.singularValues[t]) }
    let q = Matrix<Float>(rows: items, columns: k) { i, t in Float(svd.vt.storage[t * items + i]) }
    let report = SVDFitReport(singularValues: svd.singularValues, maxRelativeResidual: svd.maxRelativeResidual,
                              converged: svd.converged, seconds: (clock.now - start).seconds)
    return (p, q, report)
}

/// `pure-svd`: PureSVD (Cremonesi, Koren & Turrin, RecSys 2010) for top-N ranking. The training
/// matrix, missing entries taken as zero, is factored by a truncated SVD `R ≈ U Σ Vᵀ`; a user's
/// scores are their rating row projected on the top item directions, `r_u·V·Vᵀ`, which is
/// `p_u·q_i` with `P = UΣ`, `Q = V`. Not a rating predictor: scores are on no rating scale.
///
/// A user outside the training data is scored by fold-in: `p = r·V` from their ratings.
public struct PureSVD: FoldingIn {
    public static let name = "pure-svd"
    public static let predictsRatings = false
    /// Rank k of the decomposition. The default was chosen by NDCG@10 on validation splits of
    /// ML-100k's ua/ub.base (Cremonesi et al. report 50 on their MovieLens setting).
    public var factors = 20
    public var solver = SVDSolver.lanczos
    public var seed: UInt64 = 0
    public private(set) var factorModel: FactorModel?
    public private(set) var report: SVDFitReport?

    public init(factors: Int = 20, solver: SVDSolver = .lanczos, seed: UInt64 = 0) {
        self.factors = factors
        self.solver = solver
        self.seed = seed
    }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        try checkRank(factors, train, Self.name)
        let (p, q, report) = try svdFactors(train.ratings.converted(to: Double.self), rank: factors, solver: solver, seed: seed, context: context)
        factorModel = try FactorModel(userFactors: p, itemFactors: q, training: train)
        self.report = report
        progress?(FitProgress(iteration: 1, iterations: 1, loss: nil, seconds: report.seconds))
    }

    public func predict(user: Int, item: Int) -> Float { factorModel?.predict(user: user, item: item) ?? 0 }

    /// `p = r·V`: the user's ratings projected on the item factors.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return FoldedInUser(factors: project(items, weights: ratings, on: model), bias: 0, items: items)
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(Self.name) }
        var a = try factorModel.archive()
        a.model = Self.name
        a.hyperparameters["factors"] = Double(factors)
        a.hyperparameters["randomized"] = solver == .randomized ? 1 : 0
        a.hyperparameters["seed"] = Double(seed)
        return a
    }

    public init(archive a: ModelArchive) throws {
        factorModel = try FactorModel(archive: a, savedAs: Self.name)
        factors = Int(a.hyperparameters["factors"] ?? 0)
        solver = a.hyperparameters["randomized"] == 1 ? .randomized : .lanczos
        seed = UInt64(a.hyperparameters["seed"] ?? 0)
    }
}

/// `svd-residual`: a rating predictor from the truncated SVD of the baseline residuals. The
/// baseline `b_ui = μ + b_u + b_i` (``BiasBaseline``) is fitted first; missing ratings are imputed
/// by the baseline, so the residual matrix `r_ui − b_ui` is zero there and stays sparse; its rank-k
/// SVD `U Σ Vᵀ` gives
///
/// ```
/// r̂_ui = clip(μ + b_u + b_i + p_u·q_i),   P = UΣ, Q = V
/// ```
/// Fold-in of a new user: `b_u` from the baseline's user step, then `p = (r − μ − b_u − b)·V`.
public struct SVDResidual: FoldingIn {
    public static let name = "svd-residual"
    public static let predictsRatings = true
    /// Rank of the residual decomposition. The default was chosen on validation splits of
    /// ML-100k's u1…u5.base (docs/results.md has the command).
    public var factors = 8
    public var baseline = BiasBaseline()
    public var solver = SVDSolver.lanczos
    public var seed: UInt64 = 0
    public private(set) var factorModel: FactorModel?
    public private(set) var report: SVDFitReport?
    var scale: ClosedRange<Float> = 0...0

    public init(factors: Int = 8, baseline: BiasBaseline = BiasBaseline(), solver: SVDSolver = .lanczos, seed: UInt64 = 0) {
        self.factors = factors
        self.baseline = baseline
        self.solver = solver
        self.seed = seed
    }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        try checkRank(factors, train, Self.name)
        var base = baseline
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
        let (p, q, report) = try svdFactors(residuals, rank: factors, solver: solver, seed: seed, context: context)
        factorModel = try FactorModel(userFactors: p, itemFactors: q, userBias: base.userBias, itemBias: base.itemBias,
                                      globalBias: base.mean, training: train)
        baseline = base
        scale = (r.values.min() ?? 0)...(r.values.max() ?? 0)
        self.report = report
        progress?(FitProgress(iteration: 1, iterations: 1, loss: nil, seconds: report.seconds))
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// The rating predicted for a folded-in user, clipped to the training scale.
    public func predict(_ user: FoldedInUser, item: Int) throws -> Float {
        guard let factorModel else { throw ModelError.notFitted(Self.name) }
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
        let bias = Float(deviation / (Double(baseline.regularizationUser) + Double(items.count)))
        let residuals = zip(items, ratings).map { item, r in r - model.globalBias - bias - model.itemBias[Int(item)] }
        return FoldedInUser(factors: project(items, weights: residuals, on: model), bias: bias, items: items)
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(Self.name) }
        var a = try factorModel.archive()
        a.model = Self.name
        a.hyperparameters["factors"] = Double(factors)
        a.hyperparameters["randomized"] = solver == .randomized ? 1 : 0
        a.hyperparameters["seed"] = Double(seed)
        a.hyperparameters["epochs"] = Double(baseline.epochs)
        a.hyperparameters["regularization-user"] = Double(baseline.regularizationUser)
        a.hyperparameters["regularization-item"] = Double(baseline.regularizationItem)
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        return a
    }

    public init(archive a: ModelArchive) throws {
        factorModel = try FactorModel(archive: a, savedAs: Self.name)
        factors = Int(a.hyperparameters["factors"] ?? 0)
        solver = a.hyperparameters["randomized"] == 1 ? .randomized : .lanczos
        seed = UInt64(a.hyperparameters["seed"] ?? 0)
        baseline = BiasBaseline(epochs: Int(a.hyperparameters["epochs"] ?? 30),
                                regularizationUser: Float(a.hyperparameters["regularization-user"] ?? 5),
                                regularizationItem: Float(a.hyperparameters["regularization-item"] ?? 2))
        let s = try a.floats("scale", count: 2)
        scale = s[0]...s[1]
    }
}

/// A rank must be at least 1 and at most min(users, items) of the training data.
func checkRank(_ k: Int, _ train: RatingDataset, _ model: String) throws {
    let limit = Swift.min(train.userCount, train.itemCount)
    guard k >= 1, k <= limit else {
        throw ModelError.invalidHyperparameter("\(model): --factors must be in 1…\(limit) (min of \(train.userCount) users and \(train.itemCount) items), got \(k)")
    }
}
