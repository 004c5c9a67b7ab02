import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `als`: matrix factorisation by alternating least squares (``AlternatingLeastSquares``).
///
/// - Explicit ratings (the default): `r̂_ui = μ + b_u + b_i + x_uᵀy_i` fitted to the observed
///   ratings with weighted-λ regularisation (Zhou et al. 2008); biases optional. Predicts ratings.
///   Fitted in units of the ratings' spread ÷ 4 (``RatingUnit``), so λ means the same on any scale.
/// - Implicit feedback (`implicit = true`, Hu, Koren & Volinsky 2008): every interaction is a
///   preference 1 with confidence `1 + α·r`, every other pair a preference 0 with confidence 1;
///   scores `x_uᵀy_i` rank items. Solved by conjugate gradient (default) or exactly (Cholesky).
///
/// Fits in Float or Double (``ALSConfiguration/precision``); the fitted factors are kept in Float for scoring. Beyond
/// the ``Recommender`` protocol: fold-in of new or changed users (``foldIn(items:ratings:)``), similar
/// items and users by cosine (``FoldingIn``), and ``explain(user:item:count:context:)``.
public struct ALSRecommender: FoldingIn {
    public static let name = "als"
    public static let summary = "alternating least squares: explicit ratings (weighted λ, biases) or implicit feedback (confidence 1 + α·r)"
    public static let predictsRatings = true

    public let configuration: ALSConfiguration
    public private(set) var factorModel: FactorModel?
    /// The objective after each iteration of the last fit, and its seconds per iteration.
    public private(set) var losses: [Double] = []
    public private(set) var secondsPerIteration: [Double] = []
    /// Shared by fold-ins of this fit.
    private var foldInCache = ALSFoldInCache()

    public init(_ configuration: ALSConfiguration = ALSConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }
    /// Ratings are predicted only by the explicit model; implicit scores are preferences.
    public var ratingPredictor: Bool { !configuration.implicit }
    var options: ALSOptions { configuration.options }
    /// The unit explicit ratings were fitted in, which fold-in, explanations and the serving
    /// posterior work in too (the raw values for implicit feedback and before a fit). Set by the
    /// fit or the load: deriving it reads every training rating.
    public private(set) var ratingUnit = RatingUnit.raw

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context), options = c.options
        foldInCache = ALSFoldInCache()
        let unit = c.ratingUnit(for: train.ratingScale), ratings = unit.ratings(train.ratings)
        let inUnit: ALSFactors<Float> = try translatingErrors(train) {
            switch c.precision {
            case .float:
                return try AlternatingLeastSquares.fit(ratings, options: options, context: context, progress: progress)
            case .double:
                let d = try AlternatingLeastSquares.fit(ratings.converted(to: Double.self), options: options, context: context, progress: progress)
                return ALSFactors(users: d.users.converted(to: Float.self), items: d.items.converted(to: Float.self),
                                  globalMean: Float(d.globalMean), userBias: d.userBias.map(Float.init), itemBias: d.itemBias.map(Float.init),
                                  losses: d.losses, secondsPerIteration: d.secondsPerIteration)
            }
        }
        let fit = unit.restoring(inUnit)
        ratingUnit = unit
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items,
                                      userBias: fit.userBias.isEmpty ? nil : fit.userBias, itemBias: fit.itemBias.isEmpty ? nil : fit.itemBias,
                                      globalBias: fit.globalMean, training: train)
        losses = fit.losses
        secondsPerIteration = fit.secondsPerIteration
    }

    public func predict(user: Int, item: Int) -> Float { factorModel?.predict(user: user, item: item) ?? 0 }

    /// The fitted factors in the algorithm's form, in the fitted unit (what the user step works in;
    /// converted once per fit).
    var fitted: ALSFactors<Float>? {
        guard let m = factorModel else { return nil }
        let biased = options.biases, unit = ratingUnit
        let raw = ALSFactors(users: m.userFactors, items: m.itemFactors, globalMean: m.globalBias,
                             userBias: biased ? m.userBias : [], itemBias: biased ? m.itemBias : [], losses: losses, secondsPerIteration: [])
        return unit.isIdentity ? raw : foldInCache.fittedInUnit { unit.converting(raw) }
    }

    /// The user's factors solved exactly from their interactions with the fitted items fixed
    /// (``AlternatingLeastSquares/userFactors(for:fitted:options:context:)``).
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        if configuration.implicit, let k = ratings.firstIndex(where: { $0 < 0 }) {
            throw ModelError.invalidInput(model: Self.name, operation: "fold-in", reason: "implicit feedback needs values ≥ 0; item index \(items[k]) has \(ratings[k])")
        }
        let unit = ratingUnit
        let row = try CSRMatrix<Float>(rows: 1, columns: model.itemFactors.rows, rowOffsets: [0, items.count], columnIndices: items,
                                       values: unit.ratings(ratings))
        do {
            let fitted = fitted!
            let gram = configuration.implicit ? try foldInCache.implicitGram(fitted, options: options) : nil
            let (x, bias) = try AlternatingLeastSquares.userFactors(for: row, fitted: fitted, options: options, implicitGram: gram, context: .current)
            return unit.restoring(FoldedInUser(factors: x.storage, bias: bias[0], items: items))
        } catch let error as AlgorithmError {
            throw ModelError.invalidInput(model: Self.name, operation: "fold-in", reason: error.description)
        }
    }

    /// The exact user step of the ALS objective for training user `user` with the fitted item side
    /// fixed, computed with every training user's row at once (the half-sweep a further iteration
    /// would run).
    public func refitUser(_ user: Int, context: ExecutionContext) throws -> FoldedInUser? {
        guard let model = factorModel, let train = model.training, let fitted else { throw ModelError.notFitted(model: Self.name) }
        guard user >= 0, user < train.userCount else { throw ModelError.unknownUser(model: Self.name, user: "index \(user)") }
        let unit = ratingUnit
        let (x, bias) = try translatingErrors(train) {
            try AlternatingLeastSquares.userFactors(for: unit.ratings(train.ratings), fitted: fitted, options: options, context: context)
        }
        let f = x.columns
        return unit.restoring(FoldedInUser(factors: Array(x.storage[user * f..<(user + 1) * f]), bias: bias[user],
                                           items: Array(train.ratings.columnIndices[train.ratings.range(ofRow: user)])))
    }

    /// How much each of the user's items contributed to the score of `item`, largest first.
    ///
    /// With the item side fixed, the user's exact factors are `x = A⁻¹·Σⱼ cⱼ·yⱼ`, so the score
    /// `yᵢᵀx` splits into one term per interaction `j`: `cⱼ·yᵢᵀA⁻¹yⱼ` (implicit: `A = YᵀY + λI +
    /// Σ α·r·y yᵀ`, `c = 1 + α·r`; explicit: `A = λ·n·I + Σ y yᵀ` over `[y, 1]` with biases, `cⱼ` the
    /// rating's residual `r − μ − b_j`), computed in the fitted unit (``ratingUnit``) and reported in
    /// the ratings' units. `score` is that exact score (after a CG fit it can differ slightly from
    /// the model's); `base` is the part no interaction explains (`μ + b_i`).
    public func explain(user: Int, item: Int, count: Int = 10, context: ExecutionContext = .current) throws -> ALSExplanation {
        guard let model = factorModel, let train = model.training else { throw ModelError.notFitted(model: Self.name) }
        guard user >= 0, user < train.userCount else { throw ModelError.unknownUser(model: Self.name, user: "index \(user) (the training data has \(train.userCount) users)") }
        guard item >= 0, item < train.itemCount else { throw ModelError.unknownItem(model: Self.name, item: "index \(item) (the training data has \(train.itemCount) items)") }
        let implicit = configuration.implicit, regularization = configuration.regularization, alpha = configuration.alpha
        let r = train.ratings, q = model.itemFactors, f = q.columns
        let width = options.biases ? f + 1 : f
        // In the fitted unit u: factors ÷ √u, residuals ÷ u; each contribution × u back.
        let u = Double(ratingUnit.factor), root = u.squareRoot()
        func vector(_ i: Int) -> [Double] { (0..<f).map { Double(q.storage[i * f + $0]) / root } + (options.biases ? [1] : []) }
        var a = Matrix<Double>(rows: width, columns: width)
        if implicit {
            let g = try LinearAlgebra.gram(q.converted(to: Double.self), transposeA: true, context: context)
            for s in 0..<f { for t in 0..<f { a[s, t] = g[s, t] } ; a[s, s] += regularization }
        } else {
            for s in 0..<width { a[s, s] = regularization * Double(r.count(ofRow: user)) }
        }
        var weights: [(item: Int, c: Double, y: [Double])] = []
        for p in r.range(ofRow: user) {
            let j = Int(r.columnIndices[p]), v = Double(r.values[p]), y = vector(j)
            let (w, c): (Double, Double) = implicit ? (alpha * v, v > 0 ? 1 + alpha * v : 0)
                                                    : (1, (v - (options.biases ? Double(model.globalBias + model.itemBias[j]) : 0)) / u)
            for s in 0..<width { for t in 0..<width { a[s, t] += w * y[s] * y[t] } }
            weights.append((j, c, y))
        }
        let target = vector(item)
        let z: Matrix<Double>
        do {
            z = try LinearAlgebra.solvePositiveDefinite(a, Matrix(rows: width, columns: 1, elements: target), context: context)
        } catch {
            throw ModelError.invalidInput(model: Self.name, operation: "explain",
                                          reason: "the user's system is singular; the model needs more regularization (\(error))")
        }
        var parts = weights.map { w in (item: w.item, contribution: u * w.c * (0..<width).reduce(0.0) { $0 + z.storage[$1] * w.y[$1] }) }
        let base = options.biases ? Double(model.globalBias + model.itemBias[item]) : 0
        let score = base + parts.reduce(0) { $0 + $1.contribution }
        parts.sort { $0.contribution != $1.contribution ? $0.contribution > $1.contribution : $0.item < $1.item }
        return ALSExplanation(score: score, base: base, contributions: Array(parts.prefix(Swift.max(0, count))))
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.doubles["losses"] = losses
        a.doubles["seconds_per_iteration"] = secondsPerIteration
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        factorModel = try FactorModel(parametersIn: a, factors: configuration.factors)
        ratingUnit = factorModel?.training.map { configuration.ratingUnit(for: $0.ratingScale) } ?? .raw
        losses = a.doubles["losses"] ?? []
        secondsPerIteration = a.doubles["seconds_per_iteration"] ?? []
    }
}
