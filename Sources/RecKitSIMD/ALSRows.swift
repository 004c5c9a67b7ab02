import RecKitIntrinsics

/// The arguments of one ALS half-sweep over a range of rows (the pure-Swift counterpart of the
/// shim's `reckit_?als_cg` / `reckit_?als_solve`).
///
/// Layout: the CSR matrix (`offsets`, `columns`, `values`) has one row per row being solved; `y`
/// (`columns × f`) is the fixed side, `x` (`rows × f`) the side being solved, both row-major.
/// `gram` (`f × f`, `YᵀY + λI`) is given for implicit feedback and nil for explicit (weighted-λ);
/// `work` holds ``workSize(f:exact:gatherRows:)`` elements.
public struct ALSRowArguments<T: BinaryFloatingPoint> {
    public var rows: Range<Int>
    public var f: Int
    public var offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<T>
    public var gram: UnsafePointer<T>?
    public var lambda: T, alpha: T
    public var y: UnsafePointer<T>, x: UnsafeMutablePointer<T>
    /// Conjugate-gradient steps per row (the CG solver only).
    public var steps: Int
    /// Rows of `y` the exact solver gathers per rank update.
    public var gatherRows: Int
    public var work: UnsafeMutablePointer<T>

    @inlinable
    public init(rows: Range<Int>, f: Int, offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<T>,
                gram: UnsafePointer<T>?, lambda: T, alpha: T, y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, steps: Int,
                gatherRows: Int, work: UnsafeMutablePointer<T>) {
        self.rows = rows; self.f = f
        self.offsets = offsets; self.columns = columns; self.values = values
        self.gram = gram; self.lambda = lambda; self.alpha = alpha
        self.y = y; self.x = x; self.steps = steps; self.gatherRows = gatherRows; self.work = work
    }
}

/// ALS row solvers generic over the vector `V` (the C kernels' algorithm, als_template.h),
/// specialised per ``KernelTier``:
/// - ``conjugateGradient(_:)``: `steps` CG steps from `x`'s current rows on
///   `(YᵀY + λI + Yᵀ(Cᵤ − I)Y)·xᵤ = YᵀCᵤpᵤ` (implicit feedback);
/// - ``cholesky(_:)``: exact solves of the same system (implicit, `gram` given) or of explicit
///   weighted-λ `(YᵤᵀYᵤ + λ·nᵤ·I)·xᵤ = Yᵤᵀrᵤ`, by a Cholesky factor built from gathered rows.
/// Rows are independent: the result does not depend on how rows are split between calls.
public enum ALSRows<V: SIMD, F: FMAFlag> where V.Scalar: BinaryFloatingPoint {
    public typealias T = V.Scalar
    public typealias Ops = VectorOps<V, F>

    @inlinable @inline(__always) static var w: Int { V.scalarCount }

    /// `out[c] = start[c] + Σ_{j < count} scale(j)·m[j·f + c]` for `c` in `from..<f` (`start` nil:
    /// zero; `out` may be `start`), four vectors of `out` in registers at a time while the rows of
    /// `m` stream from L1 — the loop of both ``symv(_:_:_:_:)`` and ``factor(_:_:)``.
    @inlinable @inline(__always)
    static func combineRows(_ m: UnsafePointer<T>, _ f: Int, count: Int, from: Int, scale: (Int) -> T,
                            start: UnsafePointer<T>?, into out: UnsafeMutablePointer<T>) {
        @inline(__always) func initial(_ c: Int) -> V { start.map { V(loadingFrom: $0 + c) } ?? V() }
        var c = from
        while c + 4 * w <= f {
            var c0 = initial(c), c1 = initial(c + w), c2 = initial(c + 2 * w), c3 = initial(c + 3 * w)
            for j in 0..<count {
                let s = V(repeating: scale(j)), row = m + j * f + c
                c0 = Ops.madd(c0, s, V(loadingFrom: row))
                c1 = Ops.madd(c1, s, V(loadingFrom: row + w))
                c2 = Ops.madd(c2, s, V(loadingFrom: row + 2 * w))
                c3 = Ops.madd(c3, s, V(loadingFrom: row + 3 * w))
            }
            c0.store(to: out + c); c1.store(to: out + c + w); c2.store(to: out + c + 2 * w); c3.store(to: out + c + 3 * w)
            c += 4 * w
        }
        while c + w <= f {
            var c0 = initial(c)
            for j in 0..<count { c0 = Ops.madd(c0, V(repeating: scale(j)), V(loadingFrom: m + j * f + c)) }
            c0.store(to: out + c)
            c += w
        }
        while c < f {
            var v: T = start.map { $0[c] } ?? 0
            for j in 0..<count { v += scale(j) * m[j * f + c] }
            out[c] = v
            c += 1
        }
    }

    /// `out = G·v` for symmetric `G` (`f × f`): `Σⱼ vⱼ·G[j, :]`.
    @inlinable @inline(__always)
    static func symv(_ g: UnsafePointer<T>, _ v: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ f: Int) {
        combineRows(g, f, count: f, from: 0, scale: { v[$0] }, start: nil, into: out)
    }

    /// `out += Σ_q coef_q·y_q` over the entries `begin..<end` of one row (`y_q` = row `columns[q]` of
    /// `y`), with `coef_q = α·r_q·(y_q·v) − (initial ? c_q : 0)` and `c_q = 1 + α·r_q` when `r_q > 0`,
    /// else 0. Four entries at a time: their four dot products share the loads of `v`, and `out` is
    /// loaded and stored once per four rows (and the four random rows are fetched together).
    @inlinable @inline(__always)
    static func applyEntries(_ a: ALSRowArguments<T>, _ begin: Int, _ end: Int, _ v: UnsafePointer<T>, initial: Bool,
                             _ out: UnsafeMutablePointer<T>) {
        let f = a.f, y = a.y, J = a.columns, R = a.values, alpha = a.alpha
        let whole = f / w * w, bytes = f * MemoryLayout<T>.stride
        // Rows are prefetched `prefetchAhead` entries ahead, into the next rows of this part.
        let last = a.offsets[a.rows.upperBound]
        @inline(__always) func target(_ r: T) -> T { initial && r > 0 ? 1 + alpha * r : 0 }
        var q = begin
        while q + 4 <= end {
            for k in 0..<4 where q + k + prefetchAhead < last {
                Prefetch.read(y + Int(J[q + k + prefetchAhead]) * f, bytes: bytes)
            }
            let y0 = y + Int(J[q]) * f, y1 = y + Int(J[q + 1]) * f, y2 = y + Int(J[q + 2]) * f, y3 = y + Int(J[q + 3]) * f
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            var t = 0
            while t < whole {
                let pv = V(loadingFrom: v + t)
                s0 = Ops.madd(s0, V(loadingFrom: y0 + t), pv)
                s1 = Ops.madd(s1, V(loadingFrom: y1 + t), pv)
                s2 = Ops.madd(s2, V(loadingFrom: y2 + t), pv)
                s3 = Ops.madd(s3, V(loadingFrom: y3 + t), pv)
                t += w
            }
            var d0 = s0.sum(), d1 = s1.sum(), d2 = s2.sum(), d3 = s3.sum()
            for t in whole..<f { d0 += y0[t] * v[t]; d1 += y1[t] * v[t]; d2 += y2[t] * v[t]; d3 += y3[t] * v[t] }
            let k0 = alpha * R[q] * d0 - target(R[q]), k1 = alpha * R[q + 1] * d1 - target(R[q + 1])
            let k2 = alpha * R[q + 2] * d2 - target(R[q + 2]), k3 = alpha * R[q + 3] * d3 - target(R[q + 3])
            let c0 = V(repeating: k0), c1 = V(repeating: k1), c2 = V(repeating: k2), c3 = V(repeating: k3)
            t = 0
            while t < whole {
                var o = V(loadingFrom: out + t)
                o = Ops.madd(o, c0, V(loadingFrom: y0 + t))
                o = Ops.madd(o, c1, V(loadingFrom: y1 + t))
                o = Ops.madd(o, c2, V(loadingFrom: y2 + t))
                o = Ops.madd(o, c3, V(loadingFrom: y3 + t))
                o.store(to: out + t)
                t += w
            }
            for t in whole..<f { out[t] += k0 * y0[t] + k1 * y1[t] + k2 * y2[t] + k3 * y3[t] }
            q += 4
        }
        while q < end {
            let yq = y + Int(J[q]) * f
            Ops.axpy(alpha * R[q] * Ops.dot(yq, v, f) - target(R[q]), yq, out, f)
            q += 1
        }
    }

    /// Entries ahead whose factor rows are prefetched (the shim's RECKIT_ALS_PREFETCH).
    @inlinable static var prefetchAhead: Int { 6 }

    @inlinable
    public static func conjugateGradient(_ a: ALSRowArguments<T>) {
        let f = a.f, work = a.work, gram = a.gram!, x = a.x
        let r = work, p = work + f, ap = work + 2 * f
        let O = a.offsets
        for u in a.rows {
            let xu = x + u * f, begin = O[u], end = O[u + 1]
            // ap = A·x − b, with A·x = G·x + Σ α·r·y·(y·x) and b = Σ c·y
            symv(gram, xu, ap, f)
            applyEntries(a, begin, end, xu, initial: true, ap)
            for t in 0..<f { r[t] = -ap[t]; p[t] = r[t] }
            var rs = Ops.dot(r, r, f)
            for _ in 0..<a.steps {
                guard rs > 0 else { break }
                symv(gram, p, ap, f)
                applyEntries(a, begin, end, p, initial: false, ap)
                let pap = Ops.dot(p, ap, f)
                guard pap > 0 else { break }
                let step = rs / pap
                Ops.axpy(step, p, xu, f)
                Ops.axpy(-step, ap, r, f)
                let next = Ops.dot(r, r, f)
                let beta = next / rs
                for t in 0..<f { p[t] = r[t] + beta * p[t] }
                rs = next
            }
        }
    }

    /// Whether `f` takes the register-tiled rank update.
    @inlinable @inline(__always) static func tiled(_ f: Int) -> Bool { f % 4 == 0 && f % (2 * w) == 0 }

    /// The upper triangle of `BᵀB` (`B` is `m × f`) added to `A`; with `overwrite` (tiled `f` only)
    /// `A` is written, not read: `base + BᵀB`, or `BᵀB` when `base` is nil. 4 × 2-vector register
    /// tiles; rank-1 row updates for other `f`. Some lower-triangle entries are written too.
    @inlinable @inline(__always)
    static func syrkUpper(_ b: UnsafePointer<T>, _ m: Int, _ a: UnsafeMutablePointer<T>, _ f: Int,
                          overwrite: Bool, base: UnsafePointer<T>?) {
        guard tiled(f) else {
            for q in 0..<m {
                let bq = b + q * f
                for i in 0..<f { Ops.axpy(bq[i], bq + i, a + i * f + i, f - i) }
            }
            return
        }
        var i0 = 0
        while i0 < f {
            var j0 = i0 / (2 * w) * (2 * w)
            while j0 < f {
                var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
                for q in 0..<m {
                    let bq = b + q * f
                    let b0 = V(loadingFrom: bq + j0), b1 = V(loadingFrom: bq + j0 + w)
                    var s = V(repeating: bq[i0])
                    c00 = Ops.madd(c00, s, b0); c01 = Ops.madd(c01, s, b1)
                    s = V(repeating: bq[i0 + 1])
                    c10 = Ops.madd(c10, s, b0); c11 = Ops.madd(c11, s, b1)
                    s = V(repeating: bq[i0 + 2])
                    c20 = Ops.madd(c20, s, b0); c21 = Ops.madd(c21, s, b1)
                    s = V(repeating: bq[i0 + 3])
                    c30 = Ops.madd(c30, s, b0); c31 = Ops.madd(c31, s, b1)
                }
                let a0 = a + i0 * f + j0
                let s0: UnsafePointer<T>? = overwrite ? base.map { $0 + i0 * f + j0 } : UnsafePointer(a0)
                store(c00, c01, a0, adding: s0)
                store(c10, c11, a0 + f, adding: s0.map { $0 + f })
                store(c20, c21, a0 + 2 * f, adding: s0.map { $0 + 2 * f })
                store(c30, c31, a0 + 3 * f, adding: s0.map { $0 + 3 * f })
                j0 += 2 * w
            }
            i0 += 4
        }
    }

    /// `p[0..<2w] = (lo, hi) + s[0..<2w]` (or `(lo, hi)` when `s` is nil).
    @inlinable @inline(__always)
    static func store(_ lo: V, _ hi: V, _ p: UnsafeMutablePointer<T>, adding s: UnsafePointer<T>?) {
        if let s {
            (V(loadingFrom: s) + lo).store(to: p)
            (V(loadingFrom: s + w) + hi).store(to: p + w)
        } else {
            lo.store(to: p)
            hi.store(to: p + w)
        }
    }

    /// In-place `A = UᵀU` of the upper triangle, left-looking by rows (the C kernel's algorithm:
    /// row `k` held in registers four vectors at a time while the rows above stream from L1; rows
    /// start at the aligned column at or below the diagonal — the lower triangle is never read).
    /// 0, or the order of the first pivot not above `ε·` its original diagonal.
    @inlinable @inline(__always)
    static func factor(_ a: UnsafeMutablePointer<T>, _ f: Int) -> Int {
        let whole = f % w == 0
        for k in 0..<f {
            let row = a + k * f, original = row[k]
            // Row k minus the rows above it scaled by their entries in column k (U's column k).
            combineRows(a, f, count: k, from: whole ? k / w * w : k, scale: { -a[$0 * f + k] }, start: row, into: row)
            let d = row[k]
            guard d > T.ulpOfOne * original, d.isFinite else { return k + 1 }
            let u = d.squareRoot(), inv = 1 / u
            row[k] = u
            for j in (k + 1)..<Swift.max(k + 1, f) { row[j] *= inv }
        }
        return 0
    }

    /// Exact solves; the first row whose system is not positive definite, with the order of the
    /// failing leading minor, or nil.
    @inlinable
    public static func cholesky(_ args: ALSRowArguments<T>) -> (row: Int, order: Int)? {
        let f = args.f, gram = args.gram, y = args.y, x = args.x, alpha = args.alpha, lambda = args.lambda
        let a = args.work, b = a + f * f, gathered = b + f
        let O = args.offsets, J = args.columns, R = args.values
        let isTiled = tiled(f), bytes = f * MemoryLayout<T>.stride, last = O[args.rows.upperBound]
        for u in args.rows {
            let begin = O[u], end = O[u + 1], xu = x + u * f
            if begin == end { xu.update(repeating: 0, count: f); continue }
            // Tiled: the first chunk writes A = base + BᵀB; otherwise A starts as a copy.
            if !isTiled {
                if let gram { a.update(from: gram, count: f * f) } else { a.update(repeating: 0, count: f * f) }
            }
            b.update(repeating: 0, count: f)
            var q0 = begin
            while q0 < end {
                let m = Swift.min(args.gatherRows, end - q0)
                for k in 0..<m {
                    let q = q0 + k, yq = y + Int(J[q]) * f
                    if q + prefetchAhead < last { Prefetch.read(y + Int(J[q + prefetchAhead]) * f, bytes: bytes) }
                    let wq: T = gram != nil ? alpha * R[q] : 1
                    let c: T = gram != nil ? (R[q] > 0 ? 1 + alpha * R[q] : 0) : R[q]
                    let root = wq.squareRoot(), g = gathered + k * f
                    for t in 0..<f { g[t] = root * yq[t] }
                    Ops.axpy(c, yq, b, f)
                }
                syrkUpper(gathered, m, a, f, overwrite: isTiled && q0 == begin, base: gram)
                q0 += m
            }
            if gram == nil { for t in 0..<f { a[t * f + t] += lambda * T(end - begin) } }
            let failed = factor(a, f)
            if failed != 0 { return (u, failed) }
            // Uᵀz = b by rows of U, then U·x = z
            for k in 0..<f {
                b[k] /= a[k * f + k]
                Ops.axpy(-b[k], a + k * f + k + 1, b + k + 1, f - k - 1)
            }
            for k in stride(from: f - 1, through: 0, by: -1) {
                xu[k] = (b[k] - Ops.dot(a + k * f + k + 1, xu + k + 1, f - k - 1)) / a[k * f + k]
            }
        }
        return nil
    }
}
