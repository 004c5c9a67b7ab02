import RecKitSIMD

/// The pure-Swift GEMM, `C ← β·C + α·op(A)·op(B)` (row-major): ``TiledGEMM`` run on the
/// instruction-set tier in use (``SwiftKernelTier``). Contract as ``TiledGEMM``: results are
/// deterministic for a given tier and do not depend on `threads`; tiers agree to rounding (their
/// tiles sum in different orders, and the baseline tier does not fuse multiply-adds).
enum SwiftGEMM {
    /// - Parameters:
    ///   - lowerOnly: compute only micro-tiles that touch the lower triangle (`i ≥ j`) of C —
    ///     SYRK and blocked Cholesky. The strict upper triangle of C is unspecified afterwards.
    static func gemm<T: Scalar>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int, lowerOnly: Bool = false
    ) {
        let arguments = GEMMArguments(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads, lowerOnly: lowerOnly)
        SwiftKernelTier.kernels(T.self).gemm(arguments)
    }
}
