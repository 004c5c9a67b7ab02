/// Level-1 vector operations over contiguous memory, generic over the vector `V` and whether the
/// target fuses multiply-adds (`F`); specialised per ``KernelTier``. Whole vectors with
/// independent accumulators, then a scalar tail.
public enum VectorOps<V: SIMD, F: FMAFlag> where V.Scalar: BinaryFloatingPoint {
    public typealias T = V.Scalar

    /// `acc + x·y`, fused where the target has FMA (without it `addingProduct` is a libm call per lane).
    @inlinable @inline(__always)
    public static func madd(_ acc: V, _ x: V, _ y: V) -> V { F.isFused ? acc.addingProduct(x, y) : acc + x * y }

    /// `Σ x[i]·y[i]` for `i < n`.
    @inlinable @inline(__always)
    public static func dot(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> T {
        let w = V.scalarCount
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var i = 0
        while i + 4 * w <= n {
            s0 = madd(s0, V(loadingFrom: x + i), V(loadingFrom: y + i))
            s1 = madd(s1, V(loadingFrom: x + i + w), V(loadingFrom: y + i + w))
            s2 = madd(s2, V(loadingFrom: x + i + 2 * w), V(loadingFrom: y + i + 2 * w))
            s3 = madd(s3, V(loadingFrom: x + i + 3 * w), V(loadingFrom: y + i + 3 * w))
            i += 4 * w
        }
        while i + w <= n {
            s0 = madd(s0, V(loadingFrom: x + i), V(loadingFrom: y + i))
            i += w
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// `y[i] += a·x[i]` for `i < n`.
    @inlinable @inline(__always)
    public static func axpy(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        let w = V.scalarCount
        let av = V(repeating: a)
        var i = 0
        while i + 2 * w <= n {
            madd(V(loadingFrom: y + i), av, V(loadingFrom: x + i)).store(to: y + i)
            madd(V(loadingFrom: y + i + w), av, V(loadingFrom: x + i + w)).store(to: y + i + w)
            i += 2 * w
        }
        while i + w <= n {
            madd(V(loadingFrom: y + i), av, V(loadingFrom: x + i)).store(to: y + i)
            i += w
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
