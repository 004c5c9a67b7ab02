/// Pure-Swift thin SVD by one-sided (Hestenes) Jacobi, preceded by a QR step for tall matrices.
///
/// Columns of the (R-)matrix are kept as contiguous rows; each pair rotation is a fused SIMD
/// pass for the three inner products and two SIMD rotations. Pairs are visited in round-robin
/// (tournament) order, so the `n/2` rotations of a round touch disjoint rows and run in parallel;
/// the schedule is fixed, so results are deterministic for a thread count. One-sided Jacobi
/// computes small singular values to high relative accuracy.
enum SwiftSVD {
    static let maxSweeps = 60

    /// `A = U·diag(s)·Vt` with `U: m × p`, `s` descending (length p), `Vt: p × n`, `p = min(m, n)`.
    static func svd<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (u: KernelMatrix<T>, s: [T], vt: KernelMatrix<T>) {
        if a.rows < a.columns {
            let (u, s, vt) = try svd(a.transposed, threads: threads)
            return (vt.transposed, s, u.transposed)
        }
        let m = a.rows, n = a.columns
        // Tall: A = Q·R, then the Jacobi SVD of the n × n R.
        var q: KernelMatrix<T>? = nil
        var work: KernelMatrix<T>
        if m > n {
            let f = SwiftQR.qr(a, threads: threads)
            q = f.q
            work = f.r.transposed // row i = column i of R
        } else {
            work = a.transposed
        }
        let len = work.columns // length of each column vector
        var v = KernelMatrix<T>.identity(n) // row i = right singular vector i
        try jacobi(&work, &v, len: len, threads: threads)

        // Singular values are the column norms; sort descending (ties keep index order).
        var norms = [T](repeating: 0, count: n)
        work.storage.withUnsafeBufferPointer { w in
            for i in 0..<n { let r = w.baseAddress! + i * len; norms[i] = T.squareRoot(VectorKernels.dot(r, r, len)) }
        }
        let order = (0..<n).sorted { norms[$0] > norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
        let sigmaMax = norms[order[0]]
        let negligible = sigmaMax * T.ulpOfOne * T(len)
        var urows = KernelMatrix<T>(rows: n, columns: len)
        var vt = KernelMatrix<T>(rows: n, columns: n)
        var s = [T](repeating: 0, count: n)
        var deficient: [Int] = []
        for (k, i) in order.enumerated() {
            s[k] = norms[i]
            for j in 0..<n { vt.storage[k * n + j] = v.storage[i * n + j] }
            if norms[i] > negligible && norms[i] > 0 {
                let inv = 1 / norms[i]
                for j in 0..<len { urows.storage[k * len + j] = work.storage[i * len + j] * inv }
            } else {
                deficient.append(k)
            }
        }
        completeOrthonormalRows(&urows, missing: deficient)

        var u: KernelMatrix<T>
        if let q {
            u = KernelMatrix<T>(rows: m, columns: n)
            q.storage.withUnsafeBufferPointer { qb in
                urows.storage.withUnsafeBufferPointer { ub in
                    u.storage.withUnsafeMutableBufferPointer { cb in
                        SwiftGEMM.gemm(transA: false, transB: true, m: m, n: n, k: n, alpha: 1,
                                       a: qb.baseAddress!, lda: n, b: ub.baseAddress!, ldb: len,
                                       beta: 0, c: cb.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
        } else {
            u = urows.transposed
        }
        return (u, s, vt)
    }

    /// Rotates pairs of rows of `w` (and the same rows of `v`) until all pairs are orthogonal to
    /// working precision.
    static func jacobi<T: Scalar>(_ w: inout KernelMatrix<T>, _ v: inout KernelMatrix<T>, len: Int, threads: Int) throws {
        let n = w.rows
        guard n > 1 else { return }
        let tol = T.ulpOfOne * T.squareRoot(T(len))
        let players = n + (n & 1)
        let parallel = n * len > 8192 ? threads : 1
        var ring = Array(0..<players)
        for _ in 0..<maxSweeps {
            var rotated = 0
            w.storage.withUnsafeMutableBufferPointer { wb in
                v.storage.withUnsafeMutableBufferPointer { vb in
                    let W = wb.baseAddress!, V = vb.baseAddress!
                    for _ in 0..<(players - 1) {
                        let pairs = (0..<(players / 2)).map { (ring[$0], ring[players - 1 - $0]) }
                        let parts = Swift.min(parallel, pairs.count)
                        var counts = [Int](repeating: 0, count: parts)
                        counts.withUnsafeMutableBufferPointer { cb in
                            Parallel.forEachPart(parts) { part in
                                for t in Parallel.chunk(part, of: parts, count: pairs.count) {
                                    var (i, j) = pairs[t]
                                    if i >= n || j >= n { continue }
                                    if i > j { swap(&i, &j) }
                                    if rotatePair(W + i * len, W + j * len, len, V + i * n, V + j * n, n, tol) { cb[part] += 1 }
                                }
                            }
                        }
                        rotated += counts.reduce(0, +)
                        // Circle method: keep ring[0], rotate the rest by one.
                        let last = ring[players - 1]
                        for k in stride(from: players - 1, to: 1, by: -1) { ring[k] = ring[k - 1] }
                        ring[1] = last
                    }
                }
            }
            if rotated == 0 { return }
        }
        throw KernelError.noConvergence(operation: "SVD (one-sided Jacobi)", iterations: maxSweeps)
    }

    /// Orthogonalises columns x, y (rows of W) by one Jacobi rotation when needed.
    @inline(__always)
    static func rotatePair<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ len: Int,
                                      _ vx: UnsafeMutablePointer<T>, _ vy: UnsafeMutablePointer<T>, _ n: Int, _ tol: T) -> Bool {
        let (alpha, beta, gamma) = VectorKernels.gram2(UnsafePointer(x), UnsafePointer(y), len)
        if gamma == 0 || alpha == 0 || beta == 0 { return false }
        if abs(gamma) <= tol * T.squareRoot(alpha) * T.squareRoot(beta) { return false }
        let zeta = (beta - alpha) / (2 * gamma)
        let t = (zeta >= 0 ? 1 : -1) / (abs(zeta) + T.squareRoot(1 + zeta * zeta))
        let c = 1 / T.squareRoot(1 + t * t)
        let s = c * t
        VectorKernels.rotate(x, y, len, c: c, s: s)
        VectorKernels.rotate(vx, vy, n, c: c, s: s)
        return true
    }

    /// Fills rows `missing` of `u` with unit vectors orthogonal to every other row (modified
    /// Gram–Schmidt, twice), for singular vectors of zero singular values.
    static func completeOrthonormalRows<T: Scalar>(_ u: inout KernelMatrix<T>, missing: [Int]) {
        guard !missing.isEmpty else { return }
        let len = u.columns
        let missingSet = Set(missing)
        var accepted = (0..<u.rows).filter { !missingSet.contains($0) }
        var candidate = 0
        for k in missing {
            while candidate < len {
                var x = [T](repeating: 0, count: len)
                x[candidate] = 1
                candidate += 1
                for _ in 0..<2 {
                    for r in accepted {
                        var d: T = 0
                        for j in 0..<len { d += u.storage[r * len + j] * x[j] }
                        for j in 0..<len { x[j] -= d * u.storage[r * len + j] }
                    }
                }
                var nrm: T = 0
                for j in 0..<len { nrm += x[j] * x[j] }
                nrm = T.squareRoot(nrm)
                if nrm > 0.5 {
                    for j in 0..<len { u.storage[k * len + j] = x[j] / nrm }
                    accepted.append(k)
                    break
                }
            }
        }
    }
}
