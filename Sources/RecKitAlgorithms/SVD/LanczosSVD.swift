import RecKitData
import RecKitLinearAlgebra

/// Options of the Lanczos solver.
public struct LanczosSVDOptions: Sendable {
    /// Krylov subspace size (nil: `max(2k, k + 20)`, capped at min(m, n)).
    public var subspace: Int?
    /// Converged when every wanted residual ‖A·vᵢ − σᵢ·uᵢ‖ ≤ tolerance · σ₁
    /// (nil: 1e-13 for Double, 1e-6 for Float).
    public var tolerance: Double?
    /// Restarts allowed before giving up (the result then reports `converged == false`).
    public var maxRestarts = 200
    public var seed: UInt64 = 0

    public init(subspace: Int? = nil, tolerance: Double? = nil, maxRestarts: Int = 200, seed: UInt64 = 0) {
        self.subspace = subspace
        self.tolerance = tolerance
        self.maxRestarts = maxRestarts
        self.seed = seed
    }
}

extension SingularValues {
    /// Golub–Kahan–Lanczos bidiagonalisation with full reorthogonalisation and thick restarts
    /// (the augmented implicitly restarted method of Baglama & Reichel, 2005).
    ///
    /// Each step applies A and Aᵀ to one vector and reorthogonalises the new basis vector against
    /// all previous ones (classical Gram–Schmidt, twice). When the basis is full, the small
    /// bidiagonal (after a restart: "arrowhead") matrix B is decomposed with gesdd. The residual of
    /// the i-th Ritz triplet is β·|last entry of B's i-th left singular vector|. If the wanted
    /// triplets have not converged, the bases are rotated onto the top k Ritz vectors (GEMMs) and
    /// extended again from the last residual direction.
    public static func lanczos<Op: MatrixOperator>(_ a: Op, rank k: Int, options: LanczosSVDOptions = LanczosSVDOptions(),
                                                    context: ExecutionContext = .current) throws -> TruncatedSVD<Op.Element> {
        typealias T = Op.Element
        let m = a.rows, n = a.columns
        try validate(m: m, n: n, k: k)
        let limit = Swift.min(m, n)
        let p = Swift.min(limit, options.subspace ?? Swift.max(2 * k, k + 20))
        guard p >= k else { throw LinearAlgebraError.invalidArgument("Lanczos subspace \(p) is smaller than the rank \(k)") }
        let tol = options.tolerance ?? (T.dtype == .double ? 1e-13 : 1e-6)
        if p == limit && limit <= 2048 && p <= k + 1 {
            // Nothing to gain from iterating: the whole spectrum is wanted.
            return try denseFallback(a, rank: k, context: context)
        }
        var V = Matrix<T>(rows: p + 1, columns: n) // rows are basis vectors
        var U = Matrix<T>(rows: p, columns: m)
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
                // u_j = A·v_j, orthogonalised against U[0..<j]
                var w = try a.apply(try Matrix(rows: n, columns: 1, elements: Array(V.storage[j * n..<(j + 1) * n])), context: context).storage
                try reorthogonalize(&w, against: U, count: j, context: context)
                let alpha = norm(w)
                guard alpha.isFinite else { throw LinearAlgebraError.nonFinite(operation: "Lanczos SVD", argument: "A·v", row: j, column: 0, batchIndex: nil) }
                if alpha == 0 {
                    if j == 0 { throw LinearAlgebraError.invalidArgument("truncated SVD: A·v is zero — the matrix is all zeros") }
                    w = randomOrthogonal(length: m, against: U, count: j, rng: &rng, context: context)
                } else { for t in 0..<m { w[t] /= alpha } }
                U.storage.replaceSubrange(j * m..<(j + 1) * m, with: w)
                B[j, j] = alpha
                // v_{j+1} = Aᵀ·u_j, orthogonalised against V[0...j]
                var r = try a.applyTransposed(try Matrix(rows: m, columns: 1, elements: w), context: context).storage
                try reorthogonalize(&r, against: V, count: j + 1, context: context)
                beta = norm(r)
                if beta == 0 {
                    r = randomOrthogonal(length: n, against: V, count: j + 1, rng: &rng, context: context)
                } else { for t in 0..<n { r[t] /= beta } }
                V.storage.replaceSubrange((j + 1) * n..<(j + 2) * n, with: r)
                if j + 1 < p { B[j, j + 1] = beta }
            }
            let small = try LinearAlgebra.svd(B, context: context) // B = X Σ Yᵀ
            let sigma = small.singularValues
            let residuals = (0..<k).map { Double(abs(beta * small.u[p - 1, $0])) }
            let top = sigma[0].doubleValue
            let done = residuals.allSatisfy { $0 <= tol * Swift.max(top, .leastNormalMagnitude) }
            if done || restarts >= options.maxRestarts {
                // U_k = Uᵀ·X_k (m × k), V_kᵀ = Y_kᵀ·V (k × n)
                let uk = try LinearAlgebra.multiply(U, small.u.block(rows: 0..<p, columns: 0..<k), transposeA: true, context: context)
                let vt = try LinearAlgebra.multiply(small.vt.rows(0..<k), V.rows(0..<p), context: context)
                let s = Array(sigma.prefix(k))
                let measured = try tripletResiduals(a, u: uk, s: s, vt: vt, context: context)
                return TruncatedSVD(u: uk, singularValues: s, vt: vt, residuals: measured,
                                    converged: done && measured.allSatisfy { $0 <= Swift.max(tol, 100 * T.ulpOfOne.doubleValue) * 10 * top },
                                    iterations: restarts, method: "lanczos")
            }
            // Thick restart on the top kk Ritz vectors (keeping a few extra speeds convergence).
            restarts += 1
            let kk = Swift.min(p - 1, k + (p - k) / 2)
            let newU = try LinearAlgebra.multiply(small.u.block(rows: 0..<p, columns: 0..<kk), U, transposeA: true, context: context) // kk × m
            let newV = try LinearAlgebra.multiply(small.vt.rows(0..<kk), V.rows(0..<p), context: context)                         // kk × n
            U.storage.replaceSubrange(0..<(kk * m), with: newU.storage)
            let residualDirection = Array(V.storage[p * n..<(p + 1) * n])
            V.storage.replaceSubrange(0..<(kk * n), with: newV.storage)
            V.storage.replaceSubrange(kk * n..<((kk + 1) * n), with: residualDirection)
            B = Matrix<T>(rows: p, columns: p)
            for i in 0..<kk {
                B[i, i] = sigma[i]
                B[i, kk] = beta * small.u[p - 1, i]
            }
            j0 = kk
        }
    }

    static func denseFallback<Op: MatrixOperator>(_ a: Op, rank k: Int, context: ExecutionContext) throws -> TruncatedSVD<Op.Element> {
        let dense = try a.apply(Matrix<Op.Element>.identity(a.columns), context: context)
        let f = try LinearAlgebra.svd(dense, context: context)
        let u = f.u.block(rows: 0..<a.rows, columns: 0..<k).materialized()
        let vt = f.vt.rows(0..<k).materialized()
        let s = Array(f.singularValues.prefix(k))
        return TruncatedSVD(u: u, singularValues: s, vt: vt, residuals: try tripletResiduals(a, u: u, s: s, vt: vt, context: context),
                            converged: true, iterations: 0, method: "dense")
    }

    /// x ← x − Wᵀ(W x) twice over the first `count` rows of W (classical Gram–Schmidt, repeated).
    static func reorthogonalize<T: Scalar>(_ x: inout [T], against w: Matrix<T>, count: Int, context: ExecutionContext) throws {
        guard count > 0 else { return }
        let basis = w.rows(0..<count)
        for _ in 0..<2 {
            let h = try LinearAlgebra.multiply(basis, vector: x, context: context)
            try LinearAlgebra.multiply(basis, vector: h, transposeA: true, alpha: -1, beta: 1, into: &x, context: context)
        }
    }

    static func norm<T: Scalar>(_ x: [T]) -> T {
        var s = 0.0
        for v in x { s += v.doubleValue * v.doubleValue }
        return T(s.squareRoot())
    }

    static func normalize<T: Scalar>(_ x: inout [T]) {
        let n = norm(x)
        for i in 0..<x.count { x[i] /= n }
    }

    /// A random unit vector orthogonal to the first `count` rows of `w` (breakdown recovery).
    static func randomOrthogonal<T: Scalar>(length: Int, against w: Matrix<T>, count: Int, rng: inout SeededGenerator, context: ExecutionContext) -> [T] {
        var x = (0..<length).map { _ in T(rng.nextGaussian()) }
        try? reorthogonalize(&x, against: w, count: count, context: context)
        normalize(&x)
        return x
    }
}
