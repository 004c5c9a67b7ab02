/// The Cholesky factor `L` of a symmetric positive-definite matrix, `A = L·Lᵀ`, ready to solve
/// with.
public struct CholeskyFactorization<T: Scalar>: Sendable {
    /// The lower-triangular factor (strict upper triangle zero), row-major `n × n`.
    public let lower: Matrix<T>
    /// The context the factor was computed in; solves use it too unless told otherwise.
    public let context: ExecutionContext

    /// Solves `A·X = B` for `X`.
    /// - Parameter b: the right-hand sides, `n × nrhs`.
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` when `b` has the wrong row count;
    ///   ``LinearAlgebraError/nonFinite(operation:argument:row:column:batchIndex:)`` for NaN/∞ in `b`.
    public func solve(_ b: Matrix<T>, context: ExecutionContext? = nil) throws -> Matrix<T> {
        let n = lower.rows
        guard b.rows == n else {
            throw LinearAlgebraError.shapeMismatch(operation: "Cholesky solve", details: "A is \(n)×\(n) but B is \(b.shapeDescription)")
        }
        try Check.finite(b.matrixView, "Cholesky solve", "B")
        var x = b
        if b.columns == 0 || n == 0 { return x }
        let info = lower.storage.withUnsafeBufferPointer { lb in
            x.storage.withUnsafeMutableBufferPointer { xb in
                (context ?? self.context).kernels.choleskySolve(n: n, nrhs: b.columns, l: lb.baseAddress!, ldl: n,
                                                                b: xb.baseAddress!, ldb: b.columns, threads: (context ?? self.context).threads)
            }
        }
        if info != 0 { throw LinearAlgebraError.factorizationFailed(operation: "Cholesky solve (potrs)", info: info, hint: "invalid argument") }
        return x
    }

    /// `A⁻¹` (symmetric, `n × n`), from the factor: LAPACK `potri` on the OpenBLAS back end,
    /// `L⁻ᵀ·L⁻¹` on the pure-Swift one. `n³` flops after the factorisation's `n³/3`.
    /// - Throws: ``LinearAlgebraError/factorizationFailed(operation:info:hint:)`` if LAPACK reports a
    ///   zero on the factor's diagonal.
    public func inverse(context: ExecutionContext? = nil) throws -> Matrix<T> {
        let n = lower.rows, ctx = context ?? self.context
        let (x, info) = lower.storage.withUnsafeBufferPointer { ctx.kernels.choleskyInverse(n: n, l: $0.baseAddress!, threads: ctx.threads) }
        if info != 0 { throw LinearAlgebraError.factorizationFailed(operation: "Cholesky inverse (potri)", info: info, hint: "the factor is singular") }
        return try Matrix(rows: n, columns: n, elements: x)
    }

    /// Solves `A·x = b` for one right-hand side.
    public func solve(_ b: [T], context: ExecutionContext? = nil) throws -> [T] {
        try solve(Matrix(rows: b.count, columns: 1, elements: b), context: context).storage
    }
}

extension LinearAlgebra {
    /// Cholesky factorisation `A = L·Lᵀ` of a symmetric positive-definite matrix (potrf).
    ///
    /// Only the lower triangle of `a` is read.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(operation:order:batchIndex:)`` naming the first
    ///   failing leading minor; ``LinearAlgebraError/nonFinite(operation:argument:row:column:batchIndex:)``;
    ///   shape errors for a non-square or empty matrix.
    /// - Complexity: `n³/3` flops.
    public static func cholesky<T: Scalar>(_ a: some MatrixRepresentable<T>, context: ExecutionContext = .current) throws -> CholeskyFactorization<T> {
        var l = try Check.symmetricInput(a.matrixView, "cholesky", context)
        let n = l.rows
        let info = l.storage.withUnsafeMutableBufferPointer {
            context.kernels.choleskyFactor(n: n, a: $0.baseAddress!, lda: n, threads: context.threads)
        }
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(operation: "cholesky", order: info, batchIndex: nil) }
        if info < 0 { throw LinearAlgebraError.factorizationFailed(operation: "cholesky (potrf)", info: info, hint: "invalid argument") }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { l.storage[i * n + j] = 0 } }
        return CholeskyFactorization(lower: l, context: context)
    }

    /// Solves `A·X = B` for symmetric positive-definite `A` (posv: factor, then solve).
    /// - Throws: as ``cholesky(_:context:)`` and ``CholeskyFactorization/solve(_:context:)``.
    public static func solvePositiveDefinite<T: Scalar>(
        _ a: some MatrixRepresentable<T>, _ b: Matrix<T>, context: ExecutionContext = .current
    ) throws -> Matrix<T> {
        let av = a.matrixView
        guard av.rows == b.rows else {
            throw LinearAlgebraError.shapeMismatch(operation: "solvePositiveDefinite", details: "A is \(av.shapeDescription) but B is \(b.shapeDescription)")
        }
        return try cholesky(av, context: context).solve(b)
    }

    /// Solves many small symmetric positive-definite systems `A[i]·X[i] = B[i]` in one call,
    /// parallel across the batch (the solve step of ALS: one system per user or item).
    ///
    /// Reads the lower triangle of each `A[i]`. Each system is factored and solved single-threaded
    /// on the chosen back end.
    /// - Parameters:
    ///   - a: `count` matrices `n × n`.
    ///   - b: `count` right-hand sides `n × nrhs`.
    /// - Returns: the solutions, shaped like `b`.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(operation:order:batchIndex:)`` naming the first
    ///   failing system (lowest index); NaN/∞ and shape errors with the batch index.
    /// - Complexity: `count·(n³/3 + 2·n²·nrhs)` flops.
    public static func batchedSolvePositiveDefinite<T: Scalar>(
        _ a: MatrixBatch<T>, _ b: MatrixBatch<T>, context: ExecutionContext = .current
    ) throws -> MatrixBatch<T> {
        let n = a.rows
        guard a.rows == a.columns, b.rows == n, b.count == a.count else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "batchedSolvePositiveDefinite",
                details: "A is \(a.shapeDescription), B is \(b.shapeDescription); need square A[i] n×n, B[i] n×nrhs, equal counts")
        }
        try Check.threads(context)
        var factors = a, x = b
        if a.count == 0 || n == 0 || b.columns == 0 { return x }
        let nrhs = b.columns, aStride = a.stride, bStride = b.stride, kernels = context.kernels
        // Failures per item: 0 ok, > 0 order of the failing minor, −1 non-finite input.
        var status = [Int](repeating: 0, count: a.count)
        factors.storage.withUnsafeMutableBufferPointer { fb in
            x.storage.withUnsafeMutableBufferPointer { xb in
                status.withUnsafeMutableBufferPointer { sb in
                    let F = fb.baseAddress!, X = xb.baseAddress!, S = sb.baseAddress!
                    Parallel.forEachChunk(count: a.count, threads: context.threads, minimumChunk: 1) { items in kernels.withSingleThreadedCalls {
                        for i in items {
                            let f = F + i * aStride, rhs = X + i * bStride
                            if !allFinite(f, aStride) || !allFinite(rhs, bStride) { S[i] = -1; continue }
                            let info = kernels.choleskyFactor(n: n, a: f, lda: n, threads: 1)
                            if info != 0 { S[i] = info; continue }
                            _ = kernels.choleskySolve(n: n, nrhs: nrhs, l: f, ldl: n, b: rhs, ldb: nrhs, threads: 1)
                        }
                    } }
                }
            }
        }
        if let bad = status.firstIndex(where: { $0 != 0 }) {
            if status[bad] < 0 {
                let am = a[bad].matrixView, bm = b[bad].matrixView
                if let (r, c) = am.firstNonFinite {
                    throw LinearAlgebraError.nonFinite(operation: "batchedSolvePositiveDefinite", argument: "A", row: r, column: c, batchIndex: bad)
                }
                let (r, c) = bm.firstNonFinite ?? (0, 0)
                throw LinearAlgebraError.nonFinite(operation: "batchedSolvePositiveDefinite", argument: "B", row: r, column: c, batchIndex: bad)
            }
            throw LinearAlgebraError.notPositiveDefinite(operation: "batchedSolvePositiveDefinite", order: status[bad], batchIndex: bad)
        }
        return x
    }

    @inline(__always)
    static func allFinite<T: Scalar>(_ p: UnsafePointer<T>, _ count: Int) -> Bool {
        var acc: T = 0
        for i in 0..<count { acc += p[i] * 0 } // NaN·0 and ∞·0 are NaN; finite·0 is 0
        return !acc.isNaN
    }

    @inline(__always)
    static func allFinite<T: Scalar>(_ p: UnsafeMutablePointer<T>, _ count: Int) -> Bool { allFinite(UnsafePointer(p), count) }
}
