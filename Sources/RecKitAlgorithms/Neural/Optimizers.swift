import RecKitLinearAlgebra

/// An optimiser updates parameters from their gradients (dense, or only the touched rows of an
/// embedding table). It keeps per-parameter state keyed by the parameter's identity.
public protocol Optimizer<T>: AnyObject {
    associatedtype T: NeuralScalar
    /// One update of every parameter from its current gradient.
    func step(_ parameters: [Parameter<T>])
}

/// SGD with momentum: `v ← μ·v + g`, `θ ← θ − η·v` (plain SGD with `momentum = 0`), plus
/// decoupled weight decay `θ ← θ − η·λ·θ` when `weightDecay > 0`.
public final class SGDMomentum<T: NeuralScalar>: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let weightDecay: Double
    var velocity: [ObjectIdentifier: [T]] = [:]

    public init(learningRate: Double, momentum: Double = 0.9, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    // specialised: models call optimisers through `any Optimizer`, which would otherwise run the
    // generic code element by element
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step(_ parameters: [Parameter<T>]) {
        let lr = T(learningRate), mu = T(momentum), decay = T(learningRate * weightDecay)
        for p in parameters {
            // removed while updated, so the array is not copied on write
            var v = velocity.removeValue(forKey: ObjectIdentifier(p)) ?? [T](repeating: 0, count: p.value.storage.count)
            v.withUnsafeMutableBufferPointer { v in
                Self.forEachGradient(p) { w, k, g in
                    v[k] = mu * v[k] + g
                    w[k] -= lr * v[k] + decay * w[k]
                }
            }
            velocity[ObjectIdentifier(p)] = v
        }
    }

    /// Calls `body(weights, index, gradient)` for every element with a gradient — all of a dense
    /// parameter, the touched rows of a sparse one — with the weights as one mutable buffer (no
    /// per-element access to the class's storage).
    @inline(__always)
    static func forEachGradient(_ p: Parameter<T>, _ body: (UnsafeMutableBufferPointer<T>, Int, T) -> Void) {
        p.value.storage.withUnsafeMutableBufferPointer { w in
            if let s = p.sparseGradient {
                let c = s.columns
                s.values.withUnsafeBufferPointer { g in
                    for (k, row) in s.rows.enumerated() { for t in 0..<c { body(w, Int(row) * c + t, g[k * c + t]) } }
                }
            } else {
                p.gradient.storage.withUnsafeBufferPointer { g in for k in g.indices { body(w, k, g[k]) } }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019):
/// `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`, `θ ← θ − η·m̂/(√v̂ + ε) − η·λ·θ`, with bias
/// corrections `m̂ = m/(1 − β₁ᵗ)`, `v̂ = v/(1 − β₂ᵗ)`; `λ` (decoupled weight decay) is AdamW's.
/// Embedding tables are updated lazily: only the rows a batch touched, with the step count shared
/// (the "lazy Adam" of sparse embeddings).
public final class Adam<T: NeuralScalar>: Optimizer {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    var moments: [ObjectIdentifier: (m: [T], v: [T])] = [:]
    public private(set) var steps = 0

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    // specialised: models call optimisers through `any Optimizer`, which would otherwise run the
    // generic code element by element
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step(_ parameters: [Parameter<T>]) {
        steps += 1
        let t = Double(steps)
        let c1 = 1 - Swift.max(0, exp1(beta1, t)), c2 = 1 - Swift.max(0, exp1(beta2, t))
        let constants = AdamConstants<T>(beta1: beta1, beta2: beta2, learningRate: learningRate, epsilon: epsilon,
                                         decay: learningRate * weightDecay, k1: 1 / c1, k2: 1 / c2)
        for p in parameters {
            var (m, v) = moments.removeValue(forKey: ObjectIdentifier(p))
                ?? ([T](repeating: 0, count: p.value.storage.count), [T](repeating: 0, count: p.value.storage.count))
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    p.value.storage.withUnsafeMutableBufferPointer { w in
                        // the update of `n` contiguous elements from `k` on: the dense parameter
                        // whole, or each row an embedding table's batch touched
                        @inline(__always) func update(_ k: Int, _ g: UnsafePointer<T>, _ n: Int) {
                            Self.update(w.baseAddress! + k, m.baseAddress! + k, v.baseAddress! + k, g, n, constants)
                        }
                        if let s = p.sparseGradient {
                            let c = s.columns
                            s.values.withUnsafeBufferPointer { g in
                                for (r, row) in s.rows.enumerated() { update(Int(row) * c, g.baseAddress! + r * c, c) }
                            }
                        } else {
                            p.gradient.storage.withUnsafeBufferPointer { g in update(0, g.baseAddress!, g.count) }
                        }
                    }
                }
            }
            moments[ObjectIdentifier(p)] = (m, v)
        }
    }

    /// `βᵗ`.
    func exp1(_ beta: Double, _ t: Double) -> Double { Double.exp(t * Double.log(beta)) }

    /// Adam's update of `n` contiguous elements, in the precision's SIMD vectors. The vector kernel
    /// is called with concrete types: reached through `T.Vector` in this generic class, its SIMD
    /// operations stayed unspecialised (generic metadata on every load, 3× slower than scalar).
    @inline(__always)
    static func update(_ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                       _ g: UnsafePointer<T>, _ n: Int, _ constants: AdamConstants<T>) {
        // every branch below has V.Scalar == T: the casts only restate that for the compiler
        @inline(__always) func run<V: SIMD>(_: V.Type) where V.Scalar: BinaryFloatingPoint {
            func cast<U>(_ p: UnsafeMutablePointer<T>, _: U.Type) -> UnsafeMutablePointer<U> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self) }
            adamKernel(V.self, cast(w, V.Scalar.self), cast(m, V.Scalar.self), cast(v, V.Scalar.self),
                       UnsafeRawPointer(g).assumingMemoryBound(to: V.Scalar.self), n,
                       unsafeBitCast(constants, to: AdamConstants<V.Scalar>.self))
        }
        if T.self == Float.self { run(SIMD8<Float>.self) }
        else if T.self == Double.self { run(SIMD4<Double>.self) }
        else { run(T.Vector.self) }
    }
}

/// Adam's constants for one step, in the parameters' precision: `β₁`, `1−β₁`, `β₂`, `1−β₂`, the
/// learning rate, `ε`, the decoupled weight decay (`lr·λ`) and the bias corrections `k₁ = 1/(1−β₁ᵗ)`,
/// `k₂ = 1/(1−β₂ᵗ)`.
struct AdamConstants<S: BinaryFloatingPoint> {
    let b1: S, c1: S, b2: S, c2: S, lr: S, eps: S, decay: S, k1: S, k2: S

    init(beta1: Double, beta2: Double, learningRate: Double, epsilon: Double, decay: Double, k1: Double, k2: Double) {
        b1 = S(beta1); b2 = S(beta2)
        c1 = 1 - b1; c2 = 1 - b2
        lr = S(learningRate); eps = S(epsilon); self.decay = S(decay)
        self.k1 = S(k1); self.k2 = S(k2)
    }
}

/// Adam's update of `n` contiguous weights `w` with moments `m`, `v` and gradient `g`:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `w ← w − lr·(m·k₁)/(√(v·k₂) + ε) − decay·w`.
/// Whole vectors of `V`, then a scalar tail, with the same operations in the same order, so the
/// result is bit-identical to one element at a time.
@inline(__always)
func adamKernel<V: SIMD>(_: V.Type, _ w: UnsafeMutablePointer<V.Scalar>, _ m: UnsafeMutablePointer<V.Scalar>,
                         _ v: UnsafeMutablePointer<V.Scalar>, _ g: UnsafePointer<V.Scalar>, _ n: Int,
                         _ c: AdamConstants<V.Scalar>) where V.Scalar: BinaryFloatingPoint {
    let width = V.scalarCount
    let vb1 = V(repeating: c.b1), vc1 = V(repeating: c.c1), vb2 = V(repeating: c.b2), vc2 = V(repeating: c.c2)
    let vlr = V(repeating: c.lr), veps = V(repeating: c.eps), vdecay = V(repeating: c.decay)
    let vk1 = V(repeating: c.k1), vk2 = V(repeating: c.k2)
    @inline(__always) func load(_ p: UnsafePointer<V.Scalar>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func store(_ x: V, _ p: UnsafeMutablePointer<V.Scalar>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: V.self) }
    var i = 0
    while i + width <= n {
        let gi = load(g + i)
        let mi = vb1 * load(m + i) + vc1 * gi
        let vi = vb2 * load(v + i) + vc2 * gi * gi
        let wi = load(w + i)
        store(mi, m + i)
        store(vi, v + i)
        store(wi - (vlr * (mi * vk1) / ((vi * vk2).squareRoot() + veps) + vdecay * wi), w + i)
        i += width
    }
    while i < n {
        m[i] = c.b1 * m[i] + c.c1 * g[i]
        v[i] = c.b2 * v[i] + c.c2 * g[i] * g[i]
        w[i] -= c.lr * (m[i] * c.k1) / ((v[i] * c.k2).squareRoot() + c.eps) + c.decay * w[i]
        i += 1
    }
}
