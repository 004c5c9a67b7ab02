import CReckitShim
import RecKitLinearAlgebra

/// Sparse × dense products, multi-threaded on both back ends (see ``SparseKernels`` for which code
/// each runs). Results are deterministic for a given thread count.
extension CSRMatrix {
    /// `y = A·x` (A: rows × columns, x: columns).
    public func multiply(vector x: [Value], context: ExecutionContext = .current) throws -> [Value] {
        guard x.count == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply(vector:)", details: "A is \(shapeDescription), x has \(x.count) elements")
        }
        return try multiply(try Matrix(rows: columns, columns: 1, elements: x), context: context).storage
    }

    /// `y = Aᵀ·x` (x: rows).
    public func multiplyTransposed(vector x: [Value], context: ExecutionContext = .current) throws -> [Value] {
        guard x.count == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed(vector:)", details: "A is \(shapeDescription), x has \(x.count) elements")
        }
        let b = try Matrix(rows: rows, columns: 1, elements: x)
        return try multiplyTransposed(b, context: context).storage
    }

    /// `C = A·B` for a dense row-major `B` (columns × k): each row of C is a sum of scaled rows of B.
    /// - Complexity: `2·nnz·k` flops.
    public func multiply(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        var c = Matrix<Value>(rows: 0, columns: 0)
        try multiply(b, into: &c, context: context)
        return c
    }

    /// `C = A·B` into an existing matrix, reusing its storage when it is already `rows × k` (so a
    /// loop of products does not allocate — and page-fault — a new result every time).
    public func multiply(_ b: some MatrixRepresentable<Value>, into c: inout Matrix<Value>, context: ExecutionContext = .current) throws {
        let bv = b.matrixView
        guard bv.rows == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(columns) rows")
        }
        SparseKernels.product(self, bv.materialized(), transposed: false, into: &c, context: context)
    }

    /// `C = Aᵀ·B` for a dense row-major `B` (rows × k), without forming Aᵀ.
    /// - Complexity: `2·nnz·k` flops, plus `threads·columns·k` additions for the reduction.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        var c = Matrix<Value>(rows: 0, columns: 0)
        try multiplyTransposed(b, into: &c, context: context)
        return c
    }

    /// `C = Aᵀ·B` into an existing matrix, reusing its storage when it is already `columns × k`.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, into c: inout Matrix<Value>, context: ExecutionContext = .current) throws {
        let bv = b.matrixView
        guard bv.rows == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(rows) rows")
        }
        SparseKernels.product(self, bv.materialized(), transposed: true, into: &c, context: context)
    }
}

extension CSRMatrix {
    /// At most `parts` contiguous, non-empty row ranges of near-equal cost, a row costing its
    /// stored entries plus `perRow` (so skewed rows — a few heavy users — do not leave one thread
    /// with most of the work). Depends only on the arguments, so splits are deterministic.
    package func balancedRowRanges(parts: Int, perRow: Int = 0) -> [Range<Int>] {
        let total = nonZeroCount + rows * perRow
        guard parts > 1, rows > 1 else { return [0..<rows] }
        var bounds = [0]
        for p in 1..<parts {
            // the first row whose starting cost reaches p/parts of the total
            let target = total / parts * p + Swift.min(p, total % parts)
            var lo = bounds.last!, hi = rows
            while lo < hi { let mid = (lo + hi) / 2; if rowOffsets[mid] + mid * perRow < target { lo = mid + 1 } else { hi = mid } }
            bounds.append(lo)
        }
        bounds.append(rows)
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }.filter { !$0.isEmpty }
    }
}

/// The sparse × dense kernels. Generic callers in other modules cannot specialise RecKitData's
/// generics, so `product` switches on the precision and calls the kernel with a concrete type, which
/// the optimiser specialises to SIMD code (a profile showed the generic path 100× slower).
///
/// Both back ends share the partitioning; the per-thread loops differ. ``Backend/blas`` (the native
/// back end) runs the shim's C kernels, which prefetch the dense rows the next entries will touch;
/// ``Backend/swift`` runs the same loops in Swift SIMD. Products with a single vector use one Swift
/// loop for both (a gather from a vector that fits in cache has nothing to prefetch).
///
/// Work is split between threads by stored entries, not by rows, so the skewed row lengths of
/// rating data (a few heavy users) do not leave one thread with most of the work. `Aᵀ·B` with a
/// wide `B` splits `B`'s columns instead (no private buffers, no reduction); with a narrow `B`
/// each thread scatters into a private buffer, and the buffers are summed in a fixed order. Every
/// result is deterministic for a given thread count.
enum SparseKernels {
    static func product<T: Scalar>(_ a: CSRMatrix<T>, _ b: Matrix<T>, transposed: Bool, into c: inout Matrix<T>, context: ExecutionContext) {
        let outRows = transposed ? a.columns : a.rows
        if c.rows == outRows && c.columns == b.columns {
            c.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            c = Matrix(rows: outRows, columns: b.columns)
        }
        switch T.dtype {
        case .float:
            c.storage.withUnsafeMutableBufferPointer { cb in
                cb.withMemoryRebound(to: Float.self) { out in
                    let native: RowKernel<Float> = { transposed ? reckit_scsrmm_t($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                                                                : reckit_scsrmm($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) }
                    typedProduct(unsafeBitCast(a, to: CSRMatrix<Float>.self), unsafeBitCast(b, to: Matrix<Float>.self), transposed: transposed,
                                 into: out.baseAddress!, context: context, native: native, axpy: VectorKernels.axpyFloat)
                }
            }
        case .double:
            c.storage.withUnsafeMutableBufferPointer { cb in
                cb.withMemoryRebound(to: Double.self) { out in
                    let native: RowKernel<Double> = { transposed ? reckit_dcsrmm_t($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                                                                 : reckit_dcsrmm($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) }
                    typedProduct(unsafeBitCast(a, to: CSRMatrix<Double>.self), unsafeBitCast(b, to: Matrix<Double>.self), transposed: transposed,
                                 into: out.baseAddress!, context: context, native: native, axpy: VectorKernels.axpyDouble)
                }
            }
        }
    }

    /// The shim's kernel signature: rows r0..<r1, k columns, CSR arrays, nnz, B and its row stride,
    /// C and its row stride.
    typealias RowKernel<T> = (Int, Int, Int, UnsafePointer<Int>, UnsafePointer<Int32>, UnsafePointer<T>, Int,
                              UnsafePointer<T>, Int, UnsafeMutablePointer<T>, Int) -> Void

    /// The narrowest column slice a thread takes in a column-split transposed product.
    static var columnSplitWidth: Int { 16 }

    /// Threads worth using for `nnz · k` multiply-adds (a thread is not worth waking for less than ~64 K).
    static func parts(nnz: Int, k: Int, threads: Int) -> Int { Swift.max(1, Swift.min(threads, nnz * Swift.max(k, 1) / 65_536 + 1)) }

    /// Σ values[p]·x[columns[p]] over `start..<end`, four independent sums.
    @inline(__always)
    static func gatherDot<T: Scalar>(_ values: UnsafePointer<T>, _ columns: UnsafePointer<Int32>, _ start: Int, _ end: Int,
                                     _ x: UnsafePointer<T>) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
        var p = start
        while p + 3 < end {
            s0 += values[p] * x[Int(columns[p])]
            s1 += values[p + 1] * x[Int(columns[p + 1])]
            s2 += values[p + 2] * x[Int(columns[p + 2])]
            s3 += values[p + 3] * x[Int(columns[p + 3])]
            p += 4
        }
        while p < end { s0 += values[p] * x[Int(columns[p])]; p += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// The CSR arrays as pointers (offsets, column indices, values) for the duration of `body`.
    @inline(__always)
    static func withCSRPointers<T: Scalar, R>(_ a: CSRMatrix<T>,
                                              _ body: (UnsafePointer<Int>, UnsafePointer<Int32>, UnsafePointer<T>) -> R) -> R {
        a.rowOffsets.withUnsafeBufferPointer { o in
            a.columnIndices.withUnsafeBufferPointer { j in
                a.values.withUnsafeBufferPointer { v in
                    // an empty array's base address may be nil; no kernel reads it then
                    body(o.baseAddress!, j.baseAddress ?? UnsafePointer(bitPattern: 8)!, v.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                }
            }
        }
    }

    /// `C += op(A)·B` into zeroed memory `C` of `op(A).rows × k` elements.
    @inline(__always)
    static func typedProduct<T: Scalar>(_ a: CSRMatrix<T>, _ b: Matrix<T>, transposed: Bool, into C: UnsafeMutablePointer<T>,
                                        context: ExecutionContext, native: RowKernel<T>,
                                        axpy: (T, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) {
        let k = b.columns, n = a.columns, nnz = a.nonZeroCount
        let outRows = transposed ? a.columns : a.rows
        if k == 0 || outRows == 0 || a.rows == 0 || nnz == 0 { return }
        let useNative = context.backend == .blas
        let chunks = a.balancedRowRanges(parts: parts(nnz: nnz, k: k, threads: context.threads))
        withCSRPointers(a) { O, J, V in
            b.storage.withUnsafeBufferPointer { bb in
                let B = bb.baseAddress!
                // Rows `rows` of A, columns `cols` of B and C, into `out` (row stride k).
                func rowsKernel(_ rows: Range<Int>, _ cols: Range<Int>, _ out: UnsafeMutablePointer<T>) {
                    let width = cols.count, b0 = B + cols.lowerBound, c0 = out + cols.lowerBound
                    if useNative {
                        native(rows.lowerBound, rows.upperBound, width, O, J, V, nnz, b0, k, c0, k)
                    } else if !transposed {
                        for i in rows {
                            let dst = c0 + i * k
                            for p in O[i]..<O[i + 1] { axpy(V[p], b0 + Int(J[p]) * k, dst, width) }
                        }
                    } else {
                        for i in rows {
                            let src = b0 + i * k
                            for p in O[i]..<O[i + 1] { axpy(V[p], src, c0 + Int(J[p]) * k, width) }
                        }
                    }
                }
                if !transposed {
                    // C's row i gathers B's rows at row i's columns.
                    Parallel.forEachPart(chunks.count) { part in
                        if k == 1 {
                            for i in chunks[part] { C[i] = gatherDot(V, J, O[i], O[i + 1], B) }
                        } else {
                            rowsKernel(chunks[part], 0..<k, C)
                        }
                    }
                    return
                }
                if chunks.count > 1 && k >= 2 * columnSplitWidth {
                    // Aᵀ·B for a wide B: threads split the columns, each streaming all of A.
                    let parts = Swift.min(chunks.count, k / columnSplitWidth)
                    Parallel.forEachPart(parts) { part in rowsKernel(0..<a.rows, Parallel.chunk(part, of: parts, count: k), C) }
                    return
                }
                // Aᵀ·B for a narrow B: private buffers, summed in a fixed order.
                var partials = [T](repeating: 0, count: (chunks.count - 1) * n * k)
                partials.withUnsafeMutableBufferPointer { pb in
                    let P = pb.baseAddress
                    Parallel.forEachPart(chunks.count) { part in
                        let out = part == 0 ? C : P! + (part - 1) * n * k
                        if k == 1 {
                            for i in chunks[part] {
                                let yi = B[i]
                                for p in O[i]..<O[i + 1] { out[Int(J[p])] += V[p] * yi }
                            }
                        } else {
                            rowsKernel(chunks[part], 0..<k, out)
                        }
                    }
                    if chunks.count > 1 {
                        Parallel.forEachChunk(count: n, threads: chunks.count, minimumChunk: 64) { colRange in
                            for part in 1..<chunks.count {
                                let src = P! + (part - 1) * n * k
                                axpy(1, src + colRange.lowerBound * k, C + colRange.lowerBound * k, colRange.count * k)
                            }
                        }
                    }
                }
            }
        }
    }
}
