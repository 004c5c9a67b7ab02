import RecKitData
import RecKitLinearAlgebra

/// The pieces ``AlternatingLeastSquares/fit(_:options:context:progress:)`` is made of, for callers
/// that hold only some rows of the rating matrix — a distributed fit (RecKitDistributed) runs each
/// half-sweep on its block of users (items) and exchanges the solved rows. Composed in the same
/// order they give the same factors as `fit`: every row's solve depends only on that row's
/// ratings, the fixed side and the options, never on which other rows are solved with it.
///
/// Float and Double overloads (concrete types, so the kernels are specialised; see `fit`).
/// Unbiased factors only (``ALSOptions/biases`` false).
extension AlternatingLeastSquares {
    /// The factors a fit of a `users × items` matrix starts from (seeded Gaussian, scaled by
    /// ``ALSOptions/initialScale``/√factors).
    public static func initialFactors(users: Int, items: Int, options: ALSOptions) -> (users: Matrix<Float>, items: Matrix<Float>) {
        initial(users: users, items: items, options: options)
    }

    /// ``initialFactors(users:items:options:)`` in Double.
    public static func initialFactorsDouble(users: Int, items: Int, options: ALSOptions) -> (users: Matrix<Double>, items: Matrix<Double>) {
        initial(users: users, items: items, options: options)
    }

    /// One half-sweep over a block of rows: `x` (one row per row of `ratings`, the block's rows of
    /// the side being solved, `ratings.columns` = rows of `fixed`) is solved with `fixed` held.
    /// - Parameter gram: implicit feedback: `fixedᵀfixed + λI` when already known (computed otherwise).
    /// - Throws: as `fit` — a singular system names `side` and the row's index plus `firstRow`.
    public static func solveRows(_ ratings: CSRMatrix<Float>, fixed: Matrix<Float>, into x: inout Matrix<Float>, side: FactorSide,
                                 firstRow: Int = 0, options: ALSOptions, gram: Matrix<Float>? = nil, context: ExecutionContext) throws {
        try solveBlock(ratings, fixed: fixed, into: &x, side: side, firstRow: firstRow, options: options, gram: gram, context: context)
    }

    /// ``solveRows(_:fixed:into:side:firstRow:options:gram:context:)`` in Double.
    public static func solveRows(_ ratings: CSRMatrix<Double>, fixed: Matrix<Double>, into x: inout Matrix<Double>, side: FactorSide,
                                 firstRow: Int = 0, options: ALSOptions, gram: Matrix<Double>? = nil, context: ExecutionContext) throws {
        try solveBlock(ratings, fixed: fixed, into: &x, side: side, firstRow: firstRow, options: options, gram: gram, context: context)
    }

    /// The objective's terms over the entries of a block of users: `ratings` are their rows,
    /// `users` their factors, `items` all item factors. Summed over blocks, plus
    /// ``gramObjective(users:items:options:context:)`` for implicit feedback, it is the objective.
    public static func entryObjective(_ ratings: CSRMatrix<Float>, users: Matrix<Float>, items: Matrix<Float>, options: ALSOptions,
                                      context: ExecutionContext) -> Double {
        entryTerms(ratings, users: users, items: items, options: options, context: context)
    }

    /// ``entryObjective(_:users:items:options:context:)`` in Double.
    public static func entryObjective(_ ratings: CSRMatrix<Double>, users: Matrix<Double>, items: Matrix<Double>, options: ALSOptions,
                                      context: ExecutionContext) -> Double {
        entryTerms(ratings, users: users, items: items, options: options, context: context)
    }

    /// Implicit feedback: the terms over all user–item pairs, `trace((XᵀX)(YᵀY)) + λ(‖X‖² + ‖Y‖²)`,
    /// from all factors; 0 for explicit ratings.
    public static func gramObjective(users: Matrix<Float>, items: Matrix<Float>, options: ALSOptions, context: ExecutionContext) throws -> Double {
        try gramTerms(users: users, items: items, options: options, context: context)
    }

    /// ``gramObjective(users:items:options:context:)`` in Double.
    public static func gramObjective(users: Matrix<Double>, items: Matrix<Double>, options: ALSOptions, context: ExecutionContext) throws -> Double {
        try gramTerms(users: users, items: items, options: options, context: context)
    }

    // MARK: - Generic bodies (specialised through the overloads above)

    static func initial<T: Scalar>(users: Int, items: Int, options: ALSOptions) -> (users: Matrix<T>, items: Matrix<T>) {
        let scale = T(options.initialScale / Double(options.factors).squareRoot())
        let seeds = Seeds(options.seed)
        var x = Matrix<T>.gaussian(rows: users, columns: options.factors, seed: seeds(.base))
        x *= scale
        var y = Matrix<T>.gaussian(rows: items, columns: options.factors, seed: seeds(.second))
        y *= scale
        return (x, y)
    }

    static func solveBlock<T: Scalar>(_ r: CSRMatrix<T>, fixed: Matrix<T>, into x: inout Matrix<T>, side: FactorSide, firstRow: Int,
                                      options: ALSOptions, gram: Matrix<T>?, context: ExecutionContext) throws {
        try options.validate()
        guard !options.biases else {
            throw AlgorithmError.invalidOption(algorithm: "ALS", option: "biases", value: "true", requirement: "false when solving blocks of rows")
        }
        guard fixed.columns == options.factors, x.columns == options.factors, x.rows == r.rows, fixed.rows == r.columns else {
            throw AlgorithmError.shapeMismatch(algorithm: "ALS", details: "ratings \(r.shapeDescription), fixed \(fixed.shapeDescription), "
                                               + "solved \(x.shapeDescription), \(options.factors) factors")
        }
        do {
            try solveSide(r, fixed: fixed, into: &x, side: side, options: options, gram: gram, context: context)
        } catch AlgorithmError.singularSystem(let algorithm, let side, let index, let entries, let minor, let order, let precision, let hint) {
            throw AlgorithmError.singularSystem(algorithm: algorithm, side: side, index: index + firstRow, entries: entries, minor: minor,
                                                order: order, precision: precision, hint: hint)
        } catch AlgorithmError.nonFiniteFactors(let algorithm, let side, let index, let hint) {
            throw AlgorithmError.nonFiniteFactors(algorithm: algorithm, side: side, index: index + firstRow, hint: hint)
        }
    }

    /// `biases`: μ, b_u, b_i of a biased fit (nil for unbiased factors).
    static func entryTerms<T: Scalar>(_ r: CSRMatrix<T>, users x: Matrix<T>, items y: Matrix<T>, options: ALSOptions, context: ExecutionContext,
                                      biases: (mean: Double, user: [Double], item: [Double])? = nil) -> Double {
        let f = options.factors
        var alpha: Double? = nil
        if case .implicit(let a) = options.feedback { alpha = a }
        let parts = r.balancedRowRanges(parts: context.threads, perRow: f / 8)
        return ALSKernels.entryLoss(offsets: r.rowOffsets, indices: r.columnIndices, values: r.values, parts: parts, f: f,
                                    x: x.storage, y: y.storage, alpha: alpha, lambda: options.regularization, biases: biases)
    }

    static func gramTerms<T: Scalar>(users x: Matrix<T>, items y: Matrix<T>, options: ALSOptions, context: ExecutionContext) throws -> Double {
        guard case .implicit = options.feedback else { return 0 }
        let f = options.factors, lambda = options.regularization
        let xtx = try LinearAlgebra.gram(x, transposeA: true, context: context)
        let yty = try LinearAlgebra.gram(y, transposeA: true, context: context)
        var total = 0.0
        for k in 0..<(f * f) { total += xtx.storage[k].doubleValue * yty.storage[k].doubleValue }
        for k in 0..<f { total += lambda * (xtx.storage[k * f + k].doubleValue + yty.storage[k * f + k].doubleValue) }
        return total
    }
}
