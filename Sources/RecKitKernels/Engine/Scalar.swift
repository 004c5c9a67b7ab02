/// The element precision of a matrix.
public enum DType: String, Sendable, CaseIterable, Codable {
    case float
    case double

    /// Bytes per element.
    public var byteSize: Int { self == .float ? 4 : 8 }
}

/// A floating-point element type RecKit's linear algebra runs on: `Float` or `Double`.
///
/// Each conformance names a 256-bit SIMD vector (`SIMD8<Float>`, `SIMD4<Double>`) that the
/// pure-Swift back end's kernels are written in, and its ``DType`` so the OpenBLAS back end can
/// dispatch to the `s…`/`d…` routine.
public protocol Scalar: BinaryFloatingPoint, SIMDScalar, BitwiseCopyable, Sendable, Codable, LosslessStringConvertible
where Magnitude == Self, RawSignificand: FixedWidthInteger, Vector.Scalar == Self {
    /// The SIMD vector the pure-Swift kernels use for this precision.
    associatedtype Vector: SIMD

    /// The precision tag.
    static var dtype: DType { get }

    /// Square root (LAPACK semantics: negative input gives NaN).
    static func squareRoot(_ x: Self) -> Self

    /// Converts from `Double` (rounding to nearest for `Float`).
    init(_ value: Double)

    /// The value as a `Double`.
    var doubleValue: Double { get }
}

extension Float: Scalar {
    public typealias Vector = SIMD8<Float>
    public static var dtype: DType { .float }
    @inlinable public static func squareRoot(_ x: Float) -> Float { x.squareRoot() }
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Double: Scalar {
    public typealias Vector = SIMD4<Double>
    public static var dtype: DType { .double }
    @inlinable public static func squareRoot(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public var doubleValue: Double { self }
}

extension Array where Element: Scalar {
    /// The elements in another precision (Double → Float rounds to nearest). Float ↔ Double run
    /// as concrete loops the compiler vectorises, also when called from unspecialised generic code;
    /// an array of a million elements or more is converted by the current context's threads, each
    /// writing (and so first touching) its own part of the new array.
    public func converted<U: Scalar>(to _: U.Type = U.self) -> [U] {
        if Element.self == U.self { return unsafeBitCast(self, to: [U].self) }
        let threads = count >= 1 << 20 ? ExecutionContext.current.threads : 1
        if Element.self == Double.self {
            return unsafeBitCast(Self.convert(unsafeBitCast(self, to: [Double].self), threads: threads) { Float($0) }, to: [U].self)
        }
        return unsafeBitCast(Self.convert(unsafeBitCast(self, to: [Float].self), threads: threads) { Double($0) }, to: [U].self)
    }

    @inline(__always)
    private static func convert<A: BitwiseCopyable, B: BitwiseCopyable>(_ source: [A], threads: Int, _ f: (A) -> B) -> [B] {
        var out = [B].uninitialized(count: source.count)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let (s, d) = (src.baseAddress, dst.baseAddress)
                Parallel.forEachChunk(count: src.count, threads: threads, minimumChunk: 1 << 16) { range in
                    for i in range { d![i] = f(s![i]) }
                }
            }
        }
        return out
    }
}
