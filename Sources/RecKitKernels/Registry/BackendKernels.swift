/// The kernels of one back end: every numerical inner loop RecKit runs, over raw row-major buffers.
///
/// This is RecKit's counterpart of a BLIS context. Each back end registers its kernels by
/// conforming to this protocol (``OpenBLASBackend``, ``SwiftBackend``); the layers above reach them
/// through ``ExecutionContext/kernels`` and never ask which back end they run on. A back end without
/// a kernel of its own for an operation takes the reference kernel of the protocol extension (BPR
/// and SVD++ epochs are pure Swift on both back ends).
///
/// Contracts common to every kernel: operands are row-major, `ld…` is the distance in elements
/// between consecutive rows, shapes and strides have been validated by the caller, and buffers do
/// not overlap unless a kernel says so. Kernels that run threads of their own take `threads`;
/// the others run on the calling thread (the drivers in ``ALSKernels``, ``SGDKernels`` and
/// ``SparseKernels`` split work between threads).
package protocol BackendKernels {
    /// The back end these kernels belong to.
    static var backend: Backend { get }

    // MARK: Dense

    /// `C ← β·C + α·op(A)·op(B)`; `op(A)` is `m × k`, `op(B)` is `k × n`.
    static func gemm<T: Scalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                b: UnsafePointer<T>, ldb: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int)

    /// `y ← β·y + α·op(A)·x`; `A` is `m × n`, `x` and `y` contiguous.
    static func gemv<T: Scalar>(trans: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>, threads: Int)

    /// The lower triangle of `C (n × n) ← β·C + α·op(A)·op(A)ᵀ`, `op(A)` is `n × k`; the strict
    /// upper triangle is unspecified afterwards.
    static func syrkLower<T: Scalar>(trans: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                     beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int)

    /// `Y ← Y·L⁻ᵀ` in place for a lower-triangular `L` (`n × n`) and `Y` (`m × n`).
    static func solveRightLowerTransposed<T: Scalar>(m: Int, n: Int, l: UnsafePointer<T>, ldl: Int,
                                                     y: UnsafeMutablePointer<T>, ldy: Int, threads: Int)

    /// In-place Cholesky `A = L·Lᵀ` of the lower triangle; 0, or the order of the first leading
    /// minor that is not positive.
    static func choleskyFactor<T: Scalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, threads: Int) -> Int

    /// `B ← (L·Lᵀ)⁻¹·B` from the lower factor; LAPACK's `info`.
    static func choleskySolve<T: Scalar>(n: Int, nrhs: Int, l: UnsafePointer<T>, ldl: Int, b: UnsafeMutablePointer<T>, ldb: Int, threads: Int) -> Int

    /// `(L·Lᵀ)⁻¹` (full symmetric `n × n`) from the lower factor `l` (`ld = n`), and LAPACK's `info`.
    static func choleskyInverse<T: Scalar>(n: Int, l: UnsafePointer<T>, threads: Int) -> (inverse: [T], info: Int)

    /// Runs `body`, a run of calls with `threads: 1` made by one worker of a parallel loop (e.g. a
    /// Cholesky solve per row), paying the back end's per-call set-up once: OpenBLAS's thread-count
    /// gate is entered once for the run instead of once per call. Calls inside run single-threaded
    /// whatever `threads` they pass.
    static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R

    /// Thin QR of an `m × n` matrix: `Q` (`m × p`), `R` (`p × n`), `p = min(m, n)`.
    /// The three decompositions throw ``KernelError``.
    static func qr<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (q: KernelMatrix<T>, r: KernelMatrix<T>)

    /// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix (lower triangle read).
    static func symmetricEigen<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (values: [T], vectors: KernelMatrix<T>)

    /// Thin SVD `A = U·diag(s)·Vᵀ`, singular values descending.
    static func svd<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (u: KernelMatrix<T>, s: [T], vt: KernelMatrix<T>)

    // MARK: Sparse × dense

    /// Rows `rows` of a CSR matrix `A` times the dense `B` (columns `0..<width` at `b`, stride
    /// `ldb`), added into `C` (stride `ldc`): `C[i, :] += Σ_p A[i, j_p]·B[j_p, :]`, or with
    /// `transposed` the scatter `C[j_p, :] += A[i, j_p]·B[i, :]`. Runs on the calling thread.
    static func csrTimesDense<T: Scalar>(transposed: Bool, rows: Range<Int>, width: Int, csr: CSRPointers<T>,
                                         b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int)

    // MARK: ALS rows

    /// Implicit-feedback ALS: `steps` conjugate-gradient steps from each row of `x` on
    /// `(G + Σ α·r·y yᵀ)·x = Σ (1 + α·r)·y` over the row's entries with `r > 0`, `G = YᵀY + λI`.
    /// `y` is `columns × f`, `x` is `rows × f`; `work` holds ``ALSKernels/workSize(f:exact:)`` elements.
    static func alsConjugateGradient<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>,
                                                y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T, steps: Int,
                                                work: UnsafeMutablePointer<T>)

    /// ALS rows solved exactly (Cholesky): with `gram`, the implicit system of
    /// ``alsConjugateGradient(rows:f:csr:gram:y:x:alpha:steps:work:)``; without, the explicit
    /// weighted-λ system `(λ·n·I + Σ y yᵀ)·x = Σ r·y`. Empty rows get `x = 0`. Returns the first row
    /// whose system is not positive definite in this precision and the failing minor.
    static func alsSolve<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>?, lambda: T,
                                    y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T,
                                    work: UnsafeMutablePointer<T>) -> (row: Int, order: Int)?

    // MARK: SGD epochs

    /// One pass of biased-MF SGD over `entries` in order: for each rating,
    /// `e = r − (μ + b_u + b_i + p_u·q_i)`, then `b ← b + lr·(e − λ_b·b)`, `p_u ← p_u + lr·(e·q_i − λ·p_u)`,
    /// `q_i ← q_i + lr·(e·p_u − λ·q_i)` (with the old `p_u`). Factor rows are `stride` floats (a
    /// multiple of 8, zero-padded). Returns the sum of squared errors met.
    static func sgdBiasedEpoch(_ entries: UnsafeBufferPointer<RatingEntry>, p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>,
                               bu: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>, stride: Int,
                               mu: Float, lr: Float, reg: Float, regBias: Float) -> Double

    /// One pass of BPR SGD over one stratum's positives, negatives drawn from `negatives` with
    /// `rng`; returns the loss and the number of triples ranked correctly before their update. Both
    /// back ends use the reference kernel (``SGDKernels``).
    static func bprEpoch(_ entries: UnsafeBufferPointer<RatingEntry>, negatives: Range<Int>, seen: [[Int32]],
                         p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>,
                         stride: Int, lr: Float, reg: Float, rng: inout SeededGenerator) -> (Double, Int)
}

extension ExecutionContext {
    /// The kernels of this context's back end: the one place that chooses code by back end.
    package var kernels: any BackendKernels.Type {
        switch backend {
        case .blas: OpenBLASBackend.self
        case .swift: SwiftBackend.self
        }
    }
}

/// A CSR matrix's arrays as pointers, for the duration of a kernel call.
package struct CSRPointers<T: Scalar> {
    /// `rows + 1` offsets into `columns`/`values`.
    package let offsets: UnsafePointer<Int>
    package let columns: UnsafePointer<Int32>
    package let values: UnsafePointer<T>
    /// Stored entries.
    package let nonZeroCount: Int

    package init(offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<T>, nonZeroCount: Int) {
        self.offsets = offsets
        self.columns = columns
        self.values = values
        self.nonZeroCount = nonZeroCount
    }

    /// The arrays of a CSR matrix as pointers while `body` runs (an empty array's base address is
    /// nil in Swift; no kernel reads it then).
    package static func with<R>(offsets: [Int], columns: [Int32], values: [T], _ body: (CSRPointers<T>) throws -> R) rethrows -> R {
        try offsets.withUnsafeBufferPointer { o in
            try columns.withUnsafeBufferPointer { j in
                try values.withUnsafeBufferPointer { v in
                    try body(CSRPointers(offsets: o.baseAddress!, columns: j.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                         values: v.baseAddress ?? UnsafePointer(bitPattern: 8)!, nonZeroCount: values.count))
                }
            }
        }
    }
}
