import RecKitLinearAlgebra

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
