import RecKitData
import RecKitLinearAlgebra

/// Alternating least squares for matrix factorisation `R ≈ X·Yᵀ`.
///
/// Each iteration solves for every user with the items fixed, then for every item with the users
/// fixed. Every half-sweep is parallel over users (items), each system solved single-threaded with
/// OpenBLAS held at one thread; `YᵀY` (implicit feedback) is one threaded Gram product. With the
/// Cholesky solver each sweep decreases the objective (each update is an exact minimiser).
public enum AlternatingLeastSquares {
    /// Fits factors to a `users × items` rating matrix.
    /// - Parameter progress: after each iteration (its seconds leave out computing the objective).
    /// - Throws: ``AlgorithmError``: impossible options, empty input, NaN/∞ ratings (naming the
    ///   entry), ``AlgorithmError/singularSystem(algorithm:side:index:entries:minor:order:precision:hint:)``
    ///   naming the user or item whose system is singular, or a diverged objective.
    public static func fit(_ ratings: CSRMatrix<Float>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> ALSFactors<Float> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    /// ``fit(_:options:context:progress:)`` in Double.
    public static func fit(_ ratings: CSRMatrix<Double>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> ALSFactors<Double> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    // The two entry points above call this with a concrete type, so the optimiser specialises it
    // and everything it calls (a generic entry point called from another module would run the
    // SIMD kernels through witness tables, ~100× slower).
    static func run<T: Scalar>(_ ratings: CSRMatrix<T>, options: ALSOptions, context: ExecutionContext,
                               progress: ((TrainingProgress) -> Void)?) throws -> ALSFactors<T> {
        try options.validate()
        guard ratings.rows > 0, ratings.columns > 0, ratings.nonZeroCount > 0 else {
            throw AlgorithmError.emptyInput(algorithm: "ALS", details: ratings.shapeDescription + " with \(ratings.nonZeroCount) entries")
        }
        if let (u, i) = ratings.firstNonFinite { throw AlgorithmError.nonFiniteInput(algorithm: "ALS", row: u, column: i) }
        if case .implicit = options.feedback, let k = ratings.values.firstIndex(where: { $0 < 0 }) {
            let u = ratings.rowOffsets.lastIndex { $0 <= k }!
            throw AlgorithmError.invalidInput(algorithm: "ALS", row: u, column: Int(ratings.columnIndices[k]),
                                              reason: "implicit feedback needs values ≥ 0 (confidence 1 + α·r), got \(ratings.values[k])")
        }
        let byItem = ratings.transposed()
        let start: (users: Matrix<T>, items: Matrix<T>) = initial(users: ratings.rows, items: ratings.columns, options: options)
        var fit = ALSFactors(users: start.users, items: start.items, losses: [], secondsPerIteration: [])
        if options.biases {
            fit.globalMean = T(ratings.values.reduce(0.0) { $0 + $1.doubleValue } / Double(ratings.nonZeroCount))
            fit.userBias = [T](repeating: 0, count: ratings.rows)
            fit.itemBias = [T](repeating: 0, count: ratings.columns)
        }
        let clock = ContinuousClock()
        let run = try EpochRunner.run("ALS", epochs: options.iterations, state: &fit,
                                      divergence: .init(hint: "Check the data's scale and raise the regularization."),
                                      progress: progress) { _, fit in
            let start = clock.now
            if options.biases {
                try solveBiasedSide(ratings, fixed: fit.items, fixedBias: fit.itemBias, mean: fit.globalMean,
                                    into: &fit.users, bias: &fit.userBias, side: .user, options: options, context: context)
                try solveBiasedSide(byItem, fixed: fit.users, fixedBias: fit.userBias, mean: fit.globalMean,
                                    into: &fit.items, bias: &fit.itemBias, side: .item, options: options, context: context)
            } else {
                try solveSide(ratings, fixed: fit.items, into: &fit.users, side: .user, options: options, context: context)
                try solveSide(byItem, fixed: fit.users, into: &fit.items, side: .item, options: options, context: context)
            }
            // The sweeps' time, without computing the objective.
            let seconds = (clock.now - start).seconds
            return EpochRunner.EpochResult(loss: try objective(ratings, fit, options: options, context: context), seconds: seconds)
        }
        fit.losses = run.losses
        fit.secondsPerIteration = run.seconds
        return fit
    }

    /// Fold-in: the exact factors (and biases) of the users whose interactions are the rows of
    /// `ratings` (`users × items`, the fitted items' indexes), with the fitted item side held fixed —
    /// one exact (Cholesky) solve per row, whatever solver the fit used. A new user, or one whose
    /// history changed, gets factors without refitting. A row without entries gets zeros.
    ///
    /// `implicitGram`, for implicit feedback, is ``implicitGram(_:options:context:)`` of the same
    /// fit, computed once for many fold-ins (otherwise each call computes `YᵀY`).
    public static func userFactors(for ratings: CSRMatrix<Float>, fitted: ALSFactors<Float>, options: ALSOptions,
                                   implicitGram: Matrix<Float>? = nil,
                                   context: ExecutionContext = .current) throws -> (factors: Matrix<Float>, bias: [Float]) {
        guard ratings.columns == fitted.items.rows else {
            throw AlgorithmError.shapeMismatch(algorithm: "ALS fold-in", details: "\(ratings.columns) item columns for \(fitted.items.rows) fitted items")
        }
        if let (u, i) = ratings.firstNonFinite { throw AlgorithmError.nonFiniteInput(algorithm: "ALS fold-in", row: u, column: i) }
        var exact = options
        exact.solver = .cholesky
        var x = Matrix<Float>(rows: ratings.rows, columns: fitted.items.columns)
        var bias = [Float](repeating: 0, count: ratings.rows)
        if options.biases {
            try solveBiasedSide(ratings, fixed: fitted.items, fixedBias: fitted.itemBias, mean: fitted.globalMean, into: &x, bias: &bias,
                                side: .user, options: exact, context: context)
        } else {
            try solveSide(ratings, fixed: fitted.items, into: &x, side: .user, options: exact, gram: implicitGram, context: context)
        }
        return (x, bias)
    }

    /// `YᵀY + λI` of the fitted items, the matrix every implicit user step shares.
    public static func implicitGram(_ fitted: ALSFactors<Float>, options: ALSOptions, context: ExecutionContext = .current) throws -> Matrix<Float> {
        var gram = try LinearAlgebra.gram(fitted.items, transposeA: true, context: context)
        let f = gram.columns
        for d in 0..<f { gram.storage[d * f + d] += Float(options.regularization) }
        return gram
    }

    /// One half-sweep of explicit ALS with biases: `[x_u, b_u]` for every row from targets
    /// `r − μ − b_i` with the other side `[y_i, 1]` fixed — the unbiased solver on augmented factors,
    /// padded with zero columns to a width the register tiles take (the padding solves to 0).
    static func solveBiasedSide<T: Scalar>(_ r: CSRMatrix<T>, fixed y: Matrix<T>, fixedBias: [T], mean: T, into x: inout Matrix<T>,
                                           bias: inout [T], side: FactorSide, options: ALSOptions, context: ExecutionContext) throws {
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
    static func solveSide<T: Scalar>(_ r: CSRMatrix<T>, fixed y: Matrix<T>, into x: inout Matrix<T>, side: FactorSide,
                                     options: ALSOptions, gram precomputed: Matrix<T>? = nil, context: ExecutionContext) throws {
        let f = options.factors
        let lambda = T(options.regularization)
        var alpha: T = 0, implicit = false
        if case .implicit(let a) = options.feedback { implicit = true; alpha = T(a) }
        // Implicit: every system shares G = YᵀY + λI (one threaded Gram product).
        var gram = Matrix<T>(rows: 0, columns: 0)
        if implicit, let precomputed {
            gram = precomputed
        } else if implicit {
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
            throw AlgorithmError.singularSystem(algorithm: "ALS", side: side, index: row, entries: r.rowOffsets[row + 1] - r.rowOffsets[row],
                                                minor: order, order: f, precision: T.dtype,
                                                hint: "raise the regularization above \(options.regularization)")
        }
        if let row = ALSKernels.firstNonFiniteRow(x.storage, f: f) {
            throw AlgorithmError.nonFiniteFactors(algorithm: "ALS", side: side, index: row, hint: "raise the regularization")
        }
    }

    /// The objective of ``ALSFeedback`` for the current factors, accumulated in Double (each
    /// prediction `xᵀy` is a dot product in `T`). Parallel over users in a fixed split. With biases
    /// the prediction is `μ + b_u + b_i + xᵀy` and the biases are penalised like the factors.
    static func objective<T: Scalar>(_ r: CSRMatrix<T>, _ fit: ALSFactors<T>, options: ALSOptions,
                                     context: ExecutionContext) throws -> Double {
        let biases = options.biases ? (fit.globalMean.doubleValue, fit.userBias.map(\.doubleValue), fit.itemBias.map(\.doubleValue)) : nil
        return entryTerms(r, users: fit.users, items: fit.items, options: options, context: context, biases: biases)
            + (try gramTerms(users: fit.users, items: fit.items, options: options, context: context))
    }
}
