/// Pure-Swift Cholesky factorisation `A = L·Lᵀ` and solves, row-major, lower triangle.
///
/// Small matrices use the row-oriented (Cholesky–Banachiewicz) algorithm, whose inner products
/// run over contiguous row prefixes (SIMD dots). Larger ones are blocked: factor a diagonal block,
/// solve the panel below it row by row, and update the trailing matrix with the pure-Swift GEMM
/// restricted to its lower triangle (a SYRK), which carries nearly all the flops.
enum SwiftCholesky {
    static let blockSize = 96

    /// Factors in place. Returns 0, or the order `k ≥ 1` of the first leading minor that is not
    /// positive definite (LAPACK's `info`). Only the lower triangle is read or written.
    static func factor<T: Scalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, threads: Int) -> Int {
        if n <= blockSize * 2 { return unblocked(n: n, a: a, lda: lda) }
        for k0 in stride(from: 0, to: n, by: blockSize) {
            let kb = Swift.min(blockSize, n - k0)
            let info = unblocked(n: kb, a: a + k0 * lda + k0, lda: lda)
            if info != 0 { return k0 + info }
            let below = n - k0 - kb
            if below == 0 { break }
            let l11 = UnsafePointer(a + k0 * lda + k0)
            let panel = a + (k0 + kb) * lda + k0
            // L21 ← A21·L11⁻ᵀ, one row at a time (forward substitution on contiguous prefixes).
            Parallel.forEachChunk(count: below, threads: threads, minimumChunk: 32) { rows in
                for r in rows {
                    let x = panel + r * lda
                    for j in 0..<kb {
                        x[j] = (x[j] - VectorKernels.dot(UnsafePointer(x), l11 + j * lda, j)) / l11[j * lda + j]
                    }
                }
            }
            // A22 ← A22 − L21·L21ᵀ (lower triangle)
            SwiftGEMM.gemm(transA: false, transB: true, m: below, n: below, k: kb, alpha: -1,
                           a: UnsafePointer(panel), lda: lda, b: UnsafePointer(panel), ldb: lda, beta: 1,
                           c: a + (k0 + kb) * lda + (k0 + kb), ldc: lda, threads: threads, lowerOnly: true)
        }
        return 0
    }

    static func unblocked<T: Scalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int) -> Int {
        for i in 0..<n {
            let ri = a + i * lda
            for j in 0..<i {
                let rj = a + j * lda
                ri[j] = (ri[j] - VectorKernels.dot(UnsafePointer(ri), UnsafePointer(rj), j)) / rj[j]
            }
            let d = ri[i] - VectorKernels.dot(UnsafePointer(ri), UnsafePointer(ri), i)
            if !(d > 0) || !d.isFinite { return i + 1 }
            ri[i] = T.squareRoot(d)
        }
        return 0
    }

    /// Solves `L·Lᵀ·X = B` in place of `B` (`n × nrhs`, row-major) given the factor's lower triangle.
    static func solve<T: Scalar>(n: Int, nrhs: Int, l: UnsafePointer<T>, ldl: Int, b: UnsafeMutablePointer<T>, ldb: Int) {
        if nrhs == 1 {
            // Forward: y_i = (b_i − L[i, :i]·y[:i]) / L_ii — a contiguous dot per row.
            for i in 0..<n { b[i * ldb] = (b[i * ldb] - dotStrided(l + i * ldl, b, ldb, i)) / l[i * ldl + i] }
            // Backward with Lᵀ, by rows of L: x_i /= L_ii, then x[:i] −= L[i, :i]·x_i.
            for i in stride(from: n - 1, through: 0, by: -1) {
                b[i * ldb] /= l[i * ldl + i]
                let xi = b[i * ldb]
                let row = l + i * ldl
                for j in 0..<i { b[j * ldb] -= row[j] * xi }
            }
            return
        }
        for i in 0..<n {
            let bi = b + i * ldb
            for j in 0..<i { VectorKernels.axpy(-l[i * ldl + j], UnsafePointer(b + j * ldb), bi, nrhs) }
            VectorKernels.scale(1 / l[i * ldl + i], bi, nrhs)
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let bi = b + i * ldb
            VectorKernels.scale(1 / l[i * ldl + i], bi, nrhs)
            for j in 0..<i { VectorKernels.axpy(-l[i * ldl + j], UnsafePointer(bi), b + j * ldb, nrhs) }
        }
    }

    @inline(__always)
    /// `L⁻¹` of a non-singular lower-triangular `n × n` matrix into `x` (row-major, `n × n`), by
    /// column-oriented forward substitution (`n³/3` flops).
    static func invertLower<T: Scalar>(n: Int, l: UnsafePointer<T>, ldl: Int, into x: inout [T]) {
        x.withUnsafeMutableBufferPointer { xb in
            let X = xb.baseAddress!
            for j in 0..<n {
                X[j * n + j] = 1 / l[j * ldl + j]
                for i in (j + 1)..<Swift.max(j + 1, n) {
                    var s: T = 0
                    for p in j..<i { s += l[i * ldl + p] * X[p * n + j] }
                    X[i * n + j] = -s / l[i * ldl + i]
                }
            }
        }
    }

    private static func dotStrided<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ incy: Int, _ n: Int) -> T {
        if incy == 1 { return VectorKernels.dot(x, UnsafePointer(y), n) }
        var s: T = 0
        for j in 0..<n { s += x[j] * y[j * incy] }
        return s
    }
}
