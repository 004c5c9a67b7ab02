import RecKitData
import RecKitLinearAlgebra

/// What the entries of the rating matrix mean to ALS.
public enum ALSFeedback: Sendable, Equatable {
    /// Observed ratings to reconstruct: `min Σ_{(u,i) observed} (r_ui − x_uᵀy_i)² + λ(Σ n_u‖x_u‖² + Σ n_i‖y_i‖²)`
    /// (weighted-λ regularisation, Zhou et al. 2008; `n_u`, `n_i` are the entry counts).
    case explicit
    /// Implicit feedback (Hu, Koren & Volinsky 2008): preference `p_ui = 1{r_ui > 0}`, confidence
    /// `c_ui = 1 + α·r_ui`, over **all** user–item pairs:
    /// `min Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(‖X‖² + ‖Y‖²)`.
    case implicit(alpha: Double)
}

/// How each user's (item's) `f × f` least-squares system is solved.
public enum ALSSolver: Sendable, Equatable {
    /// Form the normal equations and solve them exactly (batched Cholesky).
    case cholesky
    /// Implicit feedback only: a few conjugate-gradient steps warm-started from the previous
    /// factors, with `YᵀY` formed once per sweep and corrections only over the user's entries
    /// (Takács, Pilászy & Tikk 2011; the solver of benfred/implicit).
    case conjugateGradient(steps: Int)
}

/// Options of ``AlternatingLeastSquares``.
public struct ALSOptions: Sendable {
    public var factors = 64
    /// λ (must be > 0 for explicit feedback, ≥ 0 for implicit).
    public var regularization = 0.05
    public var iterations = 15
    public var feedback = ALSFeedback.implicit(alpha: 1)
    public var solver = ALSSolver.conjugateGradient(steps: 3)
    /// Explicit feedback only: also fit a global mean and user and item biases,
    /// `r̂ = μ + b_u + b_i + xᵀy`, the biases regularised like the factors (weighted λ).
    public var biases = false
    /// Standard deviation of the random initial factors (× 1/√factors).
    public var initialScale = 0.1
    public var seed: UInt64 = 0

    public init(factors: Int = 64, regularization: Double = 0.05, iterations: Int = 15, feedback: ALSFeedback = .implicit(alpha: 1),
                solver: ALSSolver = .conjugateGradient(steps: 3), biases: Bool = false, seed: UInt64 = 0) {
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.feedback = feedback
        self.solver = solver
        self.biases = biases
        self.seed = seed
    }
}

/// Factors fitted by ALS, and how the fit went.
public struct ALSFactors<T: Scalar>: Sendable {
    /// `users × f`, row-major.
    public var users: Matrix<T>
    /// `items × f`, row-major.
    public var items: Matrix<T>
    /// `μ`, `b_u`, `b_i` with ``ALSOptions/biases`` (0 and empty otherwise).
    public var globalMean: T = 0
    public var userBias: [T] = []
    public var itemBias: [T] = []
    /// The objective after each iteration (see ``ALSFeedback``).
    public var losses: [Double]
    /// Wall seconds of each iteration (both half-sweeps).
    public var secondsPerIteration: [Double]

    public init(users: Matrix<T>, items: Matrix<T>, globalMean: T = 0, userBias: [T] = [], itemBias: [T] = [],
                losses: [Double] = [], secondsPerIteration: [Double] = []) {
        self.users = users
        self.items = items
        self.globalMean = globalMean
        self.userBias = userBias
        self.itemBias = itemBias
        self.losses = losses
        self.secondsPerIteration = secondsPerIteration
    }
}

/// Alternating least squares for matrix factorisation `R ≈ X·Yᵀ`.
///
/// Each iteration solves for every user with the items fixed, then for every item with the users
/// fixed. Every half-sweep is parallel over users (items), each system solved single-threaded with
/// OpenBLAS held at one thread; `YᵀY` (implicit feedback) is one threaded Gram product. With the
/// Cholesky solver each sweep decreases the objective (each update is an exact minimiser).
public enum AlternatingLeastSquares {
    /// Fits factors to a `users × items` rating matrix.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options or NaN/∞ ratings
    ///   (naming the entry); ``LinearAlgebraError/notPositiveDefinite(operation:order:batchIndex:)``
    ///   naming the user or item whose system is singular, with a hint to raise the regularisation.
    public static func fit(_ ratings: CSRMatrix<Float>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> ALSFactors<Float> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    /// ``fit(_:options:context:progress:)`` in Double.
    public static func fit(_ ratings: CSRMatrix<Double>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> ALSFactors<Double> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    // The two entry points above call this with a concrete type, so the optimiser specialises it
    // and everything it calls (a generic entry point called from another module would run the
    // SIMD kernels through witness tables, ~100× slower).
    static func run<T: Scalar>(_ ratings: CSRMatrix<T>, options: ALSOptions, context: ExecutionContext,
                               progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)?) throws -> ALSFactors<T> {
        let f = options.factors
        guard f >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: factors must be ≥ 1, got \(f)") }
        guard options.iterations >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: iterations must be ≥ 1, got \(options.iterations)") }
        guard options.regularization.isFinite, options.regularization >= 0 else {
            throw LinearAlgebraError.invalidArgument("ALS: regularization must be a finite number ≥ 0, got \(options.regularization)")
        }
        if case .implicit(let alpha) = options.feedback, !(alpha.isFinite && alpha > 0) {
            throw LinearAlgebraError.invalidArgument("ALS: alpha must be a finite number > 0, got \(alpha)")
        }
        if case .conjugateGradient(let steps) = options.solver {
            guard case .implicit = options.feedback else {
                throw LinearAlgebraError.invalidArgument("ALS: the conjugate-gradient solver is for implicit feedback; use the Cholesky solver for explicit ratings")
            }
            guard steps >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: conjugate-gradient steps must be ≥ 1, got \(steps)") }
        }
        if options.biases, case .implicit = options.feedback {
            throw LinearAlgebraError.invalidArgument("ALS: biases are for explicit feedback (implicit feedback models preferences, not rating offsets)")
        }
        guard ratings.rows > 0, ratings.columns > 0, ratings.nonZeroCount > 0 else {
            throw LinearAlgebraError.emptyMatrix(operation: "ALS", shape: ratings.shapeDescription + " with \(ratings.nonZeroCount) entries")
        }
        if let (u, i) = ratings.firstNonFinite {
            throw LinearAlgebraError.invalidArgument("ALS: the rating of user \(u), item \(i) is not finite")
        }
        if case .implicit = options.feedback, let k = ratings.values.firstIndex(where: { $0 < 0 }) {
            let u = ratings.rowOffsets.lastIndex { $0 <= k }!
            throw LinearAlgebraError.invalidArgument("ALS: implicit feedback needs values ≥ 0 (confidence 1 + α·r); user \(u), item \(ratings.columnIndices[k]) has \(ratings.values[k])")
        }
        let byItem = ratings.transposed()
        let scale = T(options.initialScale / Double(f).squareRoot())
        var fit = ALSFactors(users: Matrix<T>.gaussian(rows: ratings.rows, columns: f, seed: options.seed) * scale,
                             items: Matrix<T>.gaussian(rows: ratings.columns, columns: f, seed: options.seed &+ 1) * scale,
                             losses: [], secondsPerIteration: [])
        if options.biases {
            fit.globalMean = T(ratings.values.reduce(0.0) { $0 + $1.doubleValue } / Double(ratings.nonZeroCount))
            fit.userBias = [T](repeating: 0, count: ratings.rows)
            fit.itemBias = [T](repeating: 0, count: ratings.columns)
        }
        let clock = ContinuousClock()
        for iteration in 1...options.iterations {
            let start = clock.now
            if options.biases {
                try solveBiasedSide(ratings, fixed: fit.items, fixedBias: fit.itemBias, mean: fit.globalMean,
                                    into: &fit.users, bias: &fit.userBias, side: "user", options: options, context: context)
                try solveBiasedSide(byItem, fixed: fit.users, fixedBias: fit.userBias, mean: fit.globalMean,
                                    into: &fit.items, bias: &fit.itemBias, side: "item", options: options, context: context)
            } else {
                try solveSide(ratings, fixed: fit.items, into: &fit.users, side: "user", options: options, context: context)
                try solveSide(byItem, fixed: fit.users, into: &fit.items, side: "item", options: options, context: context)
            }
            let s = (clock.now - start).seconds
            let loss = try objective(ratings, fit, options: options, context: context)
            guard loss.isFinite else {
                throw LinearAlgebraError.invalidArgument("ALS: the objective became \(loss) at iteration \(iteration); check the data's scale and raise the regularisation")
            }
            fit.losses.append(loss)
            fit.secondsPerIteration.append(s)
            progress?(iteration, loss, s)
        }
        return fit
    }

    /// Fold-in: the exact factors (and biases) of the users whose interactions are the rows of
    /// `ratings` (`users × items`, the fitted items' indexes), with the fitted item side held fixed —
    /// one exact (Cholesky) solve per row, whatever solver the fit used. A new user, or one whose
    /// history changed, gets factors without refitting. A row without entries gets zeros.
    public static func userFactors(for ratings: CSRMatrix<Float>, fitted: ALSFactors<Float>, options: ALSOptions,
                                   context: ExecutionContext = .current) throws -> (factors: Matrix<Float>, bias: [Float]) {
        guard ratings.columns == fitted.items.rows else {
            throw LinearAlgebraError.shapeMismatch(operation: "ALS fold-in", details: "\(ratings.columns) item columns for \(fitted.items.rows) fitted items")
        }
        if let (u, i) = ratings.firstNonFinite { throw LinearAlgebraError.invalidArgument("ALS fold-in: the rating of row \(u), item \(i) is not finite") }
        var exact = options
        exact.solver = .cholesky
        var x = Matrix<Float>(rows: ratings.rows, columns: fitted.items.columns)
        var bias = [Float](repeating: 0, count: ratings.rows)
        if options.biases {
            try solveBiasedSide(ratings, fixed: fitted.items, fixedBias: fitted.itemBias, mean: fitted.globalMean, into: &x, bias: &bias,
                                side: "user", options: exact, context: context)
        } else {
            try solveSide(ratings, fixed: fitted.items, into: &x, side: "user", options: exact, context: context)
        }
        return (x, bias)
    }

    /// One half-sweep of explicit ALS with biases: `[x_u, b_u]` for every row from targets
    /// `r − μ − b_i` with the other side `[y_i, 1]` fixed — the unbiased solver on augmented factors,
    /// padded with zero columns to a width the register tiles take (the padding solves to 0).
    static func solveBiasedSide<T: Scalar>(_ r: CSRMatrix<T>, fixed y: Matrix<T>, fixedBias: [T], mean: T, into x: inout Matrix<T>,
                                           bias: inout [T], side: String, options: ALSOptions, context: ExecutionContext) throws {
        let f = y.columns, width = (f + 1 + 15) / 16 * 16
        let augmented = Matrix<T>(rows: y.rows, columns: width) { i, t in t < f ? y.storage[i * f + t] : (t == f ? 1 : 0) }
        var targets = r.values
        for u in 0..<r.rows { for p in r.range(ofRow: u) { targets[p] -= mean + fixedBias[Int(r.columnIndices[p])] } }
        let shifted = try CSRMatrix(rows: r.rows, columns: r.columns, rowOffsets: r.rowOffsets, columnIndices: r.columnIndices, values: targets)
        var solved = Matrix<T>(rows: r.rows, columns: width)
        var plain = options
        plain.factors = width
        plain.biases = false
        try solveSide(shifted, fixed: augmented, into: &solved, side: side, options: plain, context: context)
        x = Matrix<T>(rows: r.rows, columns: f) { u, t in solved.storage[u * width + t] }
        bias = (0..<r.rows).map { solved.storage[$0 * width + f] }
    }

    /// Solves for every row of `x` (one per row of `r`) with the other side `y` fixed.
    ///
    /// Rows are independent, so they are split into parts of near-equal estimated cost (entries
    /// plus a per-row term for the `f × f` work), several per thread so that the threads balance
    /// themselves; results do not depend on the split.
    static func solveSide<T: Scalar>(_ r: CSRMatrix<T>, fixed y: Matrix<T>, into x: inout Matrix<T>, side: String,
                                     options: ALSOptions, context: ExecutionContext) throws {
        let f = options.factors
        let lambda = T(options.regularization)
        var alpha: T = 0, implicit = false
        if case .implicit(let a) = options.feedback { implicit = true; alpha = T(a) }
        // Implicit: every system shares G = YᵀY + λI (one threaded Gram product).
        var gram = Matrix<T>(rows: 0, columns: 0)
        if implicit {
            gram = try LinearAlgebra.gram(y, transposeA: true, context: context)
            for d in 0..<f { gram.storage[d * f + d] += lambda }
        }
        var cgSteps: Int?
        if case .conjugateGradient(let steps) = options.solver { cgSteps = steps }
        // A row's f × f work counts as f/4 (CG) or f/3 (Cholesky) entries; eight parts per thread,
        // none smaller than ~4096 entries' worth.
        let perRow = cgSteps != nil ? f / 4 : f / 3
        let parts = r.balancedRowRanges(parts: Swift.min(context.threads * 8, (r.nonZeroCount + r.rows * perRow) / 4096 + 1), perRow: perRow)
        let failure = ALSKernels.solveRows(offsets: r.rowOffsets, indices: r.columnIndices, values: r.values, parts: parts, f: f,
                                           fixed: y.storage, gram: implicit ? gram.storage : nil, lambda: lambda, alpha: alpha,
                                           cgSteps: cgSteps, into: &x.storage, context: context)
        if let (row, order) = failure {
            throw LinearAlgebraError.invalidArgument(
                "ALS: the least-squares system of \(side) \(row) (\(r.rowOffsets[row + 1] - r.rowOffsets[row]) entries) is singular "
                + "in \(T.dtype) (leading minor \(order) of \(f) is not positive); raise the regularization above \(options.regularization)")
        }
        if let row = ALSKernels.firstNonFiniteRow(x.storage, f: f) {
            throw LinearAlgebraError.invalidArgument("ALS: the factors of \(side) \(row) became non-finite; raise the regularization")
        }
    }

    /// The objective of ``ALSFeedback`` for the current factors, accumulated in Double (each
    /// prediction `xᵀy` is a dot product in `T`). Parallel over users in a fixed split. With biases
    /// the prediction is `μ + b_u + b_i + xᵀy` and the biases are penalised like the factors.
    static func objective<T: Scalar>(_ r: CSRMatrix<T>, _ fit: ALSFactors<T>, options: ALSOptions,
                                     context: ExecutionContext) throws -> Double {
        let x = fit.users, y = fit.items, biased = options.biases
        let mean = fit.globalMean.doubleValue
        let bu = fit.userBias.map(\.doubleValue), bi = fit.itemBias.map(\.doubleValue)
        let f = options.factors, lambda = options.regularization
        var alpha = 0.0, implicit = false
        if case .implicit(let a) = options.feedback { implicit = true; alpha = a }
        let parts = r.balancedRowRanges(parts: context.threads, perRow: f / 8)
        var total = ALSKernels.entryLoss(offsets: r.rowOffsets, indices: r.columnIndices, values: r.values, parts: parts, f: f,
                                         x: x.storage, y: y.storage, alpha: implicit ? alpha : nil, lambda: lambda,
                                         biases: biased ? (mean, bu, bi) : nil)
        if implicit {
            // Σ over all pairs of (xᵀy)² = trace((XᵀX)(YᵀY)), plus λ(‖X‖² + ‖Y‖²)
            let xtx = try LinearAlgebra.gram(x, transposeA: true, context: context)
            let yty = try LinearAlgebra.gram(y, transposeA: true, context: context)
            for k in 0..<(f * f) { total += xtx.storage[k].doubleValue * yty.storage[k].doubleValue }
            for k in 0..<f { total += lambda * (xtx.storage[k * f + k].doubleValue + yty.storage[k * f + k].doubleValue) }
        }
        return total
    }
}
