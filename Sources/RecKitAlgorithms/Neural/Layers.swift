import RecKitLinearAlgebra

/// Neural layers on row-major batches: an input is `batch × features`, one example per row.
///
/// Each layer's `forward` caches what its `backward` needs; `backward(dY)` takes the gradient of
/// the loss with respect to the layer's output, **adds** the gradients of its parameters into
/// their ``Parameter/gradient`` and returns the gradient with respect to its input. The backward
/// passes are derived by hand (each is stated in its doc comment) and checked against central
/// finite differences in Double by the tests. Dense products run on the context's back end
/// (OpenBLAS or pure Swift), so a model's training step is GEMMs on either.
public protocol Layer<T>: AnyObject {
    associatedtype T: NeuralScalar
    var parameters: [Parameter<T>] { get }
    func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T>
    func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T>
}

/// `Y = X·W + b` with `W` `inputs × outputs`.
/// Backward: `dW += Xᵀ·dY`, `db += Σ_rows dY`, `dX = dY·Wᵀ`.
public final class Linear<T: NeuralScalar>: Layer {
    public let weight: Parameter<T>
    public let bias: Parameter<T>?
    var input = Matrix<T>(rows: 0, columns: 0)

    public init(inputs: Int, outputs: Int, bias: Bool = true, initializer: Initializer = .glorotUniform, seed: UInt64) {
        weight = Parameter("weight", initializer.matrix(rows: inputs, columns: outputs, fanIn: inputs, fanOut: outputs, seed: seed))
        self.bias = bias ? Parameter("bias", Matrix(rows: 1, columns: outputs)) : nil
    }

    public var parameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        input = x
        var y = try LinearAlgebra.multiply(x, weight.value, context: context)
        if let b = bias?.value.storage { y.addToEveryRow(b, threads: context.threads) }
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try LinearAlgebra.multiply(input, dy, transposeA: true, beta: 1, into: &weight.gradient, context: context)
        if let bias {
            // Σ_rows dY as a GEMV with a vector of ones (threaded on the back end)
            try LinearAlgebra.multiply(dy, vector: [T](repeating: 1, count: dy.rows), transposeA: true, beta: 1,
                                       into: &bias.gradient.storage, context: context)
        }
        return try LinearAlgebra.multiply(dy, weight.value, transposeB: true, context: context)
    }
}

/// A lookup table `count × dimension`: row `i` of the output is row `ids[i]` of the table.
/// Backward: row `ids[i]` of the gradient += row `i` of `dY`, kept row-sparse
/// (``Parameter/sparseGradient``) so optimisers touch only the rows a batch used.
public final class Embedding<T: NeuralScalar> {
    public let table: Parameter<T>
    var ids: [Int32] = []

    public init(count: Int, dimension: Int, standardDeviation: Double = 0.01, seed: UInt64) {
        table = Parameter("embedding", Initializer.normal(standardDeviation: standardDeviation)
            .matrix(rows: count, columns: dimension, fanIn: dimension, fanOut: dimension, seed: seed), sparse: true)
    }

    public var parameters: [Parameter<T>] { [table] }
    public var dimension: Int { table.value.columns }

    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for an id outside the table.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ ids: [Int32]) throws -> Matrix<T> {
        let d = dimension, n = table.value.rows
        var y = Matrix<T>(rows: ids.count, columns: d)
        for (r, id) in ids.enumerated() {
            guard id >= 0, Int(id) < n else { throw LinearAlgebraError.invalidArgument("embedding: id \(id) is outside 0..<\(n)") }
            y.storage.replaceSubrange(r * d..<(r + 1) * d, with: table.value.storage[Int(id) * d..<(Int(id) + 1) * d])
        }
        self.ids = ids
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>) {
        let d = dimension
        dy.storage.withUnsafeBufferPointer { g in
            for (r, id) in ids.enumerated() { table.sparseGradient!.add(row: id, g.baseAddress! + r * d) }
        }
    }
}

/// An elementwise activation `y = f(x)`. Backward: `dX = dY ⊙ f′(x)`.
public final class Activation<T: NeuralScalar>: Layer {
    public enum Kind: String, Sendable, CaseIterable { case relu, sigmoid, tanh, gelu }
    public let kind: Kind
    var input = Matrix<T>(rows: 0, columns: 0), output = Matrix<T>(rows: 0, columns: 0)

    public init(_ kind: Kind) { self.kind = kind }
    public var parameters: [Parameter<T>] { [] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        input = x
        var y = x
        // one loop per kind, so the switch is not taken per element
        y.storage.withUnsafeMutableBufferPointer { y in
            switch kind {
            case .relu: for k in y.indices where y[k] < 0 { y[k] = 0 }
            case .sigmoid: for k in y.indices { y[k] = T.sigmoid(y[k]) }
            case .tanh: for k in y.indices { y[k] = T.tanh(y[k]) }
            // exact GELU: x·Φ(x), Φ the standard normal CDF
            case .gelu: for k in y.indices { let v = y[k]; y[k] = v * (1 + T.erf(v / T(2.0.squareRoot()))) / 2 }
            }
        }
        output = y
        return y
    }

    /// ReLU′ = 1{x > 0}; σ′ = σ(1 − σ); tanh′ = 1 − tanh²; GELU′ = Φ(x) + x·φ(x).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        var dx = dy
        dx.storage.withUnsafeMutableBufferPointer { dx in
            input.storage.withUnsafeBufferPointer { x in
                output.storage.withUnsafeBufferPointer { y in
                    switch kind {
                    case .relu: for k in dx.indices where !(x[k] > 0) { dx[k] = 0 }
                    case .sigmoid: for k in dx.indices { dx[k] *= y[k] * (1 - y[k]) }
                    case .tanh: for k in dx.indices { dx[k] *= 1 - y[k] * y[k] }
                    case .gelu:
                        for k in dx.indices {
                            let v = x[k]
                            let cdf = (1 + T.erf(v / T(2.0.squareRoot()))) / 2
                            let pdf = T.exp(-v * v / 2) / T((2 * Double.pi).squareRoot())
                            dx[k] *= cdf + v * pdf
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest are
/// scaled by `1 / (1 − rate)`; at inference it is the identity. The mask comes from a seeded
/// generator, so training is deterministic for a seed. Backward: `dX = dY ⊙ mask`.
public final class Dropout<T: NeuralScalar>: Layer {
    public let rate: Double
    public var training = true
    var rng: SeededGenerator
    var mask: [T] = []

    public init(rate: Double, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        rng = SeededGenerator(seed: seed)
    }
    public var parameters: [Parameter<T>] { [] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        guard training, rate > 0 else { mask = []; return x }
        let keep = T(1 / (1 - rate)), rate = rate
        var rng = rng
        let mask = x.storage.map { _ in Double.random(in: 0..<1, using: &rng) < rate ? 0 : keep }
        self.rng = rng
        self.mask = mask
        var y = x
        for k in y.storage.indices { y.storage[k] *= mask[k] }
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        guard !mask.isEmpty else { return dy }
        var dx = dy
        for k in dx.storage.indices { dx.storage[k] *= mask[k] }
        return dx
    }
}

/// Layer normalisation over each row: `x̂ = (x − μ)/√(σ² + ε)`, `y = γ ⊙ x̂ + β`.
/// Backward (per row of width `n`): `dγ += Σ dY ⊙ x̂`, `dβ += Σ dY`, and with `g = dY ⊙ γ`,
/// `dX = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ² + ε)`.
public final class LayerNorm<T: NeuralScalar>: Layer {
    public let gain: Parameter<T>
    public let shift: Parameter<T>
    public let epsilon: T
    var normalized = Matrix<T>(rows: 0, columns: 0)
    var inverseStd: [T] = []

    public init(features: Int, epsilon: Double = 1e-5) {
        gain = Parameter("gain", Matrix(rows: 1, columns: features, repeating: 1))
        shift = Parameter("shift", Matrix(rows: 1, columns: features))
        self.epsilon = T(epsilon)
    }
    public var parameters: [Parameter<T>] { [gain, shift] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let n = x.columns, rows = x.rows, eps = epsilon
        var xhat = x, y = x
        var inverseStd = [T](repeating: 0, count: rows)
        let gain = gain.value.storage, shift = shift.value.storage
        xhat.storage.withUnsafeMutableBufferPointer { h in
            y.storage.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    var mean: T = 0
                    for c in 0..<n { mean += h[r * n + c] }
                    mean /= T(n)
                    var variance: T = 0
                    for c in 0..<n { let e = h[r * n + c] - mean; variance += e * e }
                    let inv = 1 / T.squareRoot(variance / T(n) + eps)
                    inverseStd[r] = inv
                    for c in 0..<n {
                        let v = (h[r * n + c] - mean) * inv
                        h[r * n + c] = v
                        y[r * n + c] = gain[c] * v + shift[c]
                    }
                }
            }
        }
        self.inverseStd = inverseStd
        normalized = xhat
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let n = dy.columns, rows = dy.rows
        var dx = dy
        let gain = gain.value.storage
        var dGain = self.gain.gradient.storage, dShift = shift.gradient.storage
        dx.storage.withUnsafeMutableBufferPointer { dx in
            normalized.storage.withUnsafeBufferPointer { xhat in
                for r in 0..<rows {
                    var meanG: T = 0, meanGX: T = 0
                    for c in 0..<n {
                        let d = dx[r * n + c], h = xhat[r * n + c]
                        dGain[c] += d * h
                        dShift[c] += d
                        let g = d * gain[c]
                        meanG += g
                        meanGX += g * h
                    }
                    meanG /= T(n); meanGX /= T(n)
                    let inv = inverseStd[r]
                    for c in 0..<n {
                        dx[r * n + c] = (dx[r * n + c] * gain[c] - meanG - xhat[r * n + c] * meanGX) * inv
                    }
                }
            }
        }
        self.gain.gradient.storage = dGain
        shift.gradient.storage = dShift
        return dx
    }
}

/// Layers applied in order; backward runs them in reverse.
public final class Sequential<T: NeuralScalar>: Layer {
    public let layers: [any Layer<T>]
    public init(_ layers: [any Layer<T>]) { self.layers = layers }
    public var parameters: [Parameter<T>] { layers.flatMap { $0.parameters } }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try layers.reduce(x) { try $1.forward($0, context: context) }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try layers.reversed().reduce(dy) { try $1.backward($0, context: context) }
    }
}
