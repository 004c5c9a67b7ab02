/// Pure-Swift matrix–vector product: `y ← β·y + α·op(A)·x`, `A` row-major `m × n`.
enum SwiftLevel2 {
    static func gemv<T: Scalar>(trans: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>, threads: Int) {
        let work = m * n
        let t = work < 65_536 ? 1 : threads
        if !trans {
            // y[i] = β·y[i] + α·(row i · x): rows split across threads, four rows at a time in the tier.
            Parallel.forEachChunk(count: m, threads: t, minimumChunk: 64) { rows in
                VectorKernels.gemvRows(a + rows.lowerBound * lda, lda: lda, m: rows.count, n: n, x: x, alpha: alpha, beta: beta,
                                       y: y + rows.lowerBound)
            }
        } else {
            // y = β·y + α·Σ_i x[i]·row i: columns split across threads, rows streamed.
            Parallel.forEachChunk(count: n, threads: t, minimumChunk: 256) { cols in
                let y0 = y + cols.lowerBound
                VectorKernels.scale(beta, y0, cols.count)
                for i in 0..<m where x[i] != 0 {
                    VectorKernels.axpy(alpha * x[i], a + i * lda + cols.lowerBound, y0, cols.count)
                }
            }
        }
    }
}
