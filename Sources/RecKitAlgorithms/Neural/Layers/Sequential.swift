import RecKitLinearAlgebra

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
