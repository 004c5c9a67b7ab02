import RecKitSIMD

/// The pure-Swift back end (``Backend/swift``): RecKit's own cache-blocked, SIMD, multi-threaded
/// kernels — ``SwiftGEMM``, ``SwiftCholesky``, ``SwiftQR``, ``SwiftSymmetricEigen``, ``SwiftSVD``,
/// and the tiered kernels below (``SwiftKernelTier``) — registered as one back end.
///
/// Every generic kernel is pre-specialised for `Float` and `Double`, so a call through
/// ``ExecutionContext/kernels`` (which does not know the precision statically) reaches fully
/// specialised SIMD code.
package enum SwiftBackend: BackendKernels {
    package static var backend: Backend { .swift }

    /// Nothing to set up: Swift kernels run on the calling thread.
    package static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R { try body() }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func gemm<T: Scalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                        b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        SwiftGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func gemv<T: Scalar>(trans: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                        x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>, threads: Int) {
        SwiftLevel2.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y, threads: threads)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func syrkLower<T: Scalar>(trans: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                             beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        SwiftGEMM.gemm(transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, a: a, lda: lda, b: a, ldb: lda,
                       beta: beta, c: c, ldc: ldc, threads: threads, lowerOnly: true)
    }

    /// Inverts `L` (n³/3 flops; `n` is small where this is used) and multiplies.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func solveRightLowerTransposed<T: Scalar>(m: Int, n: Int, l: UnsafePointer<T>, ldl: Int,
                                                             y: UnsafeMutablePointer<T>, ldy: Int, threads: Int) {
        var inverse = [T](repeating: 0, count: n * n)
        SwiftCholesky.invertLower(n: n, l: l, ldl: ldl, into: &inverse)
        var copy = [T](repeating: 0, count: m * n)
        for r in 0..<m { for c in 0..<n { copy[r * n + c] = y[r * ldy + c] } }
        copy.withUnsafeBufferPointer { cb in
            inverse.withUnsafeBufferPointer { ib in
                SwiftGEMM.gemm(transA: false, transB: true, m: m, n: n, k: n, alpha: 1, a: cb.baseAddress!, lda: n, b: ib.baseAddress!, ldb: n,
                               beta: 0, c: y, ldc: ldy, threads: threads, lowerOnly: false)
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func choleskyFactor<T: Scalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, threads: Int) -> Int {
        SwiftCholesky.factor(n: n, a: a, lda: lda, threads: threads)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func choleskySolve<T: Scalar>(n: Int, nrhs: Int, l: UnsafePointer<T>, ldl: Int, b: UnsafeMutablePointer<T>, ldb: Int,
                                                 threads: Int) -> Int {
        SwiftCholesky.solve(n: n, nrhs: nrhs, l: l, ldl: ldl, b: b, ldb: ldb)
        return 0
    }

    /// `A⁻¹ = L⁻ᵀ·L⁻¹`: the lower triangle by GEMM, mirrored.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func choleskyInverse<T: Scalar>(n: Int, l: UnsafePointer<T>, threads: Int) -> (inverse: [T], info: Int) {
        var x = [T](repeating: 0, count: n * n)
        var inverse = [T](repeating: 0, count: n * n)
        SwiftCholesky.invertLower(n: n, l: l, ldl: n, into: &inverse)
        inverse.withUnsafeBufferPointer { ib in
            x.withUnsafeMutableBufferPointer { xb in
                SwiftGEMM.gemm(transA: true, transB: false, m: n, n: n, k: n, alpha: 1, a: ib.baseAddress!, lda: n, b: ib.baseAddress!, ldb: n,
                               beta: 0, c: xb.baseAddress!, ldc: n, threads: threads, lowerOnly: true)
            }
        }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { x[i * n + j] = x[j * n + i] } }
        return (x, 0)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func qr<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (q: KernelMatrix<T>, r: KernelMatrix<T>) {
        SwiftQR.qr(a, threads: threads)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func symmetricEigen<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (values: [T], vectors: KernelMatrix<T>) {
        try SwiftSymmetricEigen.decompose(a, threads: threads)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func svd<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (u: KernelMatrix<T>, s: [T], vt: KernelMatrix<T>) {
        try SwiftSVD.svd(a, threads: threads)
    }

    /// The shim's `reckit_?csrmm[_t]` loops in Swift SIMD (``SparseRows``), on the tier in use.
    package static func csrTimesDense<T: Scalar>(transposed: Bool, rows: Range<Int>, width: Int, csr: CSRPointers<T>,
                                                 b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int) {
        SwiftKernelTier.kernels(T.self).csrTimesDense(
            CSRProductArguments(transposed: transposed, rows: rows, width: width, offsets: csr.offsets, columns: csr.columns,
                                values: csr.values, b: b, ldb: ldb, c: c, ldc: ldc))
    }

    /// The shim's ALS conjugate-gradient rows in Swift SIMD (``ALSRows``), on the tier in use.
    package static func alsConjugateGradient<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>,
                                                        y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T, steps: Int,
                                                        work: UnsafeMutablePointer<T>) {
        SwiftKernelTier.kernels(T.self).alsConjugateGradient(
            ALSRowArguments(rows: rows, f: f, offsets: csr.offsets, columns: csr.columns, values: csr.values, gram: gram,
                            lambda: 0, alpha: alpha, y: y, x: x, steps: steps, gatherRows: ALSKernels.gatherRows, work: work))
    }

    /// The shim's exact ALS row solves in Swift SIMD (``ALSRows``), on the tier in use.
    package static func alsSolve<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>?, lambda: T,
                                            y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T,
                                            work: UnsafeMutablePointer<T>) -> (row: Int, order: Int)? {
        SwiftKernelTier.kernels(T.self).alsCholesky(
            ALSRowArguments(rows: rows, f: f, offsets: csr.offsets, columns: csr.columns, values: csr.values, gram: gram,
                            lambda: lambda, alpha: alpha, y: y, x: x, steps: 0, gatherRows: ALSKernels.gatherRows, work: work))
    }

    /// The shim's `reckit_sgd_biased_epoch` in Swift (``BiasedSGD``), on the tier in use.
    package static func sgdBiasedEpoch(_ entries: UnsafeBufferPointer<RatingEntry>, p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>,
                                       bu: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>, stride: Int,
                                       mu: Float, lr: Float, reg: Float, regBias: Float) -> Double {
        SwiftKernelTier.active.sgdBiasedEpoch(SGDEpochArguments(entries: entries, p: p, q: q, bu: bu, bi: bi, stride: stride,
                                                                mu: mu, lr: lr, reg: reg, regBias: regBias))
    }
}
