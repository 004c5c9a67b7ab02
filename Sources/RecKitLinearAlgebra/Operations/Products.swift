/// Dense products: general matrix–matrix (GEMM), matrix–vector (GEMV), Gram matrices (SYRK) and
/// batched GEMM. All operands are row-major; `op(X)` is `X` or `Xᵀ`.
public enum LinearAlgebra {}

extension LinearAlgebra {
    /// General matrix product into an existing matrix.
    ///
    /// ```
    /// C ← β·C + α·op(A)·op(B),   op(A): m × k,  op(B): k × n,  C: m × n
    /// ```
    /// With `beta == 0`, `C`'s previous contents (even NaN) are ignored, as in BLAS.
    ///
    /// - Parameters:
    ///   - a: `A`, or a view of it; `op(A)` is `Aᵀ` when `transposeA`.
    ///   - b: `B`, or a view of it; `op(B)` is `Bᵀ` when `transposeB`.
    ///   - c: the output, already of shape `m × n`.
    ///   - context: back end and threads.
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` naming all three shapes.
    /// - Complexity: `2·m·n·k` flops.
    public static func multiply<T: Scalar>(
        _ a: some MatrixRepresentable<T>, _ b: some MatrixRepresentable<T>,
        transposeA: Bool = false, transposeB: Bool = false, alpha: T = 1, beta: T = 0,
        into c: inout Matrix<T>, context: ExecutionContext = .current
    ) throws {
        let av = a.matrixView, bv = b.matrixView
        let (m, k) = transposeA ? (av.columns, av.rows) : (av.rows, av.columns)
        let (kb, n) = transposeB ? (bv.columns, bv.rows) : (bv.rows, bv.columns)
        guard k == kb, c.rows == m, c.columns == n else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "multiply",
                details: "op(A) is \(m)×\(k) (A \(av.shapeDescription)\(transposeA ? ", transposed" : "")), "
                    + "op(B) is \(kb)×\(n) (B \(bv.shapeDescription)\(transposeB ? ", transposed" : "")), "
                    + "C is \(c.shapeDescription); need op(A) m×k, op(B) k×n, C m×n")
        }
        try Check.threads(context)
        if m == 0 || n == 0 { return }
        if k == 0 {
            c.storage.withUnsafeMutableBufferPointer { VectorKernels.scale(beta, $0.baseAddress!, $0.count) }
            return
        }
        av.withPointer { ap, lda in
            bv.withPointer { bp, ldb in
                c.storage.withUnsafeMutableBufferPointer { cb in
                    context.kernels.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                 a: ap, lda: lda, b: bp, ldb: ldb, beta: beta, c: cb.baseAddress!, ldc: n,
                                 threads: context.threads)
                }
            }
        }
    }

    /// General matrix product `α·op(A)·op(B)` as a new matrix. The result starts uninitialised
    /// (β = 0 writes it without reading it), so its pages are first touched by the GEMM's threads.
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` naming both shapes.
    @inlinable
    public static func multiply<T: Scalar>(
        _ a: some MatrixRepresentable<T>, _ b: some MatrixRepresentable<T>,
        transposeA: Bool = false, transposeB: Bool = false, alpha: T = 1,
        context: ExecutionContext = .current
    ) throws -> Matrix<T> {
        let av = a.matrixView, bv = b.matrixView
        var c = Matrix<T>(uninitializedRows: transposeA ? av.columns : av.rows, columns: transposeB ? bv.rows : bv.columns)
        try multiply(av, bv, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0, into: &c, context: context)
        return c
    }

    /// Matrix–vector product into an existing vector.
    ///
    /// ```
    /// y ← β·y + α·op(A)·x,   op(A): m × n,  x: n,  y: m
    /// ```
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` naming the shapes.
    /// - Complexity: `2·m·n` flops.
    public static func multiply<T: Scalar>(
        _ a: some MatrixRepresentable<T>, vector x: [T], transposeA: Bool = false,
        alpha: T = 1, beta: T = 0, into y: inout [T], context: ExecutionContext = .current
    ) throws {
        let av = a.matrixView
        try y.withUnsafeMutableBufferPointer { yb in
            try multiply(av, vector: x, transposeA: transposeA, alpha: alpha, beta: beta, into: yb, context: context)
        }
    }

    /// The product above into memory: with β = 0, `y` is written without being read, so it may be
    /// uninitialised.
    static func multiply<T: Scalar>(
        _ av: MatrixView<T>, vector x: [T], transposeA: Bool, alpha: T, beta: T,
        into yb: UnsafeMutableBufferPointer<T>, context: ExecutionContext
    ) throws {
        let (m, n) = transposeA ? (av.columns, av.rows) : (av.rows, av.columns)
        guard x.count == n, yb.count == m else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "multiply(matrix, vector)",
                details: "op(A) is \(m)×\(n) (A \(av.shapeDescription)\(transposeA ? ", transposed" : "")), x has \(x.count) "
                    + "elements, y has \(yb.count); need x of \(n) and y of \(m)")
        }
        try Check.threads(context)
        if m == 0 { return }
        if n == 0 { VectorKernels.scale(beta, yb.baseAddress!, m); return }
        av.withPointer { ap, lda in
            x.withUnsafeBufferPointer { xb in
                context.kernels.gemv(trans: transposeA, m: av.rows, n: av.columns, alpha: alpha, a: ap, lda: lda,
                                     x: xb.baseAddress!, beta: beta, y: yb.baseAddress!, threads: context.threads)
            }
        }
    }

    /// Matrix–vector product `op(A)·x` as a new vector.
    public static func multiply<T: Scalar>(
        _ a: some MatrixRepresentable<T>, vector x: [T], transposeA: Bool = false, context: ExecutionContext = .current
    ) throws -> [T] {
        let av = a.matrixView
        let m = transposeA ? av.columns : av.rows
        // β = 0 writes every element without reading it, so `y` starts uninitialised: this
        // unspecialised generic code would otherwise fill it through a value-witness call per
        // element (4 % of a server's time, scoring 20 000 items per online user).
        return try [T](unsafeUninitializedCapacity: m) { buffer, count in
            try multiply(av, vector: x, transposeA: transposeA, alpha: 1, beta: 0, into: buffer, context: context)
            count = m
        }
    }

    /// Symmetric rank-k update (Gram matrix) into an existing matrix; both triangles are written.
    ///
    /// ```
    /// C ← β·C + α·op(A)·op(A)ᵀ,   op(A): n × k,  C: n × n   (op(A) = Aᵀ when transposeA: C = AᵀA)
    /// ```
    /// - Complexity: `n²·k` flops (half of the equivalent GEMM).
    public static func gram<T: Scalar>(
        _ a: some MatrixRepresentable<T>, transposeA: Bool = false, alpha: T = 1, beta: T = 0,
        into c: inout Matrix<T>, context: ExecutionContext = .current
    ) throws {
        let av = a.matrixView
        let (n, k) = transposeA ? (av.columns, av.rows) : (av.rows, av.columns)
        guard c.rows == n, c.columns == n else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "gram", details: "op(A) is \(n)×\(k) (A \(av.shapeDescription)\(transposeA ? ", transposed" : "")), "
                    + "so C must be \(n)×\(n), got \(c.shapeDescription)")
        }
        try Check.threads(context)
        if n == 0 { return }
        if k == 0 { c.storage.withUnsafeMutableBufferPointer { VectorKernels.scale(beta, $0.baseAddress!, $0.count) }; return }
        av.withPointer { ap, lda in
            c.storage.withUnsafeMutableBufferPointer { cb in
                context.kernels.syrkLower(trans: transposeA, n: n, k: k, alpha: alpha, a: ap, lda: lda, beta: beta,
                                          c: cb.baseAddress!, ldc: n, threads: context.threads)
                let c = cb.baseAddress!
                for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { c[i * n + j] = c[j * n + i] } }
            }
        }
    }

    /// The Gram matrix `op(A)·op(A)ᵀ` (`AᵀA` when `transposeA`) as a new symmetric matrix.
    public static func gram<T: Scalar>(
        _ a: some MatrixRepresentable<T>, transposeA: Bool = false, context: ExecutionContext = .current
    ) throws -> Matrix<T> {
        let av = a.matrixView
        let n = transposeA ? av.columns : av.rows
        var c = Matrix<T>(rows: n, columns: n)
        try gram(av, transposeA: transposeA, into: &c, context: context)
        return c
    }

    /// Many same-shape products in one call, parallel across the batch.
    ///
    /// ```
    /// C[i] ← β·C[i] + α·op(A[i])·op(B[i])   for every i,   or op(B) shared when b.count == 1
    /// ```
    /// Each product runs single-threaded on the chosen back end; the batch is split into
    /// `context.threads` contiguous ranges (Debian's OpenBLAS has no `cblas_?gemm_batch`).
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` naming the batch shapes.
    public static func batchedMultiply<T: Scalar>(
        _ a: MatrixBatch<T>, _ b: MatrixBatch<T>, transposeA: Bool = false, transposeB: Bool = false,
        alpha: T = 1, beta: T = 0, into c: inout MatrixBatch<T>, context: ExecutionContext = .current
    ) throws {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        guard k == kb, c.rows == m, c.columns == n, c.count == a.count, b.count == a.count || b.count == 1 else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "batchedMultiply",
                details: "A is \(a.shapeDescription)\(transposeA ? " transposed" : ""), B is \(b.shapeDescription)"
                    + "\(transposeB ? " transposed" : ""), C is \(c.shapeDescription); need op(A[i]) m×k, op(B[i]) k×n, "
                    + "C[i] m×n, and equal counts (or one shared B)")
        }
        try Check.threads(context)
        if a.count == 0 || m == 0 || n == 0 { return }
        let kernels = context.kernels
        let aStride = a.stride, bStride = b.count == 1 ? 0 : b.stride, cStride = c.stride
        let lda = a.columns, ldb = b.columns
        a.storage.withUnsafeBufferPointer { ab in
            b.storage.withUnsafeBufferPointer { bb in
                c.storage.withUnsafeMutableBufferPointer { cb in
                    let A = ab.baseAddress, B = bb.baseAddress, C = cb.baseAddress!
                    Parallel.forEachChunk(count: a.count, threads: context.threads, minimumChunk: 1) { items in kernels.withSingleThreadedCalls {
                        for i in items {
                            if k == 0 { VectorKernels.scale(beta, C + i * cStride, cStride); continue }
                            kernels.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                         a: A! + i * aStride, lda: lda, b: B! + i * bStride, ldb: ldb, beta: beta,
                                         c: C + i * cStride, ldc: n, threads: 1)
                        }
                    } }
                }
            }
        }
    }
}
