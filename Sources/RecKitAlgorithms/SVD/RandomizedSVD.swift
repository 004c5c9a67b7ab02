import RecKitData
import RecKitKernels
import RecKitLinearAlgebra

/// The top singular triplets of a matrix and how accurate they are.
public struct TruncatedSVD<Element: Scalar>: Sendable {
    /// `m × k` left singular vectors as columns.
    public var u: Matrix<Element>
    /// `k` singular values, descending.
    public var singularValues: [Element]
    /// `k × n` right singular vectors as rows.
    public var vt: Matrix<Element>
    /// ‖A·vᵢ − σᵢ·uᵢ‖ per triplet, computed in the element precision after the solve.
    public var residuals: [Double]
    /// Whether every residual is within the requested tolerance (`tolerance · σ₁`).
    public var converged: Bool
    /// Passes over A (power iterations for the randomised method, restarts for Lanczos).
    public var iterations: Int
    public var method: String

    /// The largest residual relative to σ₁.
    public var maxRelativeResidual: Double {
        let top = singularValues.first.map { $0.doubleValue } ?? 0
        return top == 0 ? 0 : (residuals.max() ?? 0) / top
    }
}

/// The precision the randomised SVD's power iterations run in.
public enum SketchPrecision: String, Sendable, CaseIterable {
    /// The matrix's own element type throughout.
    case element
    /// Float sketch and power iterations for a Double matrix; the basis is then orthonormalised,
    /// projected (`Aᵀ·Q` with the Double matrix) and decomposed in Double. The sketch only has to
    /// find the subspace: Float's rounding (~6e-8) moves it far less than the sketch's own error at
    /// the usual 4–7 power iterations (σ error ~1e-2 on rating matrices), so the singular values
    /// and vectors come out as accurate as with a Double sketch at half its memory traffic. Not
    /// for solves that ask the randomised method for residuals much below ~1e-6 of σ₁.
    case float
}

/// Options of the randomised SVD.
public struct RandomizedSVDOptions: Sendable {
    /// Extra sample columns beyond the rank (HMT's p); 10 is the usual choice.
    public var oversampling = 10
    /// Power (subspace) iterations q; each multiplies the decay of the error by (σ_{k+1}/σ_k)² and
    /// costs two more passes over A. 0 is fastest and least accurate.
    public var powerIterations = 4
    /// Residual tolerance relative to σ₁ for the `converged` flag.
    public var tolerance = 1e-6
    public var seed: UInt64 = 0
    /// The precision of the sketch and the power iterations (``SketchPrecision``); `.float`
    /// applies to Double sparse, dense and centred sparse operators.
    public var sketchPrecision = SketchPrecision.element

    public init(oversampling: Int = 10, powerIterations: Int = 4, tolerance: Double = 1e-6, seed: UInt64 = 0,
                sketchPrecision: SketchPrecision = .element) {
        self.oversampling = oversampling
        self.powerIterations = powerIterations
        self.tolerance = tolerance
        self.seed = seed
        self.sketchPrecision = sketchPrecision
    }
}

/// Truncated SVD solvers.
public enum SingularValues {
    /// The randomised SVD of Halko, Martinsson & Tropp (2011), Algorithm 4.4: a Gaussian sketch
    /// `Y = A·Ω` with `l = k + oversampling` columns, `q` power iterations `Y ← A·(Aᵀ·Y)` with the
    /// block re-normalised between products (one Cholesky QR pass, so rounding does not wash out the
    /// small singular values), a final orthonormalisation (CholeskyQR2, see
    /// ``LinearAlgebra/orthonormalize(_:context:)``), then the exact SVD of the small `l × n`
    /// matrix `Qᵀ·A` (gesdd). All dense work is level-3 BLAS. Deterministic for the seed and thread
    /// count.
    ///
    /// The short-side block (`n × l`, cheap) is normalised every time. The long-side block is
    /// normalised only while the short side's estimated condition number exceeds 10⁵: products
    /// lose about `u·κ` of the weakest direction, so below that the extra normalisation (a third of
    /// an iteration's time on a 100 000 × 20 000 rating matrix) cannot change the result beyond
    /// ~1e-11 relative.
    ///
    /// Error (HMT Corollary 10.10, in expectation, spectral norm, p = oversampling ≥ 2):
    /// ```
    /// E‖A − QQᵀA‖ ≤ [ (1 + √(k/(p−1)))·σ_{k+1}^{2q+1} + (e·√(k+p)/p)·(Σ_{j>k} σ_j^{2(2q+1)})^{1/2} ]^{1/(2q+1)}
    /// ```
    /// With ``RandomizedSVDOptions/sketchPrecision`` `.float` a Double matrix is sketched and
    /// power-iterated in Float and everything from the final orthonormalisation on is Double
    /// (``SketchPrecision/float``); for a Float matrix the option changes nothing.
    ///
    /// - Throws: for `k ≤ 0`, `k > min(m, n)`, an all-zero matrix, or NaN/∞ in the sketch.
    @_specialize(exported: true, where Op == SparseOperator<Double>)
    @_specialize(exported: true, where Op == SparseOperator<Float>)
    @_specialize(exported: true, where Op == DenseOperator<Double>)
    @_specialize(exported: true, where Op == DenseOperator<Float>)
    @_specialize(exported: true, where Op == CenteredOperator<SparseOperator<Double>>)
    @_specialize(exported: true, where Op == CenteredOperator<SparseOperator<Float>>)
    public static func randomized<Op: MatrixOperator>(_ a: Op, rank k: Int, options: RandomizedSVDOptions = RandomizedSVDOptions(),
                                                       context: ExecutionContext = .current) throws -> TruncatedSVD<Op.Element> {
        typealias T = Op.Element
        let m = a.rows, n = a.columns
        try validate(m: m, n: n, k: k)
        guard options.oversampling >= 0, options.powerIterations >= 0 else {
            throw AlgorithmError.invalidOption(algorithm: "randomized SVD", option: "oversampling and powerIterations",
                                               value: "\(options.oversampling), \(options.powerIterations)", requirement: "≥ 0")
        }
        let l = Swift.min(k + options.oversampling, Swift.min(m, n))
        var y: Matrix<T>
        if options.sketchPrecision == .float, T.self == Double.self {
            y = try floatSketch(a, columns: l, options: options, context: context).converted(to: T.self)
        } else {
            y = try sketch(a, columns: l, options: options, context: context)
        }
        try LinearAlgebra.orthonormalize(&y, context: context)
        let q = y
        // Bᵀ = Aᵀ·Q (n × l). Its SVD Bᵀ = Ũ Σ Ṽᵀ gives B = QᵀA = Ṽ Σ Ũᵀ: U = Q·Ṽ, Vᵀ = Ũᵀ.
        let bt = try a.applyTransposed(q, context: context)
        let small = try tallSVD(bt, leading: k, context: context)
        let u = try LinearAlgebra.multiply(q, small.vt.rows(0..<k), transposeB: true, context: context)
        let v = small.u // n × k
        let s = small.singularValues
        let residuals = try tripletResiduals(a, u: u, s: s, v: v, context: context)
        let vt = v.transposed
        let top = s.first.map { $0.doubleValue } ?? 0
        return TruncatedSVD(u: u, singularValues: s, vt: vt, residuals: residuals,
                            converged: residuals.allSatisfy { $0 <= options.tolerance * top }, iterations: options.powerIterations,
                            method: "randomized")
    }

    /// `(A·Aᵀ)^q·A·Ω` for a Gaussian `Ω` with `columns` columns, its blocks kept well conditioned
    /// along the way (see ``randomized(_:rank:options:context:)``); not yet orthonormal.
    static func sketch<Op: MatrixOperator>(_ a: Op, columns l: Int, options: RandomizedSVDOptions,
                                           context: ExecutionContext) throws -> Matrix<Op.Element> {
        let omega = Matrix<Op.Element>.gaussian(rows: a.columns, columns: l, seed: options.seed)
        // Two buffers reused across iterations (sketches are normalised in place), allocated by
        // the first products (whose threads then zero and fill them).
        var y = Matrix<Op.Element>(rows: 0, columns: 0), z = Matrix<Op.Element>(rows: 0, columns: 0)
        try a.apply(omega, into: &y, context: context)
        try checkSketch(y, what: "A·Ω")
        // The long side (m ≥ n) is normalised only while the short side's sketch is ill-conditioned
        // (see the documentation above).
        let longIsY = a.rows >= a.columns
        var normaliseLongSide = true
        for _ in 0..<options.powerIterations {
            if !longIsY || normaliseLongSide { _ = try makeWellConditioned(&y, context: context) }
            try a.applyTransposed(y, into: &z, context: context)
            try checkSketch(z, what: "Aᵀ·Q")
            let kappa = try makeWellConditioned(&z, context: context)
            if !longIsY { normaliseLongSide = kappa > Self.skipNormalisationBelow }
            try a.apply(z, into: &y, context: context) // (NaN/∞ would show in the next Aᵀ·Q check)
            if longIsY { normaliseLongSide = kappa > Self.skipNormalisationBelow }
        }
        return y
    }

    /// ``sketch(_:columns:options:context:)`` of a Double operator run on a Float copy of its
    /// matrix (``SketchPrecision/float``).
    static func floatSketch<Op: MatrixOperator>(_ a: Op, columns l: Int, options: RandomizedSVDOptions,
                                                context: ExecutionContext) throws -> Matrix<Float> {
        // Float's range is checked so that an overflow is not reported as NaN in the matrix (NaN
        // and ∞ already in it pass on to the sketch's check, which says so and where).
        func checkRange(_ values: [Double]) throws {
            let largest = values.withUnsafeBufferPointer { $0.isEmpty ? 0 : VectorKernels.maxAbs($0.baseAddress!, $0.count) }
            guard !largest.isFinite || largest <= Self.floatSketchLimit else {
                throw AlgorithmError.invalidOption(algorithm: "randomized SVD", option: "sketchPrecision", value: "float",
                                                   requirement: "values within ±\(Self.floatSketchLimit) (this matrix holds \(largest)); sketch in the element precision")
            }
        }
        func narrowed(_ matrix: CSRMatrix<Double>) throws -> CSRMatrix<Float> {
            try checkRange(matrix.values)
            return matrix.converted(to: Float.self)
        }
        if let sparse = a as? SparseOperator<Double> {
            return try sketch(SparseOperator(narrowed(sparse.matrix)), columns: l, options: options, context: context)
        }
        if let centred = a as? CenteredOperator<SparseOperator<Double>> {
            let op = try CenteredOperator(SparseOperator(narrowed(centred.base.matrix)), columnMeans: centred.means.map { Float($0) })
            return try sketch(op, columns: l, options: options, context: context)
        }
        if let dense = a as? DenseOperator<Double> {
            try checkRange(dense.matrix.storage)
            return try sketch(DenseOperator(dense.matrix.converted(to: Float.self)), columns: l, options: options, context: context)
        }
        throw AlgorithmError.invalidOption(algorithm: "randomized SVD", option: "sketchPrecision", value: "float",
                                           requirement: "a Double sparse, centred sparse or dense operator (this one is \(type(of: a)))")
    }

    /// The largest magnitude a matrix sketched in Float may hold: products of rows with Gaussian
    /// blocks then stay far inside Float's range (3.4e38).
    static var floatSketchLimit: Double { 1e18 }

    /// The leading `k` singular triplets of a tall `n × l` block `M` (`n ≥ l`): `M = Q·R` with `Q`
    /// orthonormal by CholeskyQR2 (``LinearAlgebra/orthonormalize(_:context:)``, falling back to
    /// Householder QR when `M` is too ill-conditioned) and `R = QᵀM`, then gesdd of the small
    /// `l × l` matrix `R = U_R Σ V_Rᵀ`, so `M = (Q·U_R) Σ V_Rᵀ`. Like gesdd on `M` (which also
    /// starts with a QR of a tall input) it is backward stable, but its tall steps are all Gram
    /// products and GEMMs, where Householder QR works half in level-2 panel updates.
    /// Returns `u` (`n × k`), the `k` largest σ and `vt` (`l × l`).
    static func tallSVD<T: Scalar>(_ m: Matrix<T>, leading k: Int, context: ExecutionContext) throws
        -> (u: Matrix<T>, singularValues: [T], vt: Matrix<T>) {
        let q = try LinearAlgebra.orthonormalize(m, context: context)
        let r = try LinearAlgebra.multiply(q, m, transposeA: true, context: context) // l × l
        let small = try LinearAlgebra.svd(r, context: context)
        let u = try LinearAlgebra.multiply(q, small.u.block(rows: 0..<r.rows, columns: 0..<k), context: context)
        return (u, Array(small.singularValues.prefix(k)), small.vt)
    }

    static func validate(m: Int, n: Int, k: Int) throws {
        guard m > 0, n > 0 else { throw AlgorithmError.emptyInput(algorithm: "truncated SVD", details: "\(m)×\(n)") }
        guard k >= 1, k <= Swift.min(m, n) else {
            throw AlgorithmError.invalidOption(algorithm: "truncated SVD", option: "rank", value: "\(k)",
                                               requirement: "in 1…\(Swift.min(m, n)) for a \(m)×\(n) matrix")
        }
    }

    /// NaN/∞ and all-zero checks of a sketch (the sketch of an all-zero matrix is zero).
    static func checkSketch<T: Scalar>(_ y: Matrix<T>, what: String) throws {
        // One vectorised scan; the position of a NaN or ∞ is looked for only when there is one.
        let largest = y.maxAbs
        if !largest.isFinite, let (r, c) = y.firstNonFinite {
            throw AlgorithmError.invalidInput(algorithm: "truncated SVD", row: r, column: c, reason: "\(what) holds NaN or ∞; the matrix holds NaN or ∞")
        }
        guard largest > 0 else {
            throw AlgorithmError.invalidInput(algorithm: "truncated SVD", row: nil, column: nil,
                                              reason: "\(what) is zero — the matrix is all zeros (or orthogonal to the sketch)")
        }
    }

    /// Replaces `y` by a basis of its columns that is well conditioned, not necessarily
    /// orthonormal: one Cholesky QR pass, or a full orthonormalisation when `y` is too
    /// ill-conditioned for that. Returns the estimated condition number of `y` before.
    static func makeWellConditioned<T: Scalar>(_ y: inout Matrix<T>, context: ExecutionContext) throws -> Double {
        if let kappa = try LinearAlgebra.choleskyQRPass(&y, shifted: false, context: context) { return kappa }
        try LinearAlgebra.orthonormalize(&y, context: context)
        return .infinity
    }

    /// A product's relative rounding error in the sketch's weakest direction is about `u·κ`; below
    /// this κ of the short-side sketch (so below ~1e-10 relative for Double), normalising the long
    /// side between the two products of a power iteration changes nothing measurable.
    static var skipNormalisationBelow: Double { 1e5 }

    /// ‖A·vᵢ − σᵢ·uᵢ‖ for every triplet, with one block product. (For the randomised method the
    /// other half of the triplet residual, ‖Aᵀuᵢ − σᵢvᵢ‖, is zero by construction up to rounding.)
    static func tripletResiduals<Op: MatrixOperator>(_ a: Op, u: Matrix<Op.Element>, s: [Op.Element], v: Matrix<Op.Element>,
                                                     context: ExecutionContext) throws -> [Double] {
        let av = try a.apply(v, context: context) // m × k
        let k = s.count
        var sums = [Double](repeating: 0, count: k)
        for r in 0..<u.rows {
            for i in 0..<k {
                let d = av.storage[r * k + i].doubleValue - s[i].doubleValue * u.storage[r * k + i].doubleValue
                sums[i] += d * d
            }
        }
        return sums.map { $0.squareRoot() }
    }
}
