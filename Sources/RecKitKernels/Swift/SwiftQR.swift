/// Pure-Swift Householder QR with LAPACK's reflector convention (`H = I − τ·v·vᵀ`, `v₀ = 1`,
/// `β = −sign(α)·‖x‖`), so R agrees with `geqrf` up to rounding.
///
/// The matrix is worked on transposed (each column of A is a contiguous row), so applying a
/// reflector to a column is a SIMD dot and axpy, and the columns it updates are split across threads.
enum SwiftQR {
    /// Thin QR of an `m × n` row-major matrix: `Q` is `m × p`, `R` is `p × n`, `p = min(m, n)`.
    static func qr<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) -> (q: KernelMatrix<T>, r: KernelMatrix<T>) {
        let m = a.rows, n = a.columns, p = Swift.min(m, n)
        var w = a.transposed // n × m: row j = column j of A
        var tau = [T](repeating: 0, count: p)
        w.storage.withUnsafeMutableBufferPointer { wb in
            let W = wb.baseAddress!
            for k in 0..<p {
                let x = W + k * m + k
                tau[k] = makeReflector(x, m - k)
                let t = tau[k]
                if t == 0 { continue }
                let cols = n - k - 1
                let parallel = cols * (m - k) > 32_768 ? threads : 1
                Parallel.forEachChunk(count: cols, threads: parallel, minimumChunk: 8) { range in
                    for j in range { applyReflector(UnsafePointer(x), t, W + (k + 1 + j) * m + k, m - k) }
                }
            }
        }
        var r = KernelMatrix<T>(rows: p, columns: n)
        for i in 0..<p { for j in i..<n { r.storage[i * n + j] = w.storage[j * m + i] } }

        // Q = H₀·H₁·…·H_{p−1}·[I; 0], column j built as a row of Qᵀ; H_k only touches columns j ≥ k.
        var qt = KernelMatrix<T>(rows: p, columns: m)
        for j in 0..<p { qt.storage[j * m + j] = 1 }
        w.storage.withUnsafeBufferPointer { wb in
            qt.storage.withUnsafeMutableBufferPointer { qb in
                let W = wb.baseAddress!, Q = qb.baseAddress!
                for k in stride(from: p - 1, through: 0, by: -1) where tau[k] != 0 {
                    let cols = p - k
                    let parallel = cols * (m - k) > 32_768 ? threads : 1
                    let t = tau[k]
                    Parallel.forEachChunk(count: cols, threads: parallel, minimumChunk: 8) { range in
                        for j in range { applyReflector(W + k * m + k, t, Q + (k + j) * m + k, m - k) }
                    }
                }
            }
        }
        return (qt.transposed, r)
    }

    /// Turns `x[0..<len]` into `β·e₀` by a reflector: on return `x[0] = β`, `x[1...]` holds `v[1...]`.
    /// Returns τ (0 when `x[1...]` is already zero).
    @inline(__always)
    static func makeReflector<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ len: Int) -> T {
        guard len > 1 else { return 0 }
        let alpha = x[0]
        let tailNormSq = VectorKernels.dot(UnsafePointer(x + 1), UnsafePointer(x + 1), len - 1)
        if tailNormSq == 0 { return 0 }
        let norm = T.squareRoot(alpha * alpha + tailNormSq)
        let beta = alpha >= 0 ? -norm : norm
        let tau = (beta - alpha) / beta
        VectorKernels.scale(1 / (alpha - beta), x + 1, len - 1)
        x[0] = beta
        return tau
    }

    /// `y ← (I − τ·v·vᵀ)·y` where `v = [1, v[1...]]` (v[0] is ignored and taken as 1).
    @inline(__always)
    static func applyReflector<T: Scalar>(_ v: UnsafePointer<T>, _ tau: T, _ y: UnsafeMutablePointer<T>, _ len: Int) {
        let s = tau * (y[0] + VectorKernels.dot(v + 1, UnsafePointer(y + 1), len - 1))
        if s == 0 { return }
        y[0] -= s
        VectorKernels.axpy(-s, v + 1, y + 1, len - 1)
    }
}
