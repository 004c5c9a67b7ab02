#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RecKitLinearAlgebra

/// The element types neural layers run in: ``Scalar`` plus the elementary functions activations and
/// losses need. `Float` trains; `Double` checks gradients against finite differences.
public protocol NeuralScalar: Scalar {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: NeuralScalar {
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { erff(x) }
}

extension Double: NeuralScalar {
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Glibc.erf(x) }
}

extension NeuralScalar {
    /// `1 / (1 + e^{−x})`, without overflow for large |x|.
    @inlinable static func sigmoid(_ x: Self) -> Self {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
    /// `ln(1 + e^{x})`, without overflow for large x.
    @inlinable static func softplus(_ x: Self) -> Self {
        x > 0 ? x + log(1 + exp(-x)) : log(1 + exp(x))
    }
}
