import RecKitLinearAlgebra

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
