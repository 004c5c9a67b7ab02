/// The switch between back ends: one function per kernel, pre-specialised for `Float` and
/// `Double` so that generic callers (including other modules) reach fully specialised SIMD code.
/// Operands are raw row-major (pointer, shape, row stride), already validated by the callers.
enum Kernels {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gemm<T: Scalar>(_ backend: Backend, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        switch backend {
        case .blas:
            OpenBLASKernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
        case .swift:
            SwiftGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gemv<T: Scalar>(_ backend: Backend, trans: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>, threads: Int) {
        switch backend {
        case .blas: OpenBLASKernels.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y, threads: threads)
        case .swift: SwiftLevel2.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y, threads: threads)
        }
    }

    /// Lower triangle of `C ← β·C + α·op(A)·op(A)ᵀ`, then mirrored into the upper triangle.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func syrk<T: Scalar>(_ backend: Backend, trans: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        switch backend {
        case .blas:
            OpenBLASKernels.syrkLower(trans: trans, n: n, k: k, alpha: alpha, a: a, lda: lda, beta: beta, c: c, ldc: ldc, threads: threads)
        case .swift:
            SwiftGEMM.gemm(transA: trans, transB: !trans, m: n, n: n, k: k, alpha: alpha, a: a, lda: lda, b: a, ldb: lda,
                           beta: beta, c: c, ldc: ldc, threads: threads, lowerOnly: true)
        }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { c[i * ldc + j] = c[j * ldc + i] } }
    }

    /// Y ← Y·L⁻ᵀ in place for a lower-triangular `L` (`n × n`) and `Y` (`m × n`). The Swift back end
    /// inverts `L` (n³/3 flops, n is small where this is used) and multiplies.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func solveRightLowerTransposed<T: Scalar>(_ backend: Backend, m: Int, n: Int, l: UnsafePointer<T>, ldl: Int,
                                                     y: UnsafeMutablePointer<T>, ldy: Int, threads: Int) {
        switch backend {
        case .blas:
            OpenBLASKernels.solveRightLowerTransposed(m: m, n: n, l: l, ldl: ldl, y: y, ldy: ldy, threads: threads)
        case .swift:
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
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func choleskyFactor<T: Scalar>(_ backend: Backend, n: Int, a: UnsafeMutablePointer<T>, lda: Int, threads: Int) -> Int {
        switch backend {
        case .blas: return OpenBLASKernels.choleskyFactor(n: n, a: a, lda: lda, threads: threads)
        case .swift: return SwiftCholesky.factor(n: n, a: a, lda: lda, threads: threads)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func choleskySolve<T: Scalar>(_ backend: Backend, n: Int, nrhs: Int, l: UnsafePointer<T>, ldl: Int,
                                         b: UnsafeMutablePointer<T>, ldb: Int) -> Int {
        switch backend {
        case .blas: return OpenBLASKernels.choleskySolve(n: n, nrhs: nrhs, l: l, ldl: ldl, b: b, ldb: ldb)
        case .swift:
            SwiftCholesky.solve(n: n, nrhs: nrhs, l: l, ldl: ldl, b: b, ldb: ldb)
            return 0
        }
    }

    /// `(L·Lᵀ)⁻¹`, full symmetric `n × n` row-major, from the lower factor `l` (row-major).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func choleskyInverse<T: Scalar>(_ backend: Backend, n: Int, l: UnsafePointer<T>, threads: Int) -> (inverse: [T], info: Int) {
        var x = [T](repeating: 0, count: n * n)
        var info = 0
        switch backend {
        case .blas:
            x.withUnsafeMutableBufferPointer { xb in
                xb.baseAddress!.update(from: l, count: n * n)
                info = OpenBLASKernels.choleskyInverse(n: n, a: xb.baseAddress!, lda: n, threads: threads)
            }
        case .swift:
            // A⁻¹ = L⁻ᵀ·L⁻¹, the lower triangle only.
            var inverse = [T](repeating: 0, count: n * n)
            SwiftCholesky.invertLower(n: n, l: l, ldl: n, into: &inverse)
            inverse.withUnsafeBufferPointer { ib in
                x.withUnsafeMutableBufferPointer { xb in
                    SwiftGEMM.gemm(transA: true, transB: false, m: n, n: n, k: n, alpha: 1, a: ib.baseAddress!, lda: n, b: ib.baseAddress!, ldb: n,
                                   beta: 0, c: xb.baseAddress!, ldc: n, threads: threads, lowerOnly: true)
                }
            }
        }
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { x[i * n + j] = x[j * n + i] } }
        return (x, info)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func qr<T: Scalar>(_ backend: Backend, _ a: Matrix<T>, threads: Int) throws -> (q: Matrix<T>, r: Matrix<T>) {
        switch backend {
        case .blas: return try OpenBLASKernels.qr(a, threads: threads)
        case .swift: return SwiftQR.qr(a, threads: threads)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func symmetricEigen<T: Scalar>(_ backend: Backend, _ a: Matrix<T>, threads: Int) throws -> (values: [T], vectors: Matrix<T>) {
        switch backend {
        case .blas: return try OpenBLASKernels.symmetricEigen(a, threads: threads)
        case .swift: return try SwiftSymmetricEigen.decompose(a, threads: threads)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func svd<T: Scalar>(_ backend: Backend, _ a: Matrix<T>, threads: Int) throws -> (u: Matrix<T>, s: [T], vt: Matrix<T>) {
        switch backend {
        case .blas: return try OpenBLASKernels.svd(a, threads: threads)
        case .swift: return try SwiftSVD.svd(a, threads: threads)
        }
    }
}
