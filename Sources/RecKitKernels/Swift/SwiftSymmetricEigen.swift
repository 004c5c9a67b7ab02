/// Pure-Swift symmetric eigendecomposition: Householder tridiagonalisation, then the implicit
/// QL algorithm with Wilkinson-style shifts (EISPACK's `tql2`), then back-transformation.
///
/// Layout choices keep the heavy loops contiguous: the symmetric matrix is updated by rows (its
/// column below the diagonal equals its row), and eigenvectors are kept as rows, so every plane
/// rotation of QL touches two contiguous rows. The rotations of one QL sweep are recorded and then
/// applied in parallel over column slices; the back-transformation is parallel over eigenvectors.
enum SwiftSymmetricEigen {
    /// Eigenvalues ascending and eigenvectors as the columns of an `n × n` matrix. Reads the lower
    /// triangle of `a`.
    static func decompose<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (values: [T], vectors: KernelMatrix<T>) {
        let n = a.rows
        if n == 1 { return ([a[0, 0]], KernelMatrix.identity(1)) }
        var s = a
        for i in 0..<n { for j in (i + 1)..<n { s.storage[i * n + j] = s.storage[j * n + i] } }

        var d = [T](repeating: 0, count: n), e = [T](repeating: 0, count: n)
        var reflectors = KernelMatrix<T>(rows: n, columns: n) // row k holds v for H_k at columns k+1..<n
        var tau = [T](repeating: 0, count: n)
        var p = [T](repeating: 0, count: n)

        s.storage.withUnsafeMutableBufferPointer { sb in
            reflectors.storage.withUnsafeMutableBufferPointer { rb in
                p.withUnsafeMutableBufferPointer { pb in
                    let S = sb.baseAddress!, R = rb.baseAddress!, P = pb.baseAddress!
                    for k in 0..<(n - 2) {
                        let len = n - k - 1
                        let x = S + k * n + k + 1
                        let v = R + k * n + k + 1
                        v.update(from: x, count: len)
                        let t = SwiftQR.makeReflector(v, len)
                        e[k] = v[0]
                        v[0] = 1
                        tau[k] = t
                        if t == 0 { continue }
                        let b0 = S + (k + 1) * n + (k + 1)
                        let parallel = len * len > 16_384 ? threads : 1
                        // p = τ·B·v
                        Parallel.forEachChunk(count: len, threads: parallel, minimumChunk: 16) { rows in
                            for i in rows { P[i] = t * VectorKernels.dot(UnsafePointer(b0 + i * n), UnsafePointer(v), len) }
                        }
                        // w = p − (τ/2)(pᵀv)·v, stored in P
                        let kappa = t / 2 * VectorKernels.dot(UnsafePointer(P), UnsafePointer(v), len)
                        VectorKernels.axpy(-kappa, UnsafePointer(v), P, len)
                        // B ← B − v·wᵀ − w·vᵀ
                        Parallel.forEachChunk(count: len, threads: parallel, minimumChunk: 16) { rows in
                            for i in rows {
                                VectorKernels.axpy(-v[i], UnsafePointer(P), b0 + i * n, len)
                                VectorKernels.axpy(-P[i], UnsafePointer(v), b0 + i * n, len)
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<n { d[i] = s.storage[i * n + i] }
        e[n - 2] = s.storage[(n - 1) * n + (n - 2)]
        e[n - 1] = 0

        var z = KernelMatrix<T>.identity(n) // row j = eigenvector j in the tridiagonal basis
        try ql(&d, &e, &z, threads: threads)

        // Back-transform each eigenvector: x = H₀·H₁·…·H_{n−3}·z.
        z.storage.withUnsafeMutableBufferPointer { zb in
            reflectors.storage.withUnsafeBufferPointer { rb in
                let Z = zb.baseAddress!, R = rb.baseAddress!
                Parallel.forEachChunk(count: n, threads: n * n > 4096 ? threads : 1, minimumChunk: 4) { vecs in
                    for j in vecs {
                        let x = Z + j * n
                        for k in stride(from: n - 3, through: 0, by: -1) where tau[k] != 0 {
                            let v = R + k * n + k + 1
                            let sc = tau[k] * VectorKernels.dot(v, UnsafePointer(x + k + 1), n - k - 1)
                            VectorKernels.axpy(-sc, v, x + k + 1, n - k - 1)
                        }
                    }
                }
            }
        }

        let order = (0..<n).sorted { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var vectors = KernelMatrix<T>(rows: n, columns: n)
        for (col, j) in order.enumerated() {
            for i in 0..<n { vectors.storage[i * n + col] = z.storage[j * n + i] }
        }
        return (order.map { d[$0] }, vectors)
    }

    /// Implicit QL on the tridiagonal (`d` diagonal, `e[i]` = T[i+1, i], `e[n−1] = 0`), rotating
    /// the rows of `z`. On return `d` holds the eigenvalues (unsorted).
    static func ql<T: Scalar>(_ d: inout [T], _ e: inout [T], _ z: inout KernelMatrix<T>, threads: Int) throws {
        let n = d.count
        let eps = T.ulpOfOne
        var f: T = 0, tst1: T = 0
        var rotations: [(Int, T, T)] = []
        rotations.reserveCapacity(n)
        for l in 0..<n {
            tst1 = Swift.max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n { if abs(e[m]) <= eps * tst1 { break }; m += 1 }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    if iterations > 60 { throw KernelError.noConvergence(operation: "symmetric eigendecomposition (QL)", iterations: 60) }
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    for i in (l + 2)..<Swift.max(l + 2, n) { d[i] -= h }
                    f += h
                    p = d[m]
                    var c: T = 1, c2: T = 1, c3: T = 1
                    let el1 = e[l + 1]
                    var s: T = 0, s2: T = 0
                    rotations.removeAll(keepingCapacity: true)
                    for i in stride(from: m - 1, through: l, by: -1) {
                        c3 = c2; c2 = c; s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        rotations.append((i, c, s))
                    }
                    applyRotations(rotations, to: &z, threads: threads)
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1
            }
            d[l] += f
            e[l] = 0
        }
    }

    /// Applies rotations in order to row pairs (i, i+1) of `z`: `(z_i, z_{i+1}) ← (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1})`.
    static func applyRotations<T: Scalar>(_ rotations: [(Int, T, T)], to z: inout KernelMatrix<T>, threads: Int) {
        let n = z.columns
        let parallel = rotations.count * n > 65_536 ? threads : 1
        z.storage.withUnsafeMutableBufferPointer { zb in
            let Z = zb.baseAddress!
            Parallel.forEachChunk(count: n, threads: parallel, minimumChunk: 64) { cols in
                for (i, c, s) in rotations {
                    VectorKernels.rotate(Z + i * n + cols.lowerBound, Z + (i + 1) * n + cols.lowerBound, cols.count, c: c, s: s)
                }
            }
        }
    }

    @inline(__always) static func hypot<T: Scalar>(_ a: T, _ b: T) -> T {
        let x = abs(a), y = abs(b)
        let big = Swift.max(x, y), small = Swift.min(x, y)
        if big == 0 { return 0 }
        let q = small / big
        return big * T.squareRoot(1 + q * q)
    }
}
