import RecKitData
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

    public init(oversampling: Int = 10, powerIterations: Int = 4, tolerance: Double = 1e-6, seed: UInt64 = 0) {
        self.oversampling = oversampling
        self.powerIterations = powerIterations
        self.tolerance = tolerance
        self.seed = seed
    }
}

/// Truncated SVD solvers.
public enum SingularValues {
    /// The randomised SVD of Halko, Martinsson & Tropp (2011), Algorithm 4.4: a Gaussian sketch
    /// `Y = A·Ω` with `l = k + oversampling` columns, `q` power iterations re-orthonormalised by QR
    /// after every product (so rounding does not wash out the small singular values), then the
    /// exact SVD of the small `l × n` matrix `Qᵀ·A` (gesdd). Deterministic for the seed.
    ///
    /// Error (HMT Corollary 10.10, in expectation, spectral norm, p = oversampling ≥ 2):
    /// ```
    /// E‖A − QQᵀA‖ ≤ [ (1 + √(k/(p−1)))·σ_{k+1}^{2q+1} + (e·√(k+p)/p)·(Σ_{j>k} σ_j^{2(2q+1)})^{1/2} ]^{1/(2q+1)}
    /// ```
    /// - Throws: for `k ≤ 0`, `k > min(m, n)`, an all-zero matrix, or NaN/∞ in the sketch.
    public static func randomized<Op: MatrixOperator>(_ a: Op, rank k: Int, options: RandomizedSVDOptions = RandomizedSVDOptions(),
                                                       context: ExecutionContext = .current) throws -> TruncatedSVD<Op.Element> {
        typealias T = Op.Element
        let m = a.rows, n = a.columns
        try validate(m: m, n: n, k: k)
        guard options.oversampling >= 0, options.powerIterations >= 0 else {
            throw LinearAlgebraError.invalidArgument("oversampling and power iterations must be ≥ 0")
        }
        let l = Swift.min(k + options.oversampling, Swift.min(m, n))
        var rng = SeededGenerator(seed: options.seed)
        let omega = Matrix<T>(rows: n, columns: l) { _, _ in T(rng.nextGaussian()) }
        var q = try orthonormalColumns(try a.apply(omega, context: context), context: context, what: "A·Ω")
        for _ in 0..<options.powerIterations {
            let z = try orthonormalColumns(try a.applyTransposed(q, context: context), context: context, what: "Aᵀ·Q")
            q = try orthonormalColumns(try a.apply(z, context: context), context: context, what: "A·Z")
        }
        let bt = try a.applyTransposed(q, context: context)           // n × l  = (QᵀA)ᵀ
        let small = try LinearAlgebra.svd(bt.transposed, context: context) // (l × n) = Ũ Σ Vᵀ
        let uk = small.u.block(rows: 0..<l, columns: 0..<k)
        let u = try LinearAlgebra.multiply(q, uk, context: context)
        let vt = small.vt.rows(0..<k).materialized()
        let s = Array(small.singularValues.prefix(k))
        let residuals = try tripletResiduals(a, u: u, s: s, vt: vt, context: context)
        let top = s.first.map { $0.doubleValue } ?? 0
        return TruncatedSVD(u: u, singularValues: s, vt: vt, residuals: residuals,
                            converged: residuals.allSatisfy { $0 <= options.tolerance * top }, iterations: options.powerIterations,
                            method: "randomized")
    }

    static func validate(m: Int, n: Int, k: Int) throws {
        guard m > 0, n > 0 else { throw LinearAlgebraError.emptyMatrix(operation: "truncated SVD", shape: "\(m)×\(n)") }
        guard k >= 1, k <= Swift.min(m, n) else {
            throw LinearAlgebraError.invalidArgument("truncated SVD: rank must be in 1…\(Swift.min(m, n)) for a \(m)×\(n) matrix, got \(k)")
        }
    }

    /// Q of a thin QR (orthonormal columns spanning `y`), with NaN/∞ and zero checks.
    static func orthonormalColumns<T: Scalar>(_ y: Matrix<T>, context: ExecutionContext, what: String) throws -> Matrix<T> {
        if let (r, c) = y.firstNonFinite {
            throw LinearAlgebraError.nonFinite(operation: "truncated SVD", argument: what, row: r, column: c, batchIndex: nil)
        }
        guard y.maxAbs > 0 else {
            throw LinearAlgebraError.invalidArgument("truncated SVD: \(what) is zero — the matrix is all zeros (or orthogonal to the sketch)")
        }
        return try LinearAlgebra.qr(y, context: context).q
    }

    /// ‖A·vᵢ − σᵢ·uᵢ‖ for every triplet, with one block product.
    static func tripletResiduals<Op: MatrixOperator>(_ a: Op, u: Matrix<Op.Element>, s: [Op.Element], vt: Matrix<Op.Element>,
                                                     context: ExecutionContext) throws -> [Double] {
        let av = try a.apply(vt.transposed, context: context) // m × k
        return (0..<s.count).map { i in
            var sum = 0.0
            for r in 0..<u.rows {
                let d = av.storage[r * s.count + i].doubleValue - s[i].doubleValue * u.storage[r * s.count + i].doubleValue
                sum += d * d
            }
            return sum.squareRoot()
        }
    }
}
