import Swift

/// The correctly rounded square root as LLVM's `llvm.sqrt` intrinsic, with no `errno` contract.
///
/// `Float.squareRoot()` and `SIMD.squareRoot()` reach a C shim that tests each argument for a
/// negative value and branches to libm's `sqrtf` (C's `errno` rule). In this package's modules
/// that shim is not inlined: the pure-Swift Adam kernel made one call per lane (29 in the AVX-512
/// Float kernel, 15 % of an I-AutoRec fit). The intrinsic has no branch, so a loop over a vector's
/// lanes becomes one `vsqrtps`/`vsqrtpd` at the tier's width. The value is the same: IEEE 754's
/// square root, NaN for a negative or NaN argument.
public enum SquareRoot {
    @inlinable @inline(__always)
    public static func of(_ x: Float) -> Float { Float(Builtin.int_sqrt_FPIEEE32(x._value)) }

    @inlinable @inline(__always)
    public static func of(_ x: Double) -> Double { Double(Builtin.int_sqrt_FPIEEE64(x._value)) }

    /// Lane by lane (one vector instruction once inlined into a specialised caller).
    @inlinable @inline(__always)
    public static func of<V: SIMD>(_ x: V) -> V where V.Scalar: BinaryFloatingPoint {
        var r = x
        for lane in 0..<V.scalarCount { r[lane] = of(x[lane]) }
        return r
    }

    /// For the generic kernels: `Float` and `Double` take the intrinsic; other formats their own
    /// `squareRoot()`.
    @inlinable @inline(__always)
    public static func of<S: BinaryFloatingPoint>(_ x: S) -> S {
        if S.self == Float.self { return unsafeBitCast(of(unsafeBitCast(x, to: Float.self)), to: S.self) }
        if S.self == Double.self { return unsafeBitCast(of(unsafeBitCast(x, to: Double.self)), to: S.self) }
        return x.squareRoot()
    }
}
