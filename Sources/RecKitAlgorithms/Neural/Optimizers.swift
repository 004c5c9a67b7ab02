import RecKitKernels
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
                        // in the pure-Swift kernel tier in use (AVX-512, AVX2 or baseline
                        // vectors; bit-identical in every tier): the dense parameter whole, or the
                        // rows of an embedding table the batch touched
                        if let s = p.sparseGradient {
                            s.values.withUnsafeBufferPointer { g in
                                s.rows.withUnsafeBufferPointer { rows in
                                    VectorKernels.adam(w.baseAddress!, m.baseAddress!, v.baseAddress!, g.baseAddress!, rows: rows,
                                                       columns: s.columns, constants)
                                }
                            }
                        } else {
                            p.gradient.storage.withUnsafeBufferPointer { g in
                                VectorKernels.adam(w.baseAddress!, m.baseAddress!, v.baseAddress!, g.baseAddress!, g.count, constants)
                            }
                        }
                    }
                }
            }
            moments[ObjectIdentifier(p)] = (m, v)
        }
    }

    /// `βᵗ`.
    func exp1(_ beta: Double, _ t: Double) -> Double { Double.exp(t * Double.log(beta)) }
}
