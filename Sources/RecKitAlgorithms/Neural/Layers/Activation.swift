import RecKitLinearAlgebra

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
