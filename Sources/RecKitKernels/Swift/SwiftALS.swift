/// The pure-Swift back end's ALS row solvers: the C kernels' algorithm (als_template.h) in Swift
/// SIMD. Instantiated only as `SwiftALS<Float>` and `SwiftALS<Double>` (from ``SwiftBackend``),
/// so every call below is specialised.
enum SwiftALS<T: Scalar> {
    typealias V = T.Vector
    static var w: Int { V.scalarCount }

    @inline(__always) static func load(_ p: UnsafePointer<T>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    @inline(__always) static func dot(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> T {
        var a0 = V(), a1 = V()
        var t = 0
        while t + 2 * w <= n {
            a0 = a0.addingProduct(load(x + t), load(y + t))
            a1 = a1.addingProduct(load(x + t + w), load(y + t + w))
            t += 2 * w
        }
        while t + w <= n { a0 = a0.addingProduct(load(x + t), load(y + t)); t += w }
        var s = (a0 + a1).sum()
        while t < n { s += x[t] * y[t]; t += 1 }
        return s
    }

    @inline(__always) static func axpy(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        let av = V(repeating: a)
        var t = 0
        while t + w <= n { store(load(UnsafePointer(y + t)).addingProduct(av, load(x + t)), y + t); t += w }
        while t < n { y[t] += a * x[t]; t += 1 }
    }

    /// `out = G·v` for symmetric `G` (`f × f`): `Σⱼ vⱼ·G[j, :]`.
    @inline(__always) static func symv(_ g: UnsafePointer<T>, _ v: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ f: Int) {
        var t = 0
        while t + 2 * w <= f {
            var c0 = V(), c1 = V()
            for j in 0..<f {
                let s = V(repeating: v[j]), row = g + j * f + t
                c0 = c0.addingProduct(s, load(row))
                c1 = c1.addingProduct(s, load(row + w))
            }
            store(c0, out + t)
            store(c1, out + t + w)
            t += 2 * w
        }
        while t < f {
            var s: T = 0
            for j in 0..<f { s += v[j] * g[j * f + t] }
            out[t] = s
            t += 1
        }
    }

    static func conjugateGradient(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>, y: UnsafePointer<T>,
                                  x: UnsafeMutablePointer<T>, alpha: T, steps: Int, work: UnsafeMutablePointer<T>) {
        let r = work, p = work + f, ap = work + 2 * f
        let O = csr.offsets, J = csr.columns, R = csr.values
        for u in rows {
            let xu = x + u * f
            symv(gram, xu, ap, f)
            for q in O[u]..<O[u + 1] {
                let yq = y + Int(J[q]) * f, wq = alpha * R[q], c: T = R[q] > 0 ? 1 + wq : 0
                axpy(wq * dot(yq, xu, f) - c, yq, ap, f)
            }
            for t in 0..<f { r[t] = -ap[t]; p[t] = r[t] }
            var rs = dot(r, r, f)
            for _ in 0..<steps {
                guard rs > 0 else { break }
                symv(gram, p, ap, f)
                for q in O[u]..<O[u + 1] {
                    let yq = y + Int(J[q]) * f
                    axpy(alpha * R[q] * dot(yq, p, f), yq, ap, f)
                }
                let pap = dot(p, ap, f)
                guard pap > 0 else { break }
                let a = rs / pap
                axpy(a, p, xu, f)
                axpy(-a, ap, r, f)
                let next = dot(r, r, f)
                let beta = next / rs
                for t in 0..<f { p[t] = r[t] + beta * p[t] }
                rs = next
            }
        }
    }

    static func tiled(_ f: Int) -> Bool { f % 4 == 0 && f % (2 * w) == 0 }

    /// The upper triangle of `BᵀB` (`B` is `m × f`) added to `A`; with `overwrite` (tiled `f` only)
    /// `A` is written, not read: `base + BᵀB`, or `BᵀB` when `base` is nil. 4 × 2-vector register
    /// tiles; rank-1 row updates for other `f`. Some lower-triangle entries are written too.
    @inline(__always) static func syrkUpper(_ b: UnsafePointer<T>, _ m: Int, _ a: UnsafeMutablePointer<T>, _ f: Int,
                                            overwrite: Bool, base: UnsafePointer<T>?) {
        guard tiled(f) else {
            for q in 0..<m {
                let bq = b + q * f
                for i in 0..<f { axpy(bq[i], bq + i, a + i * f + i, f - i) }
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
                    let b0 = load(bq + j0), b1 = load(bq + j0 + w)
                    var s = V(repeating: bq[i0])
                    c00 = c00.addingProduct(s, b0); c01 = c01.addingProduct(s, b1)
                    s = V(repeating: bq[i0 + 1])
                    c10 = c10.addingProduct(s, b0); c11 = c11.addingProduct(s, b1)
                    s = V(repeating: bq[i0 + 2])
                    c20 = c20.addingProduct(s, b0); c21 = c21.addingProduct(s, b1)
                    s = V(repeating: bq[i0 + 3])
                    c30 = c30.addingProduct(s, b0); c31 = c31.addingProduct(s, b1)
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

    /// `p[0..<2w] = (lo, hi) + s[0..<2w]` (or `(lo, hi)` when `s` is nil)
    @inline(__always) static func store(_ lo: V, _ hi: V, _ p: UnsafeMutablePointer<T>, adding s: UnsafePointer<T>?) {
        if let s {
            store(load(s) + lo, p)
            store(load(s + w) + hi, p + w)
        } else {
            store(lo, p)
            store(hi, p + w)
        }
    }

    /// In-place `A = UᵀU` of the upper triangle, left-looking by rows (the C kernel's algorithm:
    /// row `k` held in registers four vectors at a time while the rows above stream from L1; rows
    /// start at the aligned column at or below the diagonal — the lower triangle is never read).
    /// 0, or the order of the first pivot not above `ε·` its original diagonal.
    @inline(__always) static func factor(_ a: UnsafeMutablePointer<T>, _ f: Int) -> Int {
        let whole = f % w == 0
        for k in 0..<f {
            let row = a + k * f, original = row[k]
            var c = whole ? k / w * w : k
            while c + 4 * w <= f {
                var c0 = load(UnsafePointer(row + c)), c1 = load(UnsafePointer(row + c + w))
                var c2 = load(UnsafePointer(row + c + 2 * w)), c3 = load(UnsafePointer(row + c + 3 * w))
                for j in 0..<k {
                    let uj = UnsafePointer(a + j * f + c), m = V(repeating: -a[j * f + k])
                    c0 = c0.addingProduct(m, load(uj))
                    c1 = c1.addingProduct(m, load(uj + w))
                    c2 = c2.addingProduct(m, load(uj + 2 * w))
                    c3 = c3.addingProduct(m, load(uj + 3 * w))
                }
                store(c0, row + c); store(c1, row + c + w); store(c2, row + c + 2 * w); store(c3, row + c + 3 * w)
                c += 4 * w
            }
            while c + w <= f {
                var c0 = load(UnsafePointer(row + c))
                for j in 0..<k { c0 = c0.addingProduct(V(repeating: -a[j * f + k]), load(UnsafePointer(a + j * f + c))) }
                store(c0, row + c)
                c += w
            }
            while c < f {
                var v = row[c]
                for j in 0..<k { v -= a[j * f + k] * a[j * f + c] }
                row[c] = v
                c += 1
            }
            let d = row[k]
            guard d > T.ulpOfOne * original, d.isFinite else { return k + 1 }
            let u = d.squareRoot(), inv = 1 / u
            row[k] = u
            for j in (k + 1)..<Swift.max(k + 1, f) { row[j] *= inv }
        }
        return 0
    }

    static func solve(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>?, lambda: T, y: UnsafePointer<T>,
                      x: UnsafeMutablePointer<T>, alpha: T, work: UnsafeMutablePointer<T>, order: inout Int) -> Int {
        let a = work, b = work + f * f, gathered = b + f
        let O = csr.offsets, J = csr.columns, R = csr.values
        for u in rows {
            let begin = O[u], end = O[u + 1], xu = x + u * f
            if begin == end { xu.update(repeating: 0, count: f); continue }
            // Tiled: the first chunk writes A = base + BᵀB; otherwise A starts as a copy.
            let isTiled = tiled(f)
            if !isTiled {
                if let gram { a.update(from: gram, count: f * f) } else { a.update(repeating: 0, count: f * f) }
            }
            b.update(repeating: 0, count: f)
            var q0 = begin
            while q0 < end {
                let m = Swift.min(ALSKernels.gatherRows, end - q0)
                for k in 0..<m {
                    let q = q0 + k, yq = y + Int(J[q]) * f
                    let wq: T = gram != nil ? alpha * R[q] : 1
                    let c: T = gram != nil ? (R[q] > 0 ? 1 + alpha * R[q] : 0) : R[q]
                    let root = wq.squareRoot(), g = gathered + k * f
                    for t in 0..<f { g[t] = root * yq[t] }
                    axpy(c, yq, b, f)
                }
                syrkUpper(gathered, m, a, f, overwrite: isTiled && q0 == begin, base: gram)
                q0 += m
            }
            if gram == nil { for t in 0..<f { a[t * f + t] += lambda * T(end - begin) } }
            let failed = factor(a, f)
            if failed != 0 { order = failed; return u }
            // Uᵀz = b by rows of U, then U·x = z
            for k in 0..<f {
                b[k] /= a[k * f + k]
                axpy(-b[k], a + k * f + k + 1, b + k + 1, f - k - 1)
            }
            for k in stride(from: f - 1, through: 0, by: -1) {
                xu[k] = (b[k] - dot(a + k * f + k + 1, xu + k + 1, f - k - 1)) / a[k * f + k]
            }
        }
        return -1
    }
}
