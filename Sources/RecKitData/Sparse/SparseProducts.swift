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
        var y = [Value](repeating: 0, count: rows)
        if context.backend == .swift {
            for i in 0..<rows { var s: Value = 0; for k in range(ofRow: i) { s += values[k] * x[Int(columnIndices[k])] }; y[i] = s }
            return y
        }
        y.withUnsafeMutableBufferPointer { yb in
            let Y = yb.baseAddress!
            Parallel.forEachChunk(count: rows, threads: context.threads, minimumChunk: 4096) { rowRange in
                for i in rowRange {
                    var s0: Value = 0, s1: Value = 0
                    var k = rowOffsets[i]
                    let end = rowOffsets[i + 1]
                    while k + 1 < end {
                        s0 += values[k] * x[Int(columnIndices[k])]
                        s1 += values[k + 1] * x[Int(columnIndices[k + 1])]
                        k += 2
                    }
                    if k < end { s0 += values[k] * x[Int(columnIndices[k])] }
                    Y[i] = s0 + s1
                }
            }
        }
        return y
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
        let k = bv.columns
        let bm = bv.materialized()
        var c = Matrix<Value>(rows: rows, columns: k)
        if k == 0 || rows == 0 { return c }
        if context.backend == .swift {
            for i in 0..<rows { for p in range(ofRow: i) { let j = Int(columnIndices[p]); for t in 0..<k { c[i, t] += values[p] * bm[j, t] } } }
            return c
        }
        bm.storage.withUnsafeBufferPointer { bb in
            c.storage.withUnsafeMutableBufferPointer { cb in
                let B = bb.baseAddress!, C = cb.baseAddress!
                Parallel.forEachChunk(count: rows, threads: context.threads, minimumChunk: 256) { rowRange in
                    for i in rowRange {
                        let out = C + i * k
                        for p in range(ofRow: i) { VectorKernels.axpy(values[p], B + Int(columnIndices[p]) * k, out, k) }
                    }
                }
            }
        }
        return c
    }

    /// `C = Aᵀ·B` for a dense row-major `B` (rows × k), without forming Aᵀ.
    /// - Complexity: `2·nnz·k` flops, plus `threads·columns·k` additions for the reduction.
    public func multiplyTransposed(_ b: some MatrixRepresentable<Value>, context: ExecutionContext = .current) throws -> Matrix<Value> {
        let bv = b.matrixView
        guard bv.rows == rows else {
            throw DataError.shapeMismatch(operation: "sparse multiplyTransposed", details: "A is \(shapeDescription), B is \(bv.shapeDescription); B needs \(rows) rows")
        }
        let k = bv.columns
        let bm = bv.materialized()
        var c = Matrix<Value>(rows: columns, columns: k)
        if k == 0 || columns == 0 { return c }
        if context.backend == .swift {
            for i in 0..<rows { for p in range(ofRow: i) { let j = Int(columnIndices[p]); for t in 0..<k { c[j, t] += values[p] * bm[i, t] } } }
            return c
        }
        let parts = Swift.max(1, Swift.min(context.threads, nonZeroCount / 65_536 + 1))
        var partials = [Value](repeating: 0, count: (parts - 1) * columns * k)
        bm.storage.withUnsafeBufferPointer { bb in
            c.storage.withUnsafeMutableBufferPointer { cb in
                partials.withUnsafeMutableBufferPointer { pb in
                    let B = bb.baseAddress!, C = cb.baseAddress!, P = pb.baseAddress
                    Parallel.forEachPart(parts) { part in
                        let out = part == 0 ? C : P! + (part - 1) * columns * k
                        for i in Parallel.chunk(part, of: parts, count: rows) {
                            let bi = B + i * k
                            for p in range(ofRow: i) { VectorKernels.axpy(values[p], bi, out + Int(columnIndices[p]) * k, k) }
                        }
                    }
                    if parts > 1 {
                        Parallel.forEachChunk(count: columns, threads: parts, minimumChunk: 64) { colRange in
                            for part in 1..<parts {
                                let src = P! + (part - 1) * columns * k
                                for j in colRange { VectorKernels.axpy(1, src + j * k, C + j * k, k) }
                            }
                        }
                    }
                }
            }
        }
        return c
    }
}
