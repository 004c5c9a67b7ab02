import RecKitIntrinsics

/// The pure-Swift GEMM, `C ← β·C + α·op(A)·op(B)`, row-major, with the classic Goto/BLIS
/// structure, generic over its register tile `K` (and so over the vector width):
///
/// - `op(B)` is packed in `kc × nc` panels of `nr`-wide slivers (a sliver stays in L1),
///   `op(A)` in `mc × kc` blocks of `mr`-tall slivers (a block stays in L2), with α folded in;
/// - the micro-kernel `K.run` accumulates an `mr × nr` tile of C over `kc`;
/// - threads take disjoint row ranges of C, so results do not depend on scheduling.
///
/// Transposes are handled while packing, so one micro-kernel serves every case. Everything here is
/// `@inlinable`: a tier module (``KernelTier``) specialises it for its own instruction set.
///
/// Contract: row-major, `lda`/`ldb`/`ldc` in elements, `C` disjoint from `A` and `B`; results
/// depend on the tile (the order of the sums), not on the thread count.
public enum TiledGEMM {
    /// - Parameters:
    ///   - lowerOnly: compute only micro-tiles that touch the lower triangle (`i ≥ j`) of C —
    ///     SYRK and blocked Cholesky. The strict upper triangle of C is unspecified afterwards.
    @inlinable
    public static func gemm<K: GEMMTile>(
        _: K.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: K.V.Scalar, a: UnsafePointer<K.V.Scalar>, lda: Int, b: UnsafePointer<K.V.Scalar>, ldb: Int,
        beta: K.V.Scalar, c: UnsafeMutablePointer<K.V.Scalar>, ldc: Int, threads: Int, lowerOnly: Bool = false
    ) {
        typealias T = K.V.Scalar
        guard m > 0, n > 0 else { return }
        let mr = K.mr, nr = K.nr, kc = K.kc, mc = K.mc, nc = K.nc
        let parts = Swift.max(1, Swift.min(threads, (m + mr - 1) / mr, m * n * Swift.max(k, 1) / 32768 + 1))

        // C ← β·C
        if beta != 1 {
            Parallel.forEachChunk(count: m, threads: parts, minimumChunk: 16) { rows in
                for i in rows { scale(beta, c + i * ldc, lowerOnly ? Swift.min(i + 1, n) : n) }
            }
        }
        guard k > 0, alpha != 0 else { return }
        if isSmall(T.self, m: m, n: n, k: k) {
            smallGEMM(K.self, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, c: c, ldc: ldc, threads: parts, lowerOnly: lowerOnly)
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
                        packA(transA: transA, a: a, lda: lda, row0: ic, col0: pc, mb: mb, kb: kb, mr: mr,
                              alpha: alpha, into: aPack)
                        macroKernel(K.self, mb: mb, nb: nb, kb: kb, aPack: aPack, bPack: bPack,
                                    c: c + ic * ldc + jc, ldc: ldc, diagonalOffset: lowerOnly ? ic - jc : nil)
                    }
                }
            }
        }
    }

    /// `x[i] *= a` for `i < n`; `a == 0` writes zeros (so NaN in `x` does not survive, as in BLAS).
    @inlinable
    static func scale<T: BinaryFloatingPoint>(_ a: T, _ x: UnsafeMutablePointer<T>, _ n: Int) {
        if a == 0 { x.update(repeating: 0, count: n); return }
        for i in 0..<n { x[i] *= a }
    }

    /// Packs `op(A)[row0 ..< row0+mb, col0 ..< col0+kb]·α` into `mr`-row slivers, `kb` columns each.
    @inlinable @inline(__always)
    static func packA<T: BinaryFloatingPoint>(transA: Bool, a: UnsafePointer<T>, lda: Int, row0: Int, col0: Int,
                                              mb: Int, kb: Int, mr: Int, alpha: T, into dst: UnsafeMutablePointer<T>) {
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
    @inlinable @inline(__always)
    static func packB<T: BinaryFloatingPoint>(transB: Bool, b: UnsafePointer<T>, ldb: Int, row0: Int, col0: Int,
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
    @inlinable @inline(__always)
    static func macroKernel<K: GEMMTile>(_: K.Type, mb: Int, nb: Int, kb: Int, aPack: UnsafePointer<K.V.Scalar>,
                                         bPack: UnsafePointer<K.V.Scalar>, c: UnsafeMutablePointer<K.V.Scalar>,
                                         ldc: Int, diagonalOffset: Int?) {
        let mr = K.mr, nr = K.nr
        withUnsafeTemporaryAllocation(of: K.V.Scalar.self, capacity: mr * nr) { edge in
            let e = edge.baseAddress!
            for jr in stride(from: 0, to: nb, by: nr) {
                let cols = Swift.min(nr, nb - jr)
                let bSliver = bPack + jr * kb
                for ir in stride(from: 0, to: mb, by: mr) {
                    if let off = diagonalOffset, jr > off + ir + mr - 1 { continue }
                    let rows = Swift.min(mr, mb - ir)
                    let cTile = c + ir * ldc + jr
                    let aSliver = aPack + ir * kb
                    if rows == mr && cols == nr {
                        K.run(kb, aSliver, rsA: 1, csA: mr, bSliver, ldb: nr, alpha: 1, cTile, ldc)
                    } else {
                        e.update(repeating: 0, count: mr * nr)
                        K.run(kb, aSliver, rsA: 1, csA: mr, bSliver, ldb: nr, alpha: 1, e, nr)
                        for ii in 0..<rows {
                            for jj in 0..<cols { cTile[ii * ldc + jj] += e[ii * nr + jj] }
                        }
                    }
                }
            }
        }
    }

    /// Operands small enough to stay in cache unpacked (a 64 × 64 or 8 × 8 product of a batch, a
    /// k = 64 factor product, the 10 × 10 Gram matrix of a user's few ratings): the micro-kernel
    /// reads A and B in place, so the product costs no packing, no heap allocation for operands
    /// that fit a tile, and no thread hand-off.
    ///
    /// B read in place is only as fast as packed B while the `k` rows of each `nr`-wide sliver of it
    /// stay in L1: at most 64 rows, or all of B in 48 KB. Beyond that, rows `ldb` apart compete for
    /// a few cache sets. Measured on Zen 3 (AVX2 tier, `reckit bench gemm --sizes 64,96,128,192,256`
    /// with each rule): packing made square Double products of order 96 to 256 1.5–2× faster and
    /// Float ones of order 128 to 256 as fast or faster, and cost 64 × 64 batches and Float products
    /// of order 96 or less up to 25 %.
    @inlinable
    static func isSmall<T>(_: T.Type, m: Int, n: Int, k: Int) -> Bool {
        k <= 256 && n <= 512 && (k <= 64 || k * n * MemoryLayout<T>.stride <= 48 * 1024)
    }

    /// The unpacked product for small operands. An operand narrower than a tile (`m < mr` or
    /// `n < nr`, such as the 8 × 8 products of a batch under a 16-column tile) is first copied into
    /// a zero-padded tile-sized buffer, as is `op(B)` when B is transposed; otherwise A and B are
    /// read in place.
    @inlinable
    static func smallGEMM<K: GEMMTile>(_: K.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: K.V.Scalar,
                                       a: UnsafePointer<K.V.Scalar>, lda: Int, b: UnsafePointer<K.V.Scalar>, ldb: Int,
                                       c: UnsafeMutablePointer<K.V.Scalar>, ldc: Int, threads: Int, lowerOnly: Bool) {
        typealias T = K.V.Scalar
        let (rsA, csA) = transA ? (1, lda) : (lda, 1)
        let gatherA = m < K.mr, gatherB = transB || n < K.nr
        if !gatherA && !gatherB {
            smallTiles(K.self, m: m, n: n, k: k, alpha: alpha, a: a, rsA: rsA, csA: csA, prefetchA: !transA,
                       b: b, ldb: ldb, c: c, ldc: ldc, threads: threads, lowerOnly: lowerOnly)
            return
        }
        // The padded sizes: at least one whole tile each way.
        let mp = Swift.max(m, K.mr), np = Swift.max(n, K.nr)
        let scratch = (gatherA ? mp * k : 0) + (gatherB ? k * np : 0)
        withUnsafeTemporaryAllocation(of: T.self, capacity: scratch) { buffer in
            var aRows = a, rowStrideA = rsA, columnStrideA = csA, bRows = b, bStride = ldb
            var free = buffer.baseAddress!
            if gatherA { // op(A) is m × k; copy it into mp rows, the rest zero.
                free.update(repeating: 0, count: mp * k)
                for i in 0..<m { for p in 0..<k { free[i * k + p] = a[i * rsA + p * csA] } }
                aRows = UnsafePointer(free); rowStrideA = k; columnStrideA = 1
                free += mp * k
            }
            if gatherB { // op(B) is k × n; copy it into rows of np columns, the rest zero.
                if n < np { free.update(repeating: 0, count: k * np) }
                if transB {
                    for j in 0..<n { for p in 0..<k { free[p * np + j] = b[j * ldb + p] } }
                } else {
                    for p in 0..<k { (free + p * np).update(from: b + p * ldb, count: n) }
                }
                bRows = UnsafePointer(free); bStride = np
            }
            smallTiles(K.self, m: m, n: n, k: k, alpha: alpha, a: aRows, rsA: rowStrideA, csA: columnStrideA,
                       prefetchA: !transA && !gatherA, b: bRows, ldb: bStride, c: c, ldc: ldc, threads: threads,
                       lowerOnly: lowerOnly)
        }
    }

    /// `C += α·A·B` tile by tile, for `A(i, p) = a[i·rsA + p·csA]` with at least `mr` rows and `B`
    /// row-major with at least `nr` columns (rows past `m`, columns past `n` are padding and are
    /// computed but not written). Partial edge tiles are computed as full tiles shifted back inside
    /// the operands and written through a temporary, so there is no scalar tail. Threads take
    /// contiguous runs of `mr`-row slivers: every tile is computed the same way whatever their
    /// number, so results do not depend on it. With `lowerOnly`, tiles whose part of C lies
    /// strictly above the diagonal are skipped (the packed path's rule).
    @inlinable @inline(__always)
    static func smallTiles<K: GEMMTile>(_: K.Type, m: Int, n: Int, k: Int, alpha: K.V.Scalar, a: UnsafePointer<K.V.Scalar>,
                                        rsA: Int, csA: Int, prefetchA: Bool, b: UnsafePointer<K.V.Scalar>, ldb: Int,
                                        c: UnsafeMutablePointer<K.V.Scalar>, ldc: Int, threads: Int, lowerOnly: Bool) {
        typealias T = K.V.Scalar
        let mr = K.mr, nr = K.nr
        let mp = Swift.max(m, mr), np = Swift.max(n, nr)
        Parallel.forEachChunk(count: (mp + mr - 1) / mr, threads: threads, minimumChunk: 8) { slivers in
            withUnsafeTemporaryAllocation(of: T.self, capacity: mr * nr) { tile in
                let tp = tile.baseAddress!
                for j0 in stride(from: 0, to: np, by: nr) {
                    let j = Swift.min(j0, np - nr)
                    for s in slivers {
                        let i0 = s * mr, i = Swift.min(i0, mp - mr)
                        if lowerOnly && j0 > i0 + mr - 1 { continue }
                        let aTile = a + i * rsA, bTile = b + j
                        if prefetchA && s + 1 < slivers.upperBound { // the next sliver's rows of A, while this one computes
                            let next = a + Swift.min(i0 + mr, m - mr) * rsA
                            for r in 0..<mr { Prefetch.read(next + r * rsA, bytes: k * MemoryLayout<T>.stride) }
                        }
                        if i == i0 && j == j0 && i + mr <= m && j + nr <= n {
                            K.run(k, aTile, rsA: rsA, csA: csA, bTile, ldb: ldb, alpha: alpha, c + i * ldc + j, ldc)
                        } else {
                            tp.update(repeating: 0, count: mr * nr)
                            K.run(k, aTile, rsA: rsA, csA: csA, bTile, ldb: ldb, alpha: alpha, tp, nr)
                            for ii in (i0 - i)..<Swift.min(mr, m - i) {
                                for jj in (j0 - j)..<Swift.min(nr, n - j) { c[(i + ii) * ldc + j + jj] += tp[ii * nr + jj] }
                            }
                        }
                    }
                }
            }
        }
    }
}
