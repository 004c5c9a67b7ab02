/// One instruction-set tier of the pure-Swift kernels: the generic kernels of this module
/// specialised inside a module compiled for that tier's instruction set.
///
/// | tier       | module              | compiled for           | GEMM tile (Float / Double)        | narrower products         |
/// |------------|---------------------|------------------------|-----------------------------------|---------------------------|
/// | `baseline` | `RecKitSIMD`        | x86-64 (SSE2), no FMA  | 6 × 8 / 6 × 4 (128-bit vectors)   | —                         |
/// | `avx2`     | `RecKitSIMDAVX2`    | `haswell` (AVX2 + FMA) | 6 × 16 / 6 × 8 (256-bit vectors)  | 6 × 8 / 6 × 4 (128-bit)   |
/// | `avx512`   | `RecKitSIMDAVX512`  | `skylake-avx512`       | 6 × 64 / 6 × 32 (512-bit vectors) | 6 × 16 / 6 × 8 (256-bit); Float under 16 columns 6 × 8 (128-bit) |
///
/// A product runs on the widest tile no wider than it (or on the narrowest).
///
/// The functions are non-generic closures so that no caller can re-specialise (and so
/// re-compile for its own instruction set) the code inside them. `RecKitKernels` chooses the tier
/// at run time (`SwiftKernelTier`).
public struct KernelTier: Sendable {
    /// `baseline`, `avx2` or `avx512`.
    public let name: String
    /// Width of the vectors the kernels are written in.
    public let vectorBits: Int
    /// The single-precision kernels.
    public let float: TierKernels<Float>
    /// The double-precision kernels.
    public let double: TierKernels<Double>
    /// One biased-MF SGD epoch over a block of ratings (see ``BiasedSGD``); returns the squared error.
    public let sgdBiasedEpoch: @Sendable (SGDEpochArguments) -> Double

    public init(name: String, vectorBits: Int, float: TierKernels<Float>, double: TierKernels<Double>,
                sgdBiasedEpoch: @escaping @Sendable (SGDEpochArguments) -> Double) {
        self.name = name
        self.vectorBits = vectorBits
        self.float = float
        self.double = double
        self.sgdBiasedEpoch = sgdBiasedEpoch
    }

    /// The baseline tier: 128-bit vectors without FMA, runs on every x86-64 (and elsewhere).
    public static let baseline = KernelTier(
        name: "baseline", vectorBits: 128,
        float: TierKernels(SIMD4<Float>.self, Unfused.self, gemmTile: Tile6x2<SIMD4<Float>, Unfused>.self),
        double: TierKernels(SIMD2<Double>.self, Unfused.self, gemmTile: Tile6x2<SIMD2<Double>, Unfused>.self),
        sgdBiasedEpoch: { BiasedSGD.epoch(SIMD4<Float>.self, $0) })
}

/// One precision's kernels in a tier. Each is a closure made by the always-inlined initialiser in
/// the tier module that calls it, so the generic code inside is specialised there, for that
/// module's instruction set.
public struct TierKernels<T: BinaryFloatingPoint & SIMDScalar>: Sendable {
    /// GEMM (see ``TiledGEMM``).
    public let gemm: @Sendable (GEMMArguments<T>) -> Void
    /// `Σ x[i]·y[i]` (see ``VectorOps``).
    public let dot: @Sendable (_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> T
    /// `y += a·x` (see ``VectorOps``).
    public let axpy: @Sendable (_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) -> Void
    /// `y ← α·A·x + β·y` over the rows of a row-major `A` (see ``MatrixVector``).
    public let gemvRows: @Sendable (_ a: UnsafePointer<T>, _ lda: Int, _ m: Int, _ n: Int, _ x: UnsafePointer<T>,
                                    _ alpha: T, _ beta: T, _ y: UnsafeMutablePointer<T>) -> Void
    /// Sparse × dense rows (see ``SparseRows``).
    public let csrTimesDense: @Sendable (CSRProductArguments<T>) -> Void
    /// ALS conjugate-gradient row updates (see ``ALSRows/conjugateGradient(_:)``).
    public let alsConjugateGradient: @Sendable (ALSRowArguments<T>) -> Void
    /// ALS exact row solves (see ``ALSRows/cholesky(_:)``).
    public let alsCholesky: @Sendable (ALSRowArguments<T>) -> (row: Int, order: Int)?
    /// Adam's update of `n` contiguous weights (see ``AdamUpdate``).
    public let adam: @Sendable (_ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                _ g: UnsafePointer<T>, _ n: Int, _ constants: AdamConstants<T>) -> Void
    /// Adam's update of the rows `rows` of a table with `columns` columns (see ``AdamUpdate``).
    public let adamRows: @Sendable (_ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                    _ g: UnsafePointer<T>, _ rows: UnsafeBufferPointer<Int32>, _ columns: Int,
                                    _ constants: AdamConstants<T>) -> Void
    /// Softmax numerators `e^(row[c] − max(row))` in place, returning their sum (see ``SoftmaxRow``).
    public let softmaxNumerators: @Sendable (_ row: UnsafeMutablePointer<T>, _ n: Int) -> T

    /// The kernels written in vectors `V`, fused or not as `F` says, with GEMM tile `K`.
    @inlinable @inline(__always)
    public init<V: SIMD, F: FMAFlag, K: GEMMTile>(_: V.Type, _: F.Type, gemmTile: K.Type)
    where V.Scalar == T, K.V.Scalar == T, T: SendableMetatype, V: SendableMetatype, F: SendableMetatype, K: SendableMetatype {
        self.init(V.self, F.self, gemmTile: K.self, narrowTile: K.self, rowVector: V.self)
    }

    /// The kernels as above, with GEMM tile `N` for products with fewer columns than `K` is wide:
    /// a wide tile computes whole `K.nr`-column panels, so a product of 8 or 16 columns (the small
    /// layers of NeuMF) would compute 4–8 times the work it needs. The matrix–vector product over
    /// rows runs in vectors `R`: it is bound by memory, and a narrower vector's sum across its lanes
    /// costs less per row (the AVX-512 tier's 512-bit vectors were 30 % slower on rows of 64).
    @inlinable @inline(__always)
    public init<V: SIMD, F: FMAFlag, K: GEMMTile, N: GEMMTile, R: SIMD>(_: V.Type, _: F.Type, gemmTile: K.Type, narrowTile: N.Type,
                                                                        rowVector: R.Type)
    where V.Scalar == T, K.V.Scalar == T, N.V.Scalar == T, R.Scalar == T,
          T: SendableMetatype, V: SendableMetatype, F: SendableMetatype, K: SendableMetatype, N: SendableMetatype, R: SendableMetatype {
        self.init(V.self, F.self, gemmTile: K.self, narrowTile: N.self, narrowestTile: N.self, rowVector: R.self)
    }

    /// The kernels as above, with a third GEMM tile `M` for products narrower than `N` too (the
    /// 8 × 8 products of a batch under a 16-column tile). Each product runs on the widest tile
    /// that is no wider than it, or on the narrowest.
    @inlinable @inline(__always)
    public init<V: SIMD, F: FMAFlag, K: GEMMTile, N: GEMMTile, M: GEMMTile, R: SIMD>(
        _: V.Type, _: F.Type, gemmTile: K.Type, narrowTile: N.Type, narrowestTile: M.Type, rowVector: R.Type
    ) where V.Scalar == T, K.V.Scalar == T, N.V.Scalar == T, M.V.Scalar == T, R.Scalar == T, T: SendableMetatype,
            V: SendableMetatype, F: SendableMetatype, K: SendableMetatype, N: SendableMetatype, M: SendableMetatype,
            R: SendableMetatype {
        gemm = { arguments in
            if arguments.n >= K.nr || N.nr >= K.nr { arguments.run(K.self) }
            else if arguments.n >= N.nr || M.nr >= N.nr { arguments.run(N.self) }
            else { arguments.run(M.self) }
        }
        dot = { VectorOps<V, F>.dot($0, $1, $2) }
        axpy = { VectorOps<V, F>.axpy($0, $1, $2, $3) }
        gemvRows = { MatrixVector<R, F>.rows($0, lda: $1, m: $2, n: $3, x: $4, alpha: $5, beta: $6, y: $7) }
        csrTimesDense = { SparseRows<V, F>.timesDense($0) }
        alsConjugateGradient = { ALSRows<V, F>.conjugateGradient($0) }
        alsCholesky = { ALSRows<V, F>.cholesky($0) }
        adam = { AdamUpdate<V>.run($0, $1, $2, $3, $4, $5) }
        adamRows = { AdamUpdate<V>.runRows($0, $1, $2, $3, rows: $4, columns: $5, $6) }
        softmaxNumerators = { SoftmaxRow<V>.numerators($0, $1) }
    }
}

/// The arguments of one GEMM call, `C ← β·C + α·op(A)·op(B)` (row-major; see ``TiledGEMM``).
public struct GEMMArguments<T: BinaryFloatingPoint & SIMDScalar> {
    public var transA: Bool, transB: Bool
    public var m: Int, n: Int, k: Int
    public var alpha: T
    public var a: UnsafePointer<T>, lda: Int
    public var b: UnsafePointer<T>, ldb: Int
    public var beta: T
    public var c: UnsafeMutablePointer<T>, ldc: Int
    public var threads: Int
    /// Only tiles touching the lower triangle of C (SYRK, blocked Cholesky).
    public var lowerOnly: Bool

    @inlinable
    public init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int,
                lowerOnly: Bool) {
        self.transA = transA; self.transB = transB
        self.m = m; self.n = n; self.k = k
        self.alpha = alpha
        self.a = a; self.lda = lda
        self.b = b; self.ldb = ldb
        self.beta = beta
        self.c = c; self.ldc = ldc
        self.threads = threads
        self.lowerOnly = lowerOnly
    }

    /// Runs the product with tile `K` (called inside a tier module, which specialises it).
    @inlinable @inline(__always)
    public func run<K: GEMMTile>(_ tile: K.Type) where K.V.Scalar == T {
        TiledGEMM.gemm(tile, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads, lowerOnly: lowerOnly)
    }
}
