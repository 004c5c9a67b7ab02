import RecKitLinearAlgebra

/// Sparse × dense products.
///
/// OpenBLAS has no sparse routines, so both back ends run Swift here: with ``Backend/blas`` (the fast
/// back end) the kernels are multi-threaded and SIMD (axpy over the dense block's rows; transposed
/// products accumulate into per-thread buffers that are then summed in a fixed order, so results are
/// deterministic for a thread count); with ``Backend/swift`` they are simple serial loops, an
/// obviously correct reference.
extension CSRMatrix {
    /// `y = A·x` (A: rows × columns, x: columns).
    public func multiply(vector x: [Value], context: ExecutionContext = .current) throws -> [Value] {
        guard x.count == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply(vector:)", details: "A is \(shapeDescription), x has \(x.count) elements")
        }
        return SparseKernels.product(self, try Matrix(rows: columns, columns: 1, elements: x), transposed: false, context: context).storage
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
        let bv = b.matrixView
        guard bv.rows == columns else {
            throw DataError.shapeMismatch(operation: "sparse multiply", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(columns) rows")
        }
        return SparseKernels.product(self, bv.materialized(), transposed: false, context: context)
    }

    /// `C = Aᵀ·B` for a dense row-major `B` (rows × k), without forming Aᵀ.
    /// - Complexity: `2·nnz·k` flops, plus `threads·columns·k` additions for the reduction.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        let bv = b.matrixView
        guard bv.rows == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(rows) rows")
        }
        return SparseKernels.product(self, bv.materialized(), transposed: true, context: context)
    }
}

/// The sparse × dense kernels. Generic callers in other modules cannot specialise RecKitData's
/// generics, so `product` switches on the precision and calls the kernel with a concrete type, which
/// the optimiser specialises to SIMD code (a profile showed the generic path 100× slower).
enum SparseKernels {
    static func product<T: Scalar>(_ a: CSRMatrix<T>, _ b: Matrix<T>, transposed: Bool, context: ExecutionContext) -> Matrix<T> {
        switch T.dtype {
        case .float:
            let r = typedProduct(unsafeBitCast(a, to: CSRMatrix<Float>.self), unsafeBitCast(b, to: Matrix<Float>.self), transposed: transposed,
                                 context: context, axpy: VectorKernels.axpyFloat)
            return unsafeBitCast(r, to: Matrix<T>.self)
        case .double:
            let r = typedProduct(unsafeBitCast(a, to: CSRMatrix<Double>.self), unsafeBitCast(b, to: Matrix<Double>.self), transposed: transposed,
                                 context: context, axpy: VectorKernels.axpyDouble)
            return unsafeBitCast(r, to: Matrix<T>.self)
        }
    }

    @inline(__always)
    static func typedProduct<T: Scalar>(_ a: CSRMatrix<T>, _ b: Matrix<T>, transposed: Bool, context: ExecutionContext,
                                        axpy: (T, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) -> Matrix<T> {
        let k = b.columns
        let outRows = transposed ? a.columns : a.rows
        var c = Matrix<T>(rows: outRows, columns: k)
        if k == 0 || outRows == 0 || a.rows == 0 { return c }
        let offsets = a.rowOffsets, cols = a.columnIndices, vals = a.values
        if context.backend == .swift {
            // The reference: plain serial loops.
            let bs = b.storage
            for i in 0..<a.rows {
                for p in offsets[i]..<offsets[i + 1] {
                    let j = Int(cols[p])
                    let (out, from) = transposed ? (j, i) : (i, j)
                    for t in 0..<k { c.storage[out * k + t] += vals[p] * bs[from * k + t] }
                }
            }
            return c
        }
        if !transposed {
            b.storage.withUnsafeBufferPointer { bb in
                c.storage.withUnsafeMutableBufferPointer { cb in
                    let B = bb.baseAddress!, C = cb.baseAddress!
                    Parallel.forEachChunk(count: a.rows, threads: context.threads, minimumChunk: 256) { rowRange in
                        for i in rowRange {
                            let out = C + i * k
                            for p in offsets[i]..<offsets[i + 1] { axpy(vals[p], B + Int(cols[p]) * k, out, k) }
                        }
                    }
                }
            }
            return c
        }
        // Aᵀ·B: each thread accumulates its rows' contributions into a private buffer; the buffers
        // are then summed in a fixed order.
        let n = a.columns
        let parts = Swift.max(1, Swift.min(context.threads, a.nonZeroCount / 65_536 + 1))
        var partials = [T](repeating: 0, count: (parts - 1) * n * k)
        b.storage.withUnsafeBufferPointer { bb in
            c.storage.withUnsafeMutableBufferPointer { cb in
                partials.withUnsafeMutableBufferPointer { pb in
                    let B = bb.baseAddress!, C = cb.baseAddress!, P = pb.baseAddress
                    Parallel.forEachPart(parts) { part in
                        let out = part == 0 ? C : P! + (part - 1) * n * k
                        for i in Parallel.chunk(part, of: parts, count: a.rows) {
                            let bi = B + i * k
                            for p in offsets[i]..<offsets[i + 1] { axpy(vals[p], bi, out + Int(cols[p]) * k, k) }
                        }
                    }
                    if parts > 1 {
                        Parallel.forEachChunk(count: n, threads: parts, minimumChunk: 64) { colRange in
                            for part in 1..<parts {
                                let src = P! + (part - 1) * n * k
                                for j in colRange { axpy(1, src + j * k, C + j * k, k) }
                            }
                        }
                    }
                }
            }
        }
        return c
    }
}
