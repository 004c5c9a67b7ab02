import RecKitIntrinsics

/// Adam's constants for one step, in the parameters' precision: `β₁`, `1−β₁`, `β₂`, `1−β₂`, the
/// learning rate, `ε`, the decoupled weight decay (`lr·λ`) and the bias corrections `k₁ = 1/(1−β₁ᵗ)`,
/// `k₂ = 1/(1−β₂ᵗ)`.
public struct AdamConstants<S: BinaryFloatingPoint> {
    public let b1: S, c1: S, b2: S, c2: S, lr: S, eps: S, decay: S, k1: S, k2: S

    @inlinable
    public init(beta1: Double, beta2: Double, learningRate: Double, epsilon: Double, decay: Double, k1: Double, k2: Double) {
        b1 = S(beta1); b2 = S(beta2)
        c1 = 1 - b1; c2 = 1 - b2
        lr = S(learningRate); eps = S(epsilon); self.decay = S(decay)
        self.k1 = S(k1); self.k2 = S(k2)
    }
}

/// Adam's update of `n` contiguous weights `w` with moments `m`, `v` and gradient `g` (the update
/// rule is in `RecKitAlgorithms.Adam`):
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `w ← w − lr·(m·k₁)/(√(v·k₂) + ε) − decay·w`.
///
/// Whole vectors of `V`, then a scalar tail, with the same operations in the same order and no
/// fused multiply-add (Swift does not contract `a·b + c`), so the result is bit-identical to one
/// element at a time — and the same in every tier, whatever its vector width.
public enum AdamUpdate<V: SIMD> where V.Scalar: BinaryFloatingPoint & SIMDScalar {
    @inlinable @inline(__always)
    public static func run(_ w: UnsafeMutablePointer<V.Scalar>, _ m: UnsafeMutablePointer<V.Scalar>, _ v: UnsafeMutablePointer<V.Scalar>,
                           _ g: UnsafePointer<V.Scalar>, _ n: Int, _ c: AdamConstants<V.Scalar>) {
        // Whole vectors of V, then of 8 and 4 lanes while they fit (an embedding row of 8 floats
        // is one 8-lane vector in a 16-lane tier), then one element at a time.
        var i = steps(V.self, w, m, v, g, 0, n, c)
        if V.scalarCount > 8 { i = steps(SIMD8<V.Scalar>.self, w, m, v, g, i, n, c) }
        if V.scalarCount > 4 { i = steps(SIMD4<V.Scalar>.self, w, m, v, g, i, n, c) }
        while i < n {
            m[i] = c.b1 * m[i] + c.c1 * g[i]
            v[i] = c.b2 * v[i] + c.c2 * g[i] * g[i]
            w[i] -= c.lr * (m[i] * c.k1) / (SquareRoot.of(v[i] * c.k2) + c.eps) + c.decay * w[i]
            i += 1
        }
    }

    /// The update in vectors of `W` from `i` while whole vectors fit; returns where it stopped.
    @inlinable @inline(__always)
    static func steps<W: SIMD>(_: W.Type, _ w: UnsafeMutablePointer<V.Scalar>, _ m: UnsafeMutablePointer<V.Scalar>,
                               _ v: UnsafeMutablePointer<V.Scalar>, _ g: UnsafePointer<V.Scalar>, _ start: Int, _ n: Int,
                               _ c: AdamConstants<V.Scalar>) -> Int where W.Scalar == V.Scalar {
        let width = W.scalarCount
        let vb1 = W(repeating: c.b1), vc1 = W(repeating: c.c1), vb2 = W(repeating: c.b2), vc2 = W(repeating: c.c2)
        let vlr = W(repeating: c.lr), veps = W(repeating: c.eps), vdecay = W(repeating: c.decay)
        let vk1 = W(repeating: c.k1), vk2 = W(repeating: c.k2)
        @inline(__always) func load(_ p: UnsafePointer<V.Scalar>) -> W { UnsafeRawPointer(p).loadUnaligned(as: W.self) }
        @inline(__always) func store(_ x: W, _ p: UnsafeMutablePointer<V.Scalar>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: W.self) }
        var i = start
        while i + width <= n {
            let gi = load(g + i)
            let mi = vb1 * load(m + i) + vc1 * gi
            let vi = vb2 * load(v + i) + vc2 * gi * gi
            let wi = load(w + i)
            store(mi, m + i)
            store(vi, v + i)
            store(wi - (vlr * (mi * vk1) / (SquareRoot.of(vi * vk2) + veps) + vdecay * wi), w + i)
            i += width
        }
        return i
    }

    /// ``run(_:_:_:_:_:_:)`` on rows of `columns` elements: row `rows[r]` of `w`, `m`, `v` with
    /// row `r` of `g` (the rows of an embedding table a batch touched, its "lazy" update).
    @inlinable @inline(__always)
    public static func runRows(_ w: UnsafeMutablePointer<V.Scalar>, _ m: UnsafeMutablePointer<V.Scalar>, _ v: UnsafeMutablePointer<V.Scalar>,
                               _ g: UnsafePointer<V.Scalar>, rows: UnsafeBufferPointer<Int32>, columns c: Int, _ constants: AdamConstants<V.Scalar>) {
        for (r, row) in rows.enumerated() {
            let k = Int(row) * c
            run(w + k, m + k, v + k, g + r * c, c, constants)
        }
    }
}
