/// A GEMM micro-kernel: the register tile of C it keeps in accumulators and the cache blocking
/// sized for it.
///
/// A tile is `mr` rows by `vectors` vectors `V` (`nr = vectors·V.scalarCount` columns). Kernels are written
/// generically over `V` and specialised inside a tier module compiled for the instruction set the
/// vector width needs (``KernelTier``): the same source gives SSE, AVX2 or AVX-512 code.
public protocol GEMMTile {
    associatedtype V: SIMD where V.Scalar: BinaryFloatingPoint
    /// Rows of C per tile.
    static var mr: Int { get }
    /// Vectors per row of the tile.
    static var vectors: Int { get }
    /// Depth of a packed panel (each tile's value was chosen by measurement).
    static var kc: Int { get }
    /// Rows of a packed block of A (a multiple of `mr`), sized so an `mc × kc` block stays in L2.
    static var mc: Int { get }
    /// Whether the target has fused multiply-add. Without it (baseline x86-64) `addingProduct`
    /// becomes a libm call per lane, so the kernel multiplies and adds instead.
    static var fused: Bool { get }

    /// `C[0..<mr, 0..<nr] += α·Σ_p A(i, p)·B(p, j)` for `p < kb`, where `A(i, p) = a[i·rsA + p·csA]`
    /// and `B(p, j) = b[p·ldb + j]` (each row of B contiguous). Packed slivers are the case
    /// `rsA = 1, csA = mr, ldb = nr, α = 1`.
    static func run(_ kb: Int, _ a: UnsafePointer<V.Scalar>, rsA: Int, csA: Int,
                    _ b: UnsafePointer<V.Scalar>, ldb: Int, alpha: V.Scalar,
                    _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int)
}

extension GEMMTile {
    /// Columns of C per tile.
    @inlinable @inline(__always) public static var nr: Int { vectors * V.scalarCount }

    /// Columns of a packed panel of B: a multiple of `nr` near 4 096.
    @inlinable @inline(__always) public static var nc: Int { 4080 / nr * nr }

    /// `acc + x·y`, fused where the target has FMA.
    @inlinable @inline(__always)
    static func madd(_ acc: V, _ x: V, _ y: V) -> V { fused ? acc.addingProduct(x, y) : acc + x * y }

    /// Adds `α·(v0, v1)` to row `row` of the tile at `c`.
    @inlinable @inline(__always)
    static func accumulate(_ v0: V, _ v1: V, alpha: V, row: Int, _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int) {
        let r = c + row * ldc, w = V.scalarCount
        madd(V(loadingFrom: r), alpha, v0).store(to: r)
        madd(V(loadingFrom: r + w), alpha, v1).store(to: r + w)
    }

    /// Adds `α·(v0, v1, v2, v3)` to row `row` of the tile at `c`.
    @inlinable @inline(__always)
    static func accumulate(_ v0: V, _ v1: V, _ v2: V, _ v3: V, alpha: V, row: Int, _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int) {
        let r = c + row * ldc, w = V.scalarCount
        madd(V(loadingFrom: r), alpha, v0).store(to: r)
        madd(V(loadingFrom: r + w), alpha, v1).store(to: r + w)
        madd(V(loadingFrom: r + 2 * w), alpha, v2).store(to: r + 2 * w)
        madd(V(loadingFrom: r + 3 * w), alpha, v3).store(to: r + 3 * w)
    }
}

/// 6 rows × 2 vectors: 12 accumulators, 2 loads of B and 6 broadcasts of A per step — fits the
/// 16 vector registers of SSE and AVX2.
public enum Tile6x2<V: SIMD, Fused: FMAFlag>: GEMMTile where V.Scalar: BinaryFloatingPoint {
    @inlinable public static var mr: Int { 6 }
    @inlinable public static var vectors: Int { 2 }
    @inlinable public static var kc: Int { 256 }
    @inlinable public static var mc: Int { 96 }
    @inlinable public static var fused: Bool { Fused.isFused }

    @inlinable @inline(__always)
    public static func run(_ kb: Int, _ a: UnsafePointer<V.Scalar>, rsA: Int, csA: Int,
                           _ b: UnsafePointer<V.Scalar>, ldb: Int, alpha: V.Scalar,
                           _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int) {
        let w = V.scalarCount
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let r1 = rsA, r2 = 2 * rsA, r3 = 3 * rsA, r4 = 4 * rsA, r5 = 5 * rsA
        var ap = a, bp = b
        for _ in 0..<kb {
            let b0 = V(loadingFrom: bp), b1 = V(loadingFrom: bp + w)
            var av = V(repeating: ap[0])
            c00 = madd(c00, av, b0); c01 = madd(c01, av, b1)
            av = V(repeating: ap[r1])
            c10 = madd(c10, av, b0); c11 = madd(c11, av, b1)
            av = V(repeating: ap[r2])
            c20 = madd(c20, av, b0); c21 = madd(c21, av, b1)
            av = V(repeating: ap[r3])
            c30 = madd(c30, av, b0); c31 = madd(c31, av, b1)
            av = V(repeating: ap[r4])
            c40 = madd(c40, av, b0); c41 = madd(c41, av, b1)
            av = V(repeating: ap[r5])
            c50 = madd(c50, av, b0); c51 = madd(c51, av, b1)
            ap += csA
            bp += ldb
        }
        let al = V(repeating: alpha)
        accumulate(c00, c01, alpha: al, row: 0, c, ldc); accumulate(c10, c11, alpha: al, row: 1, c, ldc)
        accumulate(c20, c21, alpha: al, row: 2, c, ldc); accumulate(c30, c31, alpha: al, row: 3, c, ldc)
        accumulate(c40, c41, alpha: al, row: 4, c, ldc); accumulate(c50, c51, alpha: al, row: 5, c, ldc)
    }
}

/// 6 rows × 4 vectors: 24 accumulators, 4 loads of B and 6 broadcasts of A per step — sized for
/// AVX-512's 32 registers (29 live). Measured on Zen 4 against 12 × 2 (the other shape that fits):
/// equal on large products, 1.2× faster on a batch of 64 × 64 products, whose 64 columns are one
/// tile wide in Float.
public enum Tile6x4<V: SIMD, Fused: FMAFlag>: GEMMTile where V.Scalar: BinaryFloatingPoint {
    @inlinable public static var mr: Int { 6 }
    @inlinable public static var vectors: Int { 4 }
    @inlinable public static var kc: Int { 384 }
    @inlinable public static var mc: Int { 96 }
    @inlinable public static var fused: Bool { Fused.isFused }

    @inlinable @inline(__always)
    public static func run(_ kb: Int, _ a: UnsafePointer<V.Scalar>, rsA: Int, csA: Int,
                           _ b: UnsafePointer<V.Scalar>, ldb: Int, alpha: V.Scalar,
                           _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int) {
        let w = V.scalarCount
        var c00 = V(), c01 = V(), c02 = V(), c03 = V(), c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V(), c30 = V(), c31 = V(), c32 = V(), c33 = V()
        var c40 = V(), c41 = V(), c42 = V(), c43 = V(), c50 = V(), c51 = V(), c52 = V(), c53 = V()
        var ap = a, bp = b
        for _ in 0..<kb {
            let b0 = V(loadingFrom: bp), b1 = V(loadingFrom: bp + w), b2 = V(loadingFrom: bp + 2 * w), b3 = V(loadingFrom: bp + 3 * w)
            var av = V(repeating: ap[0])
            c00 = madd(c00, av, b0); c01 = madd(c01, av, b1); c02 = madd(c02, av, b2); c03 = madd(c03, av, b3)
            av = V(repeating: ap[rsA])
            c10 = madd(c10, av, b0); c11 = madd(c11, av, b1); c12 = madd(c12, av, b2); c13 = madd(c13, av, b3)
            av = V(repeating: ap[2 * rsA])
            c20 = madd(c20, av, b0); c21 = madd(c21, av, b1); c22 = madd(c22, av, b2); c23 = madd(c23, av, b3)
            av = V(repeating: ap[3 * rsA])
            c30 = madd(c30, av, b0); c31 = madd(c31, av, b1); c32 = madd(c32, av, b2); c33 = madd(c33, av, b3)
            av = V(repeating: ap[4 * rsA])
            c40 = madd(c40, av, b0); c41 = madd(c41, av, b1); c42 = madd(c42, av, b2); c43 = madd(c43, av, b3)
            av = V(repeating: ap[5 * rsA])
            c50 = madd(c50, av, b0); c51 = madd(c51, av, b1); c52 = madd(c52, av, b2); c53 = madd(c53, av, b3)
            ap += csA
            bp += ldb
        }
        let al = V(repeating: alpha)
        accumulate(c00, c01, c02, c03, alpha: al, row: 0, c, ldc); accumulate(c10, c11, c12, c13, alpha: al, row: 1, c, ldc)
        accumulate(c20, c21, c22, c23, alpha: al, row: 2, c, ldc); accumulate(c30, c31, c32, c33, alpha: al, row: 3, c, ldc)
        accumulate(c40, c41, c42, c43, alpha: al, row: 4, c, ldc); accumulate(c50, c51, c52, c53, alpha: al, row: 5, c, ldc)
    }
}

/// Whether a tile uses fused multiply-add: ``Fused`` in the AVX2 and AVX-512 tiers, ``Unfused``
/// in the baseline one.
public protocol FMAFlag { static var isFused: Bool { get } }
public enum Fused: FMAFlag { @inlinable public static var isFused: Bool { true } }
public enum Unfused: FMAFlag { @inlinable public static var isFused: Bool { false } }
