/// The matrix–vector product over rows, `y ← α·A·x + β·y` with `A` row-major `m × n` (leading
/// dimension `lda`), generic over the vector `V` and whether the target fuses multiply-adds (`F`);
/// specialised per ``KernelTier``.
///
/// Four rows at a time share each loaded slice of `x`, so a product with short rows (scoring every
/// item's 64 factors against one user's) streams `A` once at the memory's speed instead of paying a
/// horizontal sum and a call per row. Each entry is a dot product in `V`'s lanes, summed across the
/// lanes at the end, then the scalar tail: the rounding depends on the vector width, as
/// ``VectorOps/dot(_:_:_:)``'s does, but not on which rows are computed together, so a split of
/// the rows between threads does not change any entry. With `β = 0`, `y` is written without being
/// read.
public enum MatrixVector<V: SIMD, F: FMAFlag> where V.Scalar: BinaryFloatingPoint {
    public typealias T = V.Scalar

    @inlinable @inline(__always)
    public static func rows(_ a: UnsafePointer<T>, lda: Int, m: Int, n: Int, x: UnsafePointer<T>, alpha: T, beta: T,
                            y: UnsafeMutablePointer<T>) {
        let w = V.scalarCount
        @inline(__always) func put(_ i: Int, _ d: T) { y[i] = beta == 0 ? alpha * d : alpha * d + beta * y[i] }
        var i = 0
        while i + 4 <= m {
            let r0 = a + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            var j = 0
            while j + w <= n {
                let xv = V(loadingFrom: x + j)
                s0 = VectorOps<V, F>.madd(s0, V(loadingFrom: r0 + j), xv)
                s1 = VectorOps<V, F>.madd(s1, V(loadingFrom: r1 + j), xv)
                s2 = VectorOps<V, F>.madd(s2, V(loadingFrom: r2 + j), xv)
                s3 = VectorOps<V, F>.madd(s3, V(loadingFrom: r3 + j), xv)
                j += w
            }
            var d0 = halvingSum(s0), d1 = halvingSum(s1), d2 = halvingSum(s2), d3 = halvingSum(s3)
            while j < n {
                d0 += r0[j] * x[j]; d1 += r1[j] * x[j]; d2 += r2[j] * x[j]; d3 += r3[j] * x[j]
                j += 1
            }
            put(i, d0); put(i + 1, d1); put(i + 2, d2); put(i + 3, d3)
            i += 4
        }
        while i < m {
            put(i, rowDot(a + i * lda, x, n))
            i += 1
        }
    }

    /// One row's entry summed exactly as a row of a group of four is, so that no entry depends on
    /// how the rows are split.
    @inlinable @inline(__always)
    static func rowDot(_ r: UnsafePointer<T>, _ x: UnsafePointer<T>, _ n: Int) -> T {
        let w = V.scalarCount
        var s = V()
        var j = 0
        while j + w <= n {
            s = VectorOps<V, F>.madd(s, V(loadingFrom: r + j), V(loadingFrom: x + j))
            j += w
        }
        var d = halvingSum(s)
        while j < n { d += r[j] * x[j]; j += 1 }
        return d
    }

    /// The sum of `v`'s lanes by halving (`log₂` of the width dependent adds): `SIMD.sum()` adds the
    /// lanes one after the other, 15 dependent adds for 16 lanes, which cost more than a short
    /// row's multiply-adds.
    @inlinable @inline(__always)
    static func halvingSum(_ v: V) -> T {
        var lanes = v
        var width = V.scalarCount
        while width > 1 {
            width /= 2
            for k in 0..<width { lanes[k] += lanes[k + width] }
        }
        return lanes[0]
    }
}
