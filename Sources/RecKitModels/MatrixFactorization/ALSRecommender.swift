import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `als`: matrix factorisation by alternating least squares (``AlternatingLeastSquares``).
///
/// - Explicit ratings (the default): `r̂_ui = μ + b_u + b_i + x_uᵀy_i` fitted to the observed
///   ratings with weighted-λ regularisation (Zhou et al. 2008); biases optional. Predicts ratings.
/// - Implicit feedback (`implicit = true`, Hu, Koren & Volinsky 2008): every interaction is a
///   preference 1 with confidence `1 + α·r`, every other pair a preference 0 with confidence 1;
///   scores `x_uᵀy_i` rank items. Solved by conjugate gradient (default) or exactly (Cholesky).
///
/// Fits in Float or Double (``dtype``); the fitted factors are kept in Float for scoring. Beyond
/// the ``Recommender`` protocol: fold-in of new or changed users (``foldIn(items:ratings:)``), similar
/// items and users by cosine (``FoldingIn``), and ``explain(user:item:count:context:)``.
public struct ALSRecommender: FoldingIn {
    public static let name = "als"
    public static let predictsRatings = true

    public var factors = 64
    public var regularization = 0.05
    public var iterations = 15
    /// Implicit feedback instead of explicit ratings.
    public var implicit = false
    /// Confidence slope for implicit feedback: `c = 1 + α·r`.
    public var alpha = 1.0
    /// nil: conjugate gradient for implicit feedback, Cholesky for explicit.
    public var solver: ALSSolver?
    /// Explicit feedback: fit `μ + b_u + b_i` as well.
    public var biases = true
    public var dtype = DType.float
    public var seed: UInt64 = 0

    public private(set) var factorModel: FactorModel?
    /// The objective after each iteration of the last fit, and its seconds per iteration.
    public private(set) var losses: [Double] = []
    public private(set) var secondsPerIteration: [Double] = []

    public init(factors: Int = 64, regularization: Double = 0.05, iterations: Int = 15, implicit: Bool = false, alpha: Double = 1,
                solver: ALSSolver? = nil, biases: Bool = true, dtype: DType = .float, seed: UInt64 = 0) {
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.implicit = implicit
        self.alpha = alpha
        self.solver = solver
        self.biases = biases
        self.dtype = dtype
        self.seed = seed
    }

    public var training: RatingDataset? { factorModel?.training }
    /// Ratings are predicted only by the explicit model; implicit scores are preferences.
    public var ratingPredictor: Bool { !implicit }

    /// The algorithm's options for this model's hyperparameters.
    public var options: ALSOptions {
        ALSOptions(factors: factors, regularization: regularization, iterations: iterations,
                   feedback: implicit ? .implicit(alpha: alpha) : .explicit,
                   solver: solver ?? (implicit ? .conjugateGradient(steps: 3) : .cholesky), biases: biases && !implicit, seed: seed)
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        guard factors >= 1 else { throw ModelError.invalidHyperparameter("als: --factors must be ≥ 1, got \(factors)") }
        let options = self.options, total = iterations
        let report: (Int, Double, Double) -> Void = { i, loss, s in progress?(FitProgress(iteration: i, iterations: total, loss: loss, seconds: s)) }
        let fit: ALSFactors<Float>
        do {
            switch dtype {
            case .float:
                fit = try AlternatingLeastSquares.fit(train.ratings, options: options, context: context, progress: report)
            case .double:
                let d = try AlternatingLeastSquares.fit(train.ratings.converted(to: Double.self), options: options, context: context, progress: report)
                fit = ALSFactors(users: d.users.converted(to: Float.self), items: d.items.converted(to: Float.self),
                                 globalMean: Float(d.globalMean), userBias: d.userBias.map(Float.init), itemBias: d.itemBias.map(Float.init),
                                 losses: d.losses, secondsPerIteration: d.secondsPerIteration)
            }
        } catch let LinearAlgebraError.invalidArgument(message) {
            throw ModelError.invalidHyperparameter(Self.describe(message, train))
        }
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items,
                                      userBias: fit.userBias.isEmpty ? nil : fit.userBias, itemBias: fit.itemBias.isEmpty ? nil : fit.itemBias,
                                      globalBias: fit.globalMean, training: train)
        losses = fit.losses
        secondsPerIteration = fit.secondsPerIteration
    }

    /// The algorithm names users and items by index; the message gets the training ids too.
    static func describe(_ message: String, _ train: RatingDataset) -> String {
        var text = message
        for (word, ids) in [("user", train.userIDs), ("item", train.itemIDs)] {
            if let range = text.range(of: "\(word) "), let end = text[range.upperBound...].firstIndex(where: { !$0.isNumber }),
               let index = Int(text[range.upperBound..<end]), index < ids.count {
                text.replaceSubrange(range.lowerBound..<end, with: "\(word) \(index) (id '\(ids.externalID(index))')")
            }
        }
        return text
    }

    public func predict(user: Int, item: Int) -> Float { factorModel?.predict(user: user, item: item) ?? 0 }

    /// The fitted factors in the algorithm's form.
    var fitted: ALSFactors<Float>? {
        guard let m = factorModel else { return nil }
        let biased = options.biases
        return ALSFactors(users: m.userFactors, items: m.itemFactors, globalMean: m.globalBias,
                          userBias: biased ? m.userBias : [], itemBias: biased ? m.itemBias : [], losses: losses, secondsPerIteration: [])
    }

    /// The user's factors solved exactly from their interactions with the fitted items fixed
    /// (``AlternatingLeastSquares/userFactors(for:fitted:options:context:)``).
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        if implicit, let k = ratings.firstIndex(where: { $0 < 0 }) {
            throw ModelError.invalidHyperparameter("als fold-in: implicit feedback needs values ≥ 0; item \(items[k]) has \(ratings[k])")
        }
        let row = try CSRMatrix<Float>(rows: 1, columns: model.itemFactors.rows, rowOffsets: [0, items.count], columnIndices: items, values: ratings)
        let (x, bias) = try AlternatingLeastSquares.userFactors(for: row, fitted: fitted!, options: options, context: .current)
        return FoldedInUser(factors: x.storage, bias: bias[0], items: items)
    }

    /// How much each of the user's items contributed to the score of `item`, largest first.
    ///
    /// With the item side fixed, the user's exact factors are `x = A⁻¹·Σⱼ cⱼ·yⱼ`, so the score
    /// `yᵢᵀx` splits into one term per interaction `j`: `cⱼ·yᵢᵀA⁻¹yⱼ` (implicit: `A = YᵀY + λI +
    /// Σ α·r·y yᵀ`, `c = 1 + α·r`; explicit: `A = λ·n·I + Σ y yᵀ` over `[y, 1]` with biases, `cⱼ` the
    /// rating's residual `r − μ − b_j`). `score` is that exact score (after a CG fit it can differ
    /// slightly from the model's); `base` is the part no interaction explains (`μ + b_i`).
    public func explain(user: Int, item: Int, count: Int = 10, context: ExecutionContext = .current) throws -> ALSExplanation {
        guard let model = factorModel, let train = model.training else { throw ModelError.notFitted(Self.name) }
        guard user >= 0, user < train.userCount else { throw ModelError.unknownUser("als explain: user index \(user) is outside 0..<\(train.userCount)") }
        guard item >= 0, item < train.itemCount else { throw ModelError.unknownItem("als explain: item index \(item) is outside 0..<\(train.itemCount)") }
        let r = train.ratings, q = model.itemFactors, f = q.columns
        let width = options.biases ? f + 1 : f
        func vector(_ i: Int) -> [Double] { (0..<f).map { Double(q.storage[i * f + $0]) } + (options.biases ? [1] : []) }
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
                                                    : (1, v - (options.biases ? Double(model.globalBias + model.itemBias[j]) : 0))
            for s in 0..<width { for t in 0..<width { a[s, t] += w * y[s] * y[t] } }
            weights.append((j, c, y))
        }
        let target = vector(item)
        let z: Matrix<Double>
        do {
            z = try LinearAlgebra.solvePositiveDefinite(a, Matrix(rows: width, columns: 1, elements: target), context: context)
        } catch {
            throw ModelError.invalidHyperparameter("als explain: the user's system is singular; the model needs more regularization (\(error))")
        }
        var parts = weights.map { w in (item: w.item, contribution: w.c * (0..<width).reduce(0.0) { $0 + z.storage[$1] * w.y[$1] }) }
        let base = options.biases ? Double(model.globalBias + model.itemBias[item]) : 0
        let score = base + parts.reduce(0) { $0 + $1.contribution }
        parts.sort { $0.contribution != $1.contribution ? $0.contribution > $1.contribution : $0.item < $1.item }
        return ALSExplanation(score: score, base: base, contributions: Array(parts.prefix(Swift.max(0, count))))
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(Self.name) }
        var a = try factorModel.archive()
        a.model = Self.name
        a.hyperparameters["factors"] = Double(factors)
        a.hyperparameters["regularization"] = regularization
        a.hyperparameters["iterations"] = Double(iterations)
        a.hyperparameters["implicit"] = implicit ? 1 : 0
        a.hyperparameters["alpha"] = alpha
        a.hyperparameters["solver"] = Self.code(solver)
        if case .conjugateGradient(let steps) = options.solver { a.hyperparameters["cg-steps"] = Double(steps) }
        a.hyperparameters["biases"] = biases ? 1 : 0
        a.hyperparameters["double"] = dtype == .double ? 1 : 0
        a.hyperparameters["seed"] = Double(seed)
        a.doubles["losses"] = losses
        a.doubles["seconds_per_iteration"] = secondsPerIteration
        return a
    }

    public init(archive a: ModelArchive) throws {
        factorModel = try FactorModel(archive: a, savedAs: Self.name)
        let h = a.hyperparameters
        factors = Int(h["factors"] ?? 0)
        regularization = h["regularization"] ?? 0
        iterations = Int(h["iterations"] ?? 0)
        implicit = h["implicit"] == 1
        alpha = h["alpha"] ?? 1
        solver = try Self.solver(code: h["solver"] ?? 0, cgSteps: Int(h["cg-steps"] ?? 3))
        biases = h["biases"] == 1
        dtype = h["double"] == 1 ? .double : .float
        seed = UInt64(h["seed"] ?? 0)
        losses = a.doubles["losses"] ?? []
        secondsPerIteration = a.doubles["seconds_per_iteration"] ?? []
    }

    /// The `solver` hyperparameter: 0 automatic, 1 Cholesky, 2 conjugate gradient.
    static func solver(code: Double, cgSteps: Int) throws -> ALSSolver? {
        switch code {
        case 0: return nil
        case 1: return .cholesky
        case 2: return .conjugateGradient(steps: cgSteps)
        default: throw ModelError.invalidHyperparameter("als: solver must be 0 (automatic), 1 (cholesky) or 2 (cg), got \(code)")
        }
    }

    static func code(_ solver: ALSSolver?) -> Double {
        switch solver {
        case nil: return 0
        case .cholesky: return 1
        case .conjugateGradient: return 2
        }
    }
}

/// What ``ALSRecommender/explain(user:item:count:context:)`` returns.
public struct ALSExplanation: Sendable {
    /// The exact score of the item for the user (`base + Σ contributions` over all interactions).
    public var score: Double
    /// The part of the score no interaction explains (`μ + b_i` with biases, else 0).
    public var base: Double
    /// The user's items with their shares of the score, largest first (at most the count asked).
    public var contributions: [(item: Int, contribution: Double)]
}
