import RecKitData
import RecKitLinearAlgebra

/// Which Lanczos basis is kept orthogonal explicitly.
public enum LanczosReorthogonalization: String, Sendable, CaseIterable {
    /// Only the basis of the shorter dimension (Simon & Zha 2000; the default of Baglama &
    /// Reichel's irlba). The other side follows the short three-term recurrence, and its singular
    /// vectors are recomputed at the end as `uᵢ = A·vᵢ / ‖A·vᵢ‖`. On a 100 000 × 20 000 rating
    /// matrix this is 5× less reorthogonalisation work, with the same singular values.
    case oneSided = "one-sided"
    /// Both bases, each new vector against all previous ones: the most robust, at twice (or, for
    /// very unequal dimensions, many times) the cost.
    case full
}

/// Options of the Lanczos solver.
public struct LanczosSVDOptions: Sendable {
    /// Krylov subspace size (nil: `max(2k, k + 20)`, capped at min(m, n)).
    public var subspace: Int?
    /// Converged when every wanted residual is ≤ tolerance · σ₁ (nil: 1e-13 for Double, 1e-6 for
    /// Float).
    public var tolerance: Double?
    /// Restarts allowed before giving up (the result then reports `converged == false`).
    public var maxRestarts = 200
    public var reorthogonalization = LanczosReorthogonalization.oneSided
    public var seed: UInt64 = 0

    public init(subspace: Int? = nil, tolerance: Double? = nil, maxRestarts: Int = 200,
                reorthogonalization: LanczosReorthogonalization = .oneSided, seed: UInt64 = 0) {
        self.subspace = subspace
        self.tolerance = tolerance
        self.maxRestarts = maxRestarts
        self.reorthogonalization = reorthogonalization
        self.seed = seed
    }
}

extension SingularValues {
    /// Golub–Kahan–Lanczos bidiagonalisation with reorthogonalisation and thick restarts (the
    /// augmented implicitly restarted method of Baglama & Reichel, SIAM J. Sci. Comput. 2005).
    ///
    /// The process runs on `A` or `Aᵀ`, whichever makes the right basis `V` the shorter one. Each
    /// step applies `A` and `Aᵀ` to one vector (one-sided, in one pass over a sparse matrix: see
    /// ``MatrixOperator/productAndTransposedProduct(_:minus:times:context:)``); the new `v` is reorthogonalised against all
    /// previous ones (classical Gram–Schmidt, repeated when the first pass removed more than
    /// 30 % of the norm). With ``LanczosReorthogonalization/full`` the new `u` is too; otherwise it
    /// follows `αⱼuⱼ = A·vⱼ − βⱼ₋₁uⱼ₋₁` and the left basis is never stored. When the basis is
    /// full, the small bidiagonal (after a restart, "arrowhead") matrix `B` is decomposed with
    /// gesdd; the residual of the i-th Ritz triplet is `β·|last entry of B's i-th left singular
    /// vector|`. Unconverged, `V` is rotated onto the top Ritz vectors (a GEMM) and extended from
    /// the last residual direction.
    ///
    /// Memory: `(p + 1)·n` elements for `V` (plus `p·m` for `U` with full reorthogonalisation),
    /// `p` the subspace size; the sparse operator also keeps a transposed copy of the matrix.
    ///
    /// The returned `uᵢ = A·vᵢ/‖A·vᵢ‖` and `residuals[i] = ‖(A·vᵢ − σᵢuᵢ, Aᵀuᵢ − σᵢvᵢ)‖`, measured
    /// with two block products after the solve.
    @_specialize(exported: true, where Op == SparseOperator<Double>)
    @_specialize(exported: true, where Op == SparseOperator<Float>)
    @_specialize(exported: true, where Op == DenseOperator<Double>)
    @_specialize(exported: true, where Op == DenseOperator<Float>)
    @_specialize(exported: true, where Op == CenteredOperator<SparseOperator<Double>>)
    @_specialize(exported: true, where Op == CenteredOperator<SparseOperator<Float>>)
    @_specialize(exported: true, where Op == RowBlockOperator<Double>)
    @_specialize(exported: true, where Op == RowBlockOperator<Float>)
    public static func lanczos<Op: MatrixOperator>(_ a: Op, rank k: Int, options: LanczosSVDOptions = LanczosSVDOptions(),
                                                    context: ExecutionContext = .current) throws -> TruncatedSVD<Op.Element> {
        try validate(m: a.totalRows, n: a.columns, k: k)
        if a.isRowDistributed {
            // The blocks of rows are the users (or items) a process holds; the caller orients the
            // matrix (rows ≥ columns keeps the replicated basis the short one).
            guard a.totalRows >= a.columns else {
                throw AlgorithmError.invalidInput(algorithm: "Lanczos SVD", row: nil, column: nil,
                                                  reason: "a row-distributed operator needs rows ≥ columns (\(a.totalRows) < \(a.columns)): distribute Aᵀ")
            }
            return try bidiagonalize(a, rank: k, options: options, context: context)
        }
        if a.rows < a.columns {
            let t = try bidiagonalize(TransposedOperator(a), rank: k, options: options, context: context)
            return TruncatedSVD(u: t.vt.transposed, singularValues: t.singularValues, vt: t.u.transposed,
                                residuals: t.residuals, converged: t.converged, iterations: t.iterations, method: t.method)
        }
        return try bidiagonalize(a, rank: k, options: options, context: context)
    }

    /// The solver proper, for `rows ≥ columns`.
    static func bidiagonalize<Op: MatrixOperator>(_ a: Op, rank k: Int, options: LanczosSVDOptions,
                                                  context: ExecutionContext) throws -> TruncatedSVD<Op.Element> {
        typealias T = Op.Element
        let m = a.rows, n = a.columns
        let p = Swift.min(n, options.subspace ?? Swift.max(2 * k, k + 20))
        guard p >= k else { throw AlgorithmError.invalidOption(algorithm: "Lanczos SVD", option: "subspace", value: "\(p)", requirement: "≥ the rank \(k)") }
        let tol = options.tolerance ?? (T.dtype == .double ? 1e-13 : 1e-6)
        if p == n && n <= 2048 && p <= k + 1 && !a.isRowDistributed {
            // Nothing to gain from iterating: the whole spectrum is wanted.
            return try denseFallback(a, rank: k, context: context)
        }
        let fullReorthogonalization = options.reorthogonalization == .full
        // Sums over the left vectors' entries, when other processes hold some of them.
        let rowSum: ((inout [Double]) throws -> Void)? = a.isRowDistributed ? { try a.sumOverRowBlocks(&$0) } : nil
        var V = Matrix<T>(rows: p + 1, columns: n) // rows are basis vectors
        // The left basis is stored only when it is reorthogonalised; the one-sided process needs
        // just the previous vector.
        var U = Matrix<T>(rows: fullReorthogonalization ? p : 0, columns: m)
        var previousU = [T]()
        // One-sided, after a restart: Σᵢ (ρᵢ/σᵢ)·ṽᵢ (see below).
        var restartShift: [T]? = nil
        var B = Matrix<T>(rows: p, columns: p)
        var rng = SeededGenerator(seed: options.seed)
        var start = (0..<n).map { _ in T(rng.nextGaussian()) }
        normalize(&start)
        V.storage.replaceSubrange(0..<n, with: start)
        var j0 = 0
        var beta: T = 0
        var restarts = 0
        while true {
            for j in j0..<p {
                // u_j = A·v_j − β_{j−1}·u_{j−1} (orthogonalised against all previous u in full mode)
                var x = Array(V.storage[j * n..<(j + 1) * n])
                if j == j0, let shift = restartShift { axpy(-1, shift, &x) }
                // One-sided, the operator may form A·v_j − β·u_{j−1} and Aᵀ of it in one pass
                // over the matrix (then Aᵀ·u_j is that ÷ α_j).
                var w: [T]
                var transposedW: [T]? = nil
                if !fullReorthogonalization,
                   let step = try a.productAndTransposedProduct(x, minus: j > j0 ? B[j - 1, j] : 0, times: j > j0 ? previousU : [], context: context) {
                    (w, transposedW) = (step.w, step.s)
                } else {
                    w = try a.apply(try Matrix(rows: n, columns: 1, elements: x), context: context).storage
                    if j > j0 { axpy(-B[j - 1, j], previousU, &w) }
                }
                if fullReorthogonalization { try reorthogonalize(&w, against: U, count: j, context: context, sum: rowSum) }
                let alpha = try norm(w, sum: rowSum)
                guard alpha.isFinite else {
                    throw AlgorithmError.invalidInput(algorithm: "Lanczos SVD", row: nil, column: nil,
                                                      reason: "A·v became NaN or ∞ at step \(j); the matrix holds NaN or ∞")
                }
                if alpha == 0 {
                    if a.isRowDistributed {
                        // A random restart vector would have to be drawn consistently across the blocks.
                        throw AlgorithmError.invalidInput(algorithm: "Lanczos SVD", row: nil, column: nil,
                                                          reason: "A·v vanished at step \(j) (the matrix's rank is below the subspace size \(p)); solve it in one process")
                    }
                    if j == 0 { throw AlgorithmError.invalidInput(algorithm: "truncated SVD", row: nil, column: nil, reason: "A·v is zero — the matrix is all zeros") }
                    let against = fullReorthogonalization ? U : try Matrix(rows: 1, columns: m, elements: previousU)
                    w = randomOrthogonal(length: m, against: against, count: fullReorthogonalization ? j : 1, rng: &rng, context: context)
                    transposedW = nil
                } else { scale(&w, by: 1 / alpha) }
                if fullReorthogonalization { U.storage.replaceSubrange(j * m..<(j + 1) * m, with: w) }
                B[j, j] = alpha
                // v_{j+1} = Aᵀ·u_j − α_j·v_j, orthogonalised against V[0...j]
                var r: [T]
                if var s = transposedW {
                    scale(&s, by: 1 / alpha)
                    r = s
                } else {
                    r = try a.applyTransposed(try Matrix(rows: m, columns: 1, elements: w), context: context).storage
                }
                for t in 0..<n { r[t] -= alpha * V.storage[j * n + t] }
                try reorthogonalize(&r, against: V, count: j + 1, context: context)
                beta = norm(r)
                if beta == 0 {
                    r = randomOrthogonal(length: n, against: V, count: j + 1, rng: &rng, context: context)
                } else { scale(&r, by: 1 / beta) }
                V.storage.replaceSubrange((j + 1) * n..<(j + 2) * n, with: r)
                if j + 1 < p { B[j, j + 1] = beta }
                previousU = w
            }
            let small = try LinearAlgebra.svd(B, context: context) // B = X Σ Yᵀ
            let sigma = small.singularValues
            let estimates = (0..<k).map { Double(abs(beta * small.u[p - 1, $0])) }
            let top = Swift.max(sigma[0].doubleValue, .leastNormalMagnitude)
            let done = estimates.allSatisfy { $0 <= tol * top }
            if done || restarts >= options.maxRestarts {
                // V_kᵀ = V_pᵀ·Y_k (n × k); U_k from A·V_k, normalised.
                let vk = try LinearAlgebra.multiply(V.rows(0..<p), small.vt.rows(0..<k), transposeA: true, transposeB: true, context: context)
                let s = Array(sigma.prefix(k))
                let (u, residuals) = try leftVectorsAndResiduals(a, v: vk, s: s, context: context)
                let floor = Swift.max(tol, 100 * T.ulpOfOne.doubleValue)
                return TruncatedSVD(u: u, singularValues: s, vt: vk.transposed, residuals: residuals,
                                    converged: done && residuals.allSatisfy { $0 <= 10 * floor * top },
                                    iterations: restarts, method: "lanczos")
            }
            // Thick restart on the top kk Ritz vectors (keeping a few extra speeds convergence):
            // ṽᵢ = V·yᵢ, ũᵢ = U·xᵢ, with Aᵀũᵢ = σᵢṽᵢ + ρᵢ·v_p, ρᵢ = β·x_{p−1,i}. The next u must be
            // A·v_p − Σ ρᵢũᵢ (B becomes an "arrowhead"). One-sided, the ũᵢ are not stored:
            // A·ṽᵢ = σᵢũᵢ, so that vector is A·(v_p − Σ (ρᵢ/σᵢ)·ṽᵢ) — one product, no left basis.
            restarts += 1
            let kk = Swift.min(p - 1, k + (p - k) / 2)
            if !fullReorthogonalization && sigma[kk - 1].doubleValue <= 1e-8 * top {
                // σ too close to zero to divide by (A is numerically rank-deficient within the kept
                // space): start over with both bases stored.
                var full = options
                full.reorthogonalization = .full
                return try bidiagonalize(a, rank: k, options: full, context: context)
            }
            let rho = (0..<kk).map { beta * small.u[p - 1, $0] }
            let newV = try LinearAlgebra.multiply(small.vt.rows(0..<kk), V.rows(0..<p), context: context) // kk × n
            if fullReorthogonalization {
                let newU = try LinearAlgebra.multiply(small.u.block(rows: 0..<p, columns: 0..<kk), U, transposeA: true, context: context) // kk × m
                U.storage.replaceSubrange(0..<(kk * m), with: newU.storage)
            } else {
                restartShift = try LinearAlgebra.multiply(newV, vector: (0..<kk).map { rho[$0] / sigma[$0] }, transposeA: true, context: context)
            }
            let residualDirection = Array(V.storage[p * n..<(p + 1) * n])
            V.storage.replaceSubrange(0..<(kk * n), with: newV.storage)
            V.storage.replaceSubrange(kk * n..<((kk + 1) * n), with: residualDirection)
            B = Matrix<T>(rows: p, columns: p)
            for i in 0..<kk {
                B[i, i] = sigma[i]
                B[i, kk] = rho[i]
            }
            j0 = kk
        }
    }

    /// `U = A·V` with normalised columns, and each triplet's residual
    /// `‖(A·vᵢ − σᵢuᵢ, Aᵀuᵢ − σᵢvᵢ)‖ = √((‖A·vᵢ‖ − σᵢ)² + ‖Aᵀuᵢ − σᵢvᵢ‖²)`. `v` is `n × k`.
    static func leftVectorsAndResiduals<Op: MatrixOperator>(_ a: Op, v: Matrix<Op.Element>, s: [Op.Element],
                                                            context: ExecutionContext) throws -> (u: Matrix<Op.Element>, residuals: [Double]) {
        typealias T = Op.Element
        let k = s.count, m = a.rows, n = a.columns
        var u = try a.apply(v, context: context) // m × k
        var lengths = [Double](repeating: 0, count: k)
        for r in 0..<m { for i in 0..<k { let x = u.storage[r * k + i].doubleValue; lengths[i] += x * x } }
        try a.sumOverRowBlocks(&lengths)
        for i in 0..<k { lengths[i] = lengths[i].squareRoot() }
        let inverse = lengths.map { T($0 > 0 ? 1 / $0 : 0) }
        for r in 0..<m { for i in 0..<k { u.storage[r * k + i] *= inverse[i] } }
        let atu = try a.applyTransposed(u, context: context) // n × k
        var back = [Double](repeating: 0, count: k)
        for r in 0..<n {
            for i in 0..<k {
                let d = atu.storage[r * k + i].doubleValue - s[i].doubleValue * v.storage[r * k + i].doubleValue
                back[i] += d * d
            }
        }
        let residuals = (0..<k).map { i in
            let forward = lengths[i] - s[i].doubleValue
            return (forward * forward + back[i]).squareRoot()
        }
        return (u, residuals)
    }

    static func denseFallback<Op: MatrixOperator>(_ a: Op, rank k: Int, context: ExecutionContext) throws -> TruncatedSVD<Op.Element> {
        let dense = try a.apply(Matrix<Op.Element>.identity(a.columns), context: context)
        let f = try LinearAlgebra.svd(dense, context: context)
        guard let top = f.singularValues.first, top > 0 else {
            throw AlgorithmError.invalidInput(algorithm: "truncated SVD", row: nil, column: nil, reason: "the matrix is all zeros")
        }
        let u = f.u.block(rows: 0..<a.rows, columns: 0..<k).materialized()
        let vt = f.vt.rows(0..<k).materialized()
        let s = Array(f.singularValues.prefix(k))
        return TruncatedSVD(u: u, singularValues: s, vt: vt, residuals: try tripletResiduals(a, u: u, s: s, v: vt.transposed, context: context),
                            converged: true, iterations: 0, method: "dense")
    }

    /// x ← x − Wᵀ(W x) over the first `count` rows of W (classical Gram–Schmidt), repeated once
    /// when the pass removed more than 30 % of x's norm (Daniel, Gragg, Kaufman & Stewart's
    /// criterion: only then can rounding have left x measurably non-orthogonal).
    ///
    /// `sum`, for vectors spread over processes (a row-distributed operator's left vectors): sums
    /// each process's partial dot products (and squared norms) over all of them.
    static func reorthogonalize<T: Scalar>(_ x: inout [T], against w: Matrix<T>, count: Int, context: ExecutionContext,
                                           sum: ((inout [Double]) throws -> Void)? = nil) throws {
        guard count > 0 else { return }
        for _ in 0..<2 {
            let before = try norm(x, sum: sum)
            if let sum {
                // The dot products are partial on each process: summed over all before the update.
                let basis = w.rows(0..<count)
                var partial = try LinearAlgebra.multiply(basis, vector: x, context: context).map(\.doubleValue)
                try sum(&partial)
                try LinearAlgebra.multiply(basis, vector: partial.map { T($0) }, transposeA: true, alpha: -1, beta: 1, into: &x, context: context)
            } else {
                try LinearAlgebra.subtractProjections(&x, basis: w, count: count, context: context)
            }
            if try norm(x, sum: sum) > before * 0.7 { break }
        }
    }

    /// ``norm(_:)``, or with `sum` (see ``reorthogonalize(_:against:count:context:sum:)``) the
    /// norm of a vector spread over processes.
    static func norm<T: Scalar>(_ x: [T], sum: ((inout [Double]) throws -> Void)?) throws -> T {
        guard let sum else { return norm(x) }
        var s = [x.reduce(0.0) { $0 + $1.doubleValue * $1.doubleValue }]
        try sum(&s)
        return T(s[0].squareRoot())
    }

    static func norm<T: Scalar>(_ x: [T]) -> T {
        var s0 = 0.0, s1 = 0.0
        var i = 0
        while i + 1 < x.count {
            let a = x[i].doubleValue, c = x[i + 1].doubleValue
            s0 += a * a; s1 += c * c
            i += 2
        }
        if i < x.count { let a = x[i].doubleValue; s0 += a * a }
        return T((s0 + s1).squareRoot())
    }

    /// y ← y + α·x
    static func axpy<T: Scalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
        for i in 0..<y.count { y[i] += alpha * x[i] }
    }

    static func scale<T: Scalar>(_ x: inout [T], by factor: T) {
        for i in 0..<x.count { x[i] *= factor }
    }

    static func normalize<T: Scalar>(_ x: inout [T]) { scale(&x, by: 1 / norm(x)) }

    /// A random unit vector orthogonal to the first `count` rows of `w` (breakdown recovery).
    static func randomOrthogonal<T: Scalar>(length: Int, against w: Matrix<T>, count: Int, rng: inout SeededGenerator, context: ExecutionContext) -> [T] {
        var x = (0..<length).map { _ in T(rng.nextGaussian()) }
        try? reorthogonalize(&x, against: w, count: count, context: context)
        normalize(&x)
        return x
    }
}
