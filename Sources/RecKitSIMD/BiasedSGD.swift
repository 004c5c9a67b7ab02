import RecKitIntrinsics

/// One epoch of stochastic gradient descent for biased matrix factorisation over a block of
/// ratings — the pure-Swift counterpart of the shim's `reckit_sgd_biased_epoch`, the same updates
/// in the same order, generic over the vector width `V` (specialised per ``KernelTier``).
///
/// Contract: `p` and `q` hold factor rows of `stride` floats (a multiple of 8, zero-padded), row
/// `r` at `r·stride`; each rating updates `bu[u]`, `bi[i]` and rows `p[u]`, `q[i]` in place from
/// their old values. Returns the sum of squared errors before each update (in Double).
///
/// An update is a chain of dependent steps (dot product, error, row updates); two consecutive
/// ratings that share no user and no item are taken as a pair with their chains interleaved, which
/// is exactly the sequential order's arithmetic (neither reads what the other writes).
public enum BiasedSGD {
    @inlinable
    public static func epoch<V: SIMD>(_: V.Type, _ arguments: SGDEpochArguments) -> Double where V.Scalar == Float {
        let e = arguments.entries, p = arguments.p, q = arguments.q, bu = arguments.bu, bi = arguments.bi
        let stride = arguments.stride, mu = arguments.mu, lr = arguments.lr, regBias = arguments.regBias
        let keep = 1 - lr * arguments.reg
        var squared = 0.0
        var k = 0
        let n = e.count
        while k < n {
            // Start the random rows of the ratings `ahead` places on their way to the cache.
            var a = k + ahead
            while a < Swift.min(k + ahead + 2, n) {
                Prefetch.write(p + Int(e[a].user) * stride, bytes: stride * 4)
                Prefetch.write(q + Int(e[a].item) * stride, bytes: stride * 4)
                a += 1
            }
            let u = Int(e[k].user), i = Int(e[k].item)
            let pu = p + u * stride, qi = q + i * stride
            if k + 1 < n, Int(e[k + 1].user) != u, Int(e[k + 1].item) != i {
                let v = Int(e[k + 1].user), j = Int(e[k + 1].item)
                let pv = p + v * stride, qj = q + j * stride
                let (d0, d1) = dot2(V.self, pu, qi, pv, qj, stride)
                let e0 = e[k].rating - (mu + bu[u] + bi[i] + d0)
                let e1 = e[k + 1].rating - (mu + bu[v] + bi[j] + d1)
                squared += Double(e0) * Double(e0) + Double(e1) * Double(e1)
                bu[u] += lr * (e0 - regBias * bu[u])
                bi[i] += lr * (e0 - regBias * bi[i])
                bu[v] += lr * (e1 - regBias * bu[v])
                bi[j] += lr * (e1 - regBias * bi[j])
                step(V.self, pu, qi, stride, lr * e0, keep)
                step(V.self, pv, qj, stride, lr * e1, keep)
                k += 2
            } else {
                let e0 = e[k].rating - (mu + bu[u] + bi[i] + dot(V.self, pu, qi, stride))
                squared += Double(e0) * Double(e0)
                bu[u] += lr * (e0 - regBias * bu[u])
                bi[i] += lr * (e0 - regBias * bi[i])
                step(V.self, pu, qi, stride, lr * e0, keep)
                k += 1
            }
        }
        return squared
    }

    /// Ratings ahead whose factor rows are prefetched (as far as the shim's kernel).
    @inlinable static var ahead: Int { 4 }

    /// `Σ a[t]·b[t]`: whole vectors `V`, then 8-float steps (rows are a multiple of 8 floats).
    @inlinable @inline(__always)
    static func dot<V: SIMD>(_: V.Type, _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ stride: Int) -> Float
    where V.Scalar == Float {
        let w = V.scalarCount
        var s = V(), t = 0
        while t + w <= stride { s += V(loadingFrom: a + t) * V(loadingFrom: b + t); t += w }
        var tail = SIMD8<Float>()
        while t < stride { tail += SIMD8<Float>(loadingFrom: a + t) * SIMD8<Float>(loadingFrom: b + t); t += 8 }
        return s.sum() + tail.sum()
    }

    /// Two independent dot products, interleaved.
    @inlinable @inline(__always)
    static func dot2<V: SIMD>(_: V.Type, _ a0: UnsafeMutablePointer<Float>, _ b0: UnsafeMutablePointer<Float>,
                              _ a1: UnsafeMutablePointer<Float>, _ b1: UnsafeMutablePointer<Float>, _ stride: Int) -> (Float, Float)
    where V.Scalar == Float {
        let w = V.scalarCount
        var s0 = V(), s1 = V(), t = 0
        while t + w <= stride {
            s0 += V(loadingFrom: a0 + t) * V(loadingFrom: b0 + t)
            s1 += V(loadingFrom: a1 + t) * V(loadingFrom: b1 + t)
            t += w
        }
        var tail0 = SIMD8<Float>(), tail1 = SIMD8<Float>()
        while t < stride {
            tail0 += SIMD8<Float>(loadingFrom: a0 + t) * SIMD8<Float>(loadingFrom: b0 + t)
            tail1 += SIMD8<Float>(loadingFrom: a1 + t) * SIMD8<Float>(loadingFrom: b1 + t)
            t += 8
        }
        return (s0.sum() + tail0.sum(), s1.sum() + tail1.sum())
    }

    /// `p ← keep·p + le·q`, `q ← keep·q + le·p`, both from the old values.
    @inlinable @inline(__always)
    static func step<V: SIMD>(_: V.Type, _ p: UnsafeMutablePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ stride: Int,
                              _ le: Float, _ keep: Float) where V.Scalar == Float {
        let w = V.scalarCount
        var t = 0
        while t + w <= stride {
            let a = V(loadingFrom: p + t), b = V(loadingFrom: q + t)
            (keep * a + le * b).store(to: p + t)
            (keep * b + le * a).store(to: q + t)
            t += w
        }
        while t < stride {
            let a = SIMD8<Float>(loadingFrom: p + t), b = SIMD8<Float>(loadingFrom: q + t)
            (keep * a + le * b).store(to: p + t)
            (keep * b + le * a).store(to: q + t)
            t += 8
        }
    }
}

/// The arguments of one biased-MF SGD epoch over a block of ratings (see ``BiasedSGD``).
public struct SGDEpochArguments {
    @usableFromInline package var entries: UnsafeBufferPointer<RatingEntry>
    public var p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>
    public var bu: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>
    public var stride: Int
    public var mu: Float, lr: Float, reg: Float, regBias: Float

    package init(entries: UnsafeBufferPointer<RatingEntry>, p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>,
                 bu: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>, stride: Int,
                 mu: Float, lr: Float, reg: Float, regBias: Float) {
        self.entries = entries
        self.p = p; self.q = q; self.bu = bu; self.bi = bi
        self.stride = stride
        self.mu = mu; self.lr = lr; self.reg = reg; self.regBias = regBias
    }
}
