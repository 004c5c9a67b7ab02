/// The pure-Swift GEMM: `C ← β·C + α·op(A)·op(B)`, row-major, with the classic Goto/BLIS
/// structure.
///
/// - `op(B)` is packed in `kc × nc` panels of `nr`-wide slivers (a sliver stays in L1),
///   `op(A)` in `mc × kc` blocks of `mr`-tall slivers (a block stays in L2), with α folded in;
/// - a register-blocked `mr × nr` micro-kernel (6 rows × 2 SIMD vectors: 12 accumulators) runs
///   the inner product over `kc`;
/// - threads take disjoint row ranges of C, so results do not depend on scheduling.
///
/// Transposes are handled while packing, so one micro-kernel serves every case.
enum SwiftGEMM {
    static let mr = 6
    static let kc = 256
    static let mc = 96  // a multiple of mr
    static let nc = 4080 // a multiple of 16 and 8

    @inline(__always) static func nr<T: Scalar>(_: T.Type) -> Int { 2 * T.Vector.scalarCount }

    /// - Parameters:
    ///   - lowerOnly: compute only micro-tiles that touch the lower triangle (`i ≥ j`) of C —
    ///     SYRK and blocked Cholesky. The strict upper triangle of C is unspecified afterwards.
    static func gemm<T: Scalar>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int, lowerOnly: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        let nr = nr(T.self)
        let parts = Swift.max(1, Swift.min(threads, (m + mr - 1) / mr, m * n * Swift.max(k, 1) / 32768 + 1))

        // C ← β·C
        if beta != 1 {
            Parallel.forEachChunk(count: m, threads: parts, minimumChunk: 16) { rows in
                for i in rows { VectorKernels.scale(beta, c + i * ldc, lowerOnly ? Swift.min(i + 1, n) : n) }
            }
        }
        guard k > 0, alpha != 0 else { return }
        if !lowerOnly && (parts == 1 || threads == 1) && isSmall(m: m, n: n, k: k, nr: nr) {
            smallGEMM(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }

        let panelCols = Swift.min(nc, (n + nr - 1) / nr * nr)
        let panelDepth = Swift.min(kc, k)
        let bPack = UnsafeMutablePointer<T>.allocate(capacity: panelDepth * panelCols)
        defer { bPack.deallocate() }

        // Row ranges of C per thread, aligned to mr so slivers never straddle two threads.
        let slivers = (m + mr - 1) / mr
        let rowRanges = (0..<parts).map { p -> Range<Int> in
            let s = Parallel.chunk(p, of: parts, count: slivers)
            return (s.lowerBound * mr)..<Swift.min(m, s.upperBound * mr)
        }

        for jc in stride(from: 0, to: n, by: nc) {
            let nb = Swift.min(nc, n - jc)
            if lowerOnly && jc > m - 1 { break }
            for pc in stride(from: 0, to: k, by: kc) {
                let kb = Swift.min(kc, k - pc)
                let bSlivers = (nb + nr - 1) / nr
                Parallel.forEachChunk(count: bSlivers, threads: parts, minimumChunk: 4) { range in
                    for s in range {
                        packB(transB: transB, b: b, ldb: ldb, row0: pc, col0: jc + s * nr, kb: kb,
                              cols: Swift.min(nr, nb - s * nr), nr: nr, into: bPack + s * nr * kb)
                    }
                }
                Parallel.forEachPart(parts) { p in
                    let rows = rowRanges[p]
                    if rows.isEmpty { return }
                    let aPack = UnsafeMutablePointer<T>.allocate(capacity: mc * kb)
                    defer { aPack.deallocate() }
                    for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mc) {
                        let mb = Swift.min(mc, rows.upperBound - ic)
                        if lowerOnly && jc > ic + mb - 1 { continue }
                        packA(transA: transA, a: a, lda: lda, row0: ic, col0: pc, mb: mb, kb: kb, alpha: alpha, into: aPack)
                        macroKernel(mb: mb, nb: nb, kb: kb, aPack: aPack, bPack: bPack,
                                    c: c + ic * ldc + jc, ldc: ldc, nr: nr,
                                    diagonalOffset: lowerOnly ? ic - jc : nil)
                    }
                }
            }
        }
    }

    /// Packs `op(A)[row0 ..< row0+mb, col0 ..< col0+kb]·α` into `mr`-row slivers, `kb` columns each.
    @inline(__always)
    static func packA<T: Scalar>(transA: Bool, a: UnsafePointer<T>, lda: Int, row0: Int, col0: Int,
                                 mb: Int, kb: Int, alpha: T, into dst: UnsafeMutablePointer<T>) {
        var d = dst
        for ir in stride(from: 0, to: mb, by: mr) {
            let rows = Swift.min(mr, mb - ir)
            if !transA {
                for ii in 0..<mr {
                    if ii < rows {
                        let src = a + (row0 + ir + ii) * lda + col0
                        for p in 0..<kb { d[p * mr + ii] = alpha * src[p] }
                    } else {
                        for p in 0..<kb { d[p * mr + ii] = 0 }
                    }
                }
            } else {
                // op(A)[i][p] = A[p][i]: each p is a contiguous run of rows in A.
                for p in 0..<kb {
                    let src = a + (col0 + p) * lda + row0 + ir
                    for ii in 0..<rows { d[p * mr + ii] = alpha * src[ii] }
                    for ii in rows..<mr { d[p * mr + ii] = 0 }
                }
            }
            d += mr * kb
        }
    }

    /// Packs `op(B)[row0 ..< row0+kb, col0 ..< col0+cols]` into one `nr`-wide sliver.
    @inline(__always)
    static func packB<T: Scalar>(transB: Bool, b: UnsafePointer<T>, ldb: Int, row0: Int, col0: Int,
                                 kb: Int, cols: Int, nr: Int, into dst: UnsafeMutablePointer<T>) {
        if !transB {
            for p in 0..<kb {
                let src = b + (row0 + p) * ldb + col0
                let d = dst + p * nr
                if cols == nr { d.update(from: src, count: nr) } else {
                    d.update(from: src, count: cols)
                    (d + cols).update(repeating: 0, count: nr - cols)
                }
            }
        } else {
            // op(B)[p][j] = B[j][p]
            for jj in 0..<nr {
                if jj < cols {
                    let src = b + (col0 + jj) * ldb + row0
                    for p in 0..<kb { dst[p * nr + jj] = src[p] }
                } else {
                    for p in 0..<kb { dst[p * nr + jj] = 0 }
                }
            }
        }
    }

    /// Runs the micro-kernel over an `mb × nb` block of C. `diagonalOffset` (= first row − first
    /// column of the block) skips tiles strictly above the diagonal when set.
    @inline(__always)
    static func macroKernel<T: Scalar>(mb: Int, nb: Int, kb: Int, aPack: UnsafePointer<T>, bPack: UnsafePointer<T>,
                                       c: UnsafeMutablePointer<T>, ldc: Int, nr: Int, diagonalOffset: Int?) {
        var edge = [T](repeating: 0, count: mr * nr)
        for jr in stride(from: 0, to: nb, by: nr) {
            let cols = Swift.min(nr, nb - jr)
            let bSliver = bPack + jr * kb
            for ir in stride(from: 0, to: mb, by: mr) {
                if let off = diagonalOffset, jr > off + ir + mr - 1 { continue }
                let rows = Swift.min(mr, mb - ir)
                let cTile = c + ir * ldc + jr
                let aSliver = aPack + ir * kb
                if rows == mr && cols == nr {
                    microKernel(kb, aSliver, bSliver, cTile, ldc)
                } else {
                    edge.withUnsafeMutableBufferPointer { e in
                        e.baseAddress!.update(repeating: 0, count: mr * nr)
                        microKernel(kb, aSliver, bSliver, e.baseAddress!, nr)
                        for ii in 0..<rows {
                            for jj in 0..<cols { cTile[ii * ldc + jj] += e[ii * nr + jj] }
                        }
                    }
                }
            }
        }
    }

    /// `C[0..<6, 0..<2w] += α·Σ_p A(i, p)·B(p, j)` with 12 SIMD accumulators, where
    /// `A(i, p) = a[i·rsA + p·csA]` and `B(p, j) = b[p·ldb + j]` (each row of B contiguous).
    /// Packed slivers are the case `rsA = 1, csA = 6, ldb = 2w, α = 1`.
    @inline(__always)
    static func microKernel<T: Scalar>(_ kb: Int, _ a: UnsafePointer<T>, rsA: Int, csA: Int,
                                       _ b: UnsafePointer<T>, ldb: Int, alpha: T,
                                       _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        typealias V = T.Vector
        let w = V.scalarCount
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let r1 = rsA, r2 = 2 * rsA, r3 = 3 * rsA, r4 = 4 * rsA, r5 = 5 * rsA
        var ap = a, bp = b
        for _ in 0..<kb {
            let b0 = VectorKernels.load(bp), b1 = VectorKernels.load(bp + w)
            var av = V(repeating: ap[0])
            c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
            av = V(repeating: ap[r1])
            c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
            av = V(repeating: ap[r2])
            c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
            av = V(repeating: ap[r3])
            c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
            av = V(repeating: ap[r4])
            c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
            av = V(repeating: ap[r5])
            c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
            ap += csA
            bp += ldb
        }
        let av = V(repeating: alpha)
        @inline(__always) func add(_ v0: V, _ v1: V, row: Int) {
            let r = c + row * ldc
            VectorKernels.store(VectorKernels.load(UnsafePointer(r)).addingProduct(av, v0), r)
            VectorKernels.store(VectorKernels.load(UnsafePointer(r + w)).addingProduct(av, v1), r + w)
        }
        add(c00, c01, row: 0); add(c10, c11, row: 1); add(c20, c21, row: 2)
        add(c30, c31, row: 3); add(c40, c41, row: 4); add(c50, c51, row: 5)
    }

    @inline(__always)
    static func microKernel<T: Scalar>(_ kb: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                       _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        microKernel(kb, a, rsA: 1, csA: mr, b, ldb: 2 * T.Vector.scalarCount, alpha: 1, c, ldc)
    }

    /// Operands small enough to stay in cache unpacked (a 64 × 64 product of a batch, a k = 64
    /// factor product): B's rows are already contiguous, so the micro-kernel reads A and B in
    /// place. Partial edge tiles are computed as full tiles shifted back inside the matrix and
    /// written through a temporary, so there is no scalar tail.
    static func isSmall(m: Int, n: Int, k: Int, nr: Int) -> Bool {
        m >= mr && n >= nr && k <= kc && n <= 512
    }

    static func smallGEMM<T: Scalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                     a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                     c: UnsafeMutablePointer<T>, ldc: Int) {
        let nr = nr(T.self)
        var bRows = b, bStride = ldb
        var transposedB: UnsafeMutablePointer<T>? = nil
        if transB { // B is n × k; gather op(B) = Bᵀ (k × n) once.
            let t = UnsafeMutablePointer<T>.allocate(capacity: k * n)
            for j in 0..<n { for p in 0..<k { t[p * n + j] = b[j * ldb + p] } }
            transposedB = t
            bRows = UnsafePointer(t)
            bStride = n
        }
        defer { transposedB?.deallocate() }
        let (rsA, csA) = transA ? (1, lda) : (lda, 1)
        withUnsafeTemporaryAllocation(of: T.self, capacity: mr * nr) { tile in
            let tp = tile.baseAddress!
            for j0 in stride(from: 0, to: n, by: nr) {
                let j = Swift.min(j0, n - nr)
                for i0 in stride(from: 0, to: m, by: mr) {
                    let i = Swift.min(i0, m - mr)
                    let aTile = a + i * rsA, bTile = bRows + j
                    if i == i0 && j == j0 {
                        microKernel(k, aTile, rsA: rsA, csA: csA, bTile, ldb: bStride, alpha: alpha, c + i * ldc + j, ldc)
                    } else {
                        tp.update(repeating: 0, count: mr * nr)
                        microKernel(k, aTile, rsA: rsA, csA: csA, bTile, ldb: bStride, alpha: alpha, tp, nr)
                        for ii in (i0 - i)..<mr {
                            for jj in (j0 - j)..<nr { c[(i + ii) * ldc + j + jj] += tp[ii * nr + jj] }
                        }
                    }
                }
            }
        }
    }
}
