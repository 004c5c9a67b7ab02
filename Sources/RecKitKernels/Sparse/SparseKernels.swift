/// Sparse (CSR) × dense products, split between threads; each thread's rows run the back end's
/// ``BackendKernels/csrTimesDense(transposed:rows:width:csr:b:ldb:c:ldc:)``.
///
/// Work is split by stored entries, not by rows, so the skewed row lengths of rating data (a few
/// heavy users) do not leave one thread with most of the work. `Aᵀ·B` with a wide `B` splits `B`'s
/// columns instead (no private buffers, no reduction); with a narrow `B` each thread scatters into
/// a private buffer, and the buffers are summed in a fixed order. Products with a single vector use
/// one Swift loop on both back ends (a gather from a vector that fits in cache has nothing to
/// prefetch). Every result is deterministic for a given thread count.
package enum SparseKernels {
    /// `C = A·B` (`transposed == false`, `C` is `rows × k`) or `C = Aᵀ·B` (`C` is `columns × k`)
    /// for a CSR `A` (`rows × columns`, arrays `offsets`, `indices`, `values`) and a row-major
    /// `B` with `k` columns. `c` is resized when its count is not the output's, and overwritten.
    /// A new `c` is not zeroed here but by the threads that compute it, each its own part, just
    /// before accumulating into it: a fresh result of tens of megabytes costs more in first-touch
    /// page faults than in arithmetic, and on one thread those faults would not be shared out.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func product<T: Scalar>(rows: Int, columns: Int, offsets: [Int], indices: [Int32], values: [T],
                                           b: [T], k: Int, transposed: Bool, into c: inout [T], context: ExecutionContext) {
        let outRows = transposed ? columns : rows
        if c.count != outRows * k { c = .uninitialized(count: outRows * k) }
        switch T.dtype {
        case .float:
            c.withUnsafeMutableBufferPointer { cb in
                cb.withMemoryRebound(to: Float.self) { out in
                    typedProduct(rows: rows, columns: columns, offsets: offsets, indices: indices, values: unsafeBitCast(values, to: [Float].self),
                                 b: unsafeBitCast(b, to: [Float].self), k: k, transposed: transposed, into: out.baseAddress, context: context)
                }
            }
        case .double:
            c.withUnsafeMutableBufferPointer { cb in
                cb.withMemoryRebound(to: Double.self) { out in
                    typedProduct(rows: rows, columns: columns, offsets: offsets, indices: indices, values: unsafeBitCast(values, to: [Double].self),
                                 b: unsafeBitCast(b, to: [Double].self), k: k, transposed: transposed, into: out.baseAddress, context: context)
                }
            }
        }
    }

    /// At most `parts` contiguous, non-empty row ranges of near-equal cost, a row costing its stored
    /// entries plus `perRow`. Depends only on the arguments, so splits are deterministic.
    package static func balancedRowRanges(offsets: [Int], parts: Int, perRow: Int = 0) -> [Range<Int>] {
        let rows = offsets.count - 1, nonZeroCount = offsets.last ?? 0
        let total = nonZeroCount + rows * perRow
        guard parts > 1, rows > 1 else { return [0..<rows] }
        var bounds = [0]
        for p in 1..<parts {
            // the first row whose starting cost reaches p/parts of the total
            let target = total / parts * p + Swift.min(p, total % parts)
            var lo = bounds.last!, hi = rows
            while lo < hi { let mid = (lo + hi) / 2; if offsets[mid] + mid * perRow < target { lo = mid + 1 } else { hi = mid } }
            bounds.append(lo)
        }
        bounds.append(rows)
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }.filter { !$0.isEmpty }
    }

    /// The narrowest column slice a thread takes in a column-split transposed product.
    static var columnSplitWidth: Int { 16 }

    /// Threads worth using for `nnz · k` multiply-adds (a thread is not worth waking for less than ~64 K).
    static func parts(nnz: Int, k: Int, threads: Int) -> Int { Swift.max(1, Swift.min(threads, nnz * Swift.max(k, 1) / 65_536 + 1)) }

    /// Σ values[p]·x[columns[p]] over `start..<end`, four independent sums, formed in `T` (the
    /// values may be stored narrower, `S`).
    @inline(__always)
    static func gatherDot<T: Scalar, S: Scalar>(_ values: UnsafePointer<S>, _ columns: UnsafePointer<Int32>, _ start: Int, _ end: Int,
                                                _ x: UnsafePointer<T>) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
        var p = start
        while p + 3 < end {
            s0 += T(values[p]) * x[Int(columns[p])]
            s1 += T(values[p + 1]) * x[Int(columns[p + 1])]
            s2 += T(values[p + 2]) * x[Int(columns[p + 2])]
            s3 += T(values[p + 3]) * x[Int(columns[p + 3])]
            p += 4
        }
        while p < end { s0 += T(values[p]) * x[Int(columns[p])]; p += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// `y = A·x` for one vector, with `A`'s values stored as Float and `x`, `y` and every sum in
    /// Double: a matrix-vector product streams its matrix once, so 8 bytes per entry (value and
    /// index) instead of 12 is a third less traffic. Exact when the Float values are (the caller
    /// narrows only values Float holds exactly). `y` is overwritten (resized when its count is
    /// not `rows`). Threads take row ranges of equal entries; deterministic.
    package static func product(rows: Int, offsets: [Int], indices: [Int32], narrowValues values: [Float], x: [Double],
                                into y: inout [Double], context: ExecutionContext) {
        if y.count != rows { y = [Double](repeating: 0, count: rows) }
        guard rows > 0 else { return }
        let chunks = balancedRowRanges(offsets: offsets, parts: parts(nnz: values.count, k: 1, threads: context.threads))
        offsets.withUnsafeBufferPointer { ob in
            indices.withUnsafeBufferPointer { jb in
                values.withUnsafeBufferPointer { vb in
                    x.withUnsafeBufferPointer { xb in
                        y.withUnsafeMutableBufferPointer { yb in
                            guard let J = jb.baseAddress, let V = vb.baseAddress, let X = xb.baseAddress else {
                                yb.update(repeating: 0)  // no stored entries (or no columns): A·x = 0
                                return
                            }
                            gatherRows(chunks, ob.baseAddress!, J, V, X, yb.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// `y[i] = Σ values[p]·x[columns[p]]` over row `i`'s entries, for the rows of every range in
    /// `chunks`, one range per thread: the one-vector product `A·x` of both paths.
    @inline(__always)
    static func gatherRows<T: Scalar, S: Scalar>(_ chunks: [Range<Int>], _ O: UnsafePointer<Int>, _ J: UnsafePointer<Int32>,
                                                 _ V: UnsafePointer<S>, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
        Parallel.forEachPart(chunks.count) { part in
            for i in chunks[part] { y[i] = gatherDot(V, J, O[i], O[i + 1], x) }
        }
    }

    /// `C = op(A)·B` into `C` of `op(A).rows × k` elements (overwritten; its contents on entry do
    /// not matter). Each thread zeroes the part of `C` (or of its private buffer) it accumulates
    /// into.
    @inline(__always)
    static func typedProduct<T: Scalar>(rows: Int, columns n: Int, offsets: [Int], indices: [Int32], values: [T], b: [T], k: Int,
                                        transposed: Bool, into out: UnsafeMutablePointer<T>?, context: ExecutionContext) {
        let nnz = values.count
        let outRows = transposed ? n : rows
        guard let C = out, k > 0, outRows > 0 else { return }
        guard rows > 0, nnz > 0 else {
            Parallel.forEachChunk(count: outRows * k, threads: context.threads, minimumChunk: 1 << 18) { (C + $0.lowerBound).update(repeating: 0, count: $0.count) }
            return
        }
        let kernels = context.kernels
        let chunks = balancedRowRanges(offsets: offsets, parts: parts(nnz: nnz, k: k, threads: context.threads))
        CSRPointers.with(offsets: offsets, columns: indices, values: values) { csr in
            let O = csr.offsets, J = csr.columns, V = csr.values
            b.withUnsafeBufferPointer { bb in
                let B = bb.baseAddress!
                // Rows `rows` of A, columns `cols` of B and C, into `out` (row stride k).
                func rowsKernel(_ rows: Range<Int>, _ cols: Range<Int>, _ out: UnsafeMutablePointer<T>) {
                    kernels.csrTimesDense(transposed: transposed, rows: rows, width: cols.count, csr: csr,
                                          b: B + cols.lowerBound, ldb: k, c: out + cols.lowerBound, ldc: k)
                }
                if !transposed {
                    // C's row i gathers B's rows at row i's columns.
                    if k == 1 { gatherRows(chunks, O, J, V, B, C); return }
                    // Each thread zeroes its rows a block at a time (≤ 256 KB), just before the
                    // block is accumulated, so the block is still in cache when it is.
                    let block = Swift.max(1, (256 << 10) / (k * MemoryLayout<T>.stride))
                    Parallel.forEachPart(chunks.count) { part in
                        for lo in stride(from: chunks[part].lowerBound, to: chunks[part].upperBound, by: block) {
                            let rowBlock = lo..<Swift.min(lo + block, chunks[part].upperBound)
                            (C + lo * k).update(repeating: 0, count: rowBlock.count * k)
                            rowsKernel(rowBlock, 0..<k, C)
                        }
                    }
                    return
                }
                if chunks.count > 1 && k >= 2 * columnSplitWidth {
                    // Aᵀ·B for a wide B: threads split the columns, each streaming all of A. The
                    // first part scatters into C; the others into packed private buffers (n × their
                    // columns), copied into C afterwards. Scattered straight into C, two parts
                    // would share the cache line at each boundary of every row they both write —
                    // and, streaming A in the same order, they write the same rows at the same
                    // time: on Zen 5 such a product (100 000 × 20 000, 2 M entries, 76 columns)
                    // took twice as long as usual whenever the threads fell into step.
                    let parts = Swift.min(chunks.count, k / columnSplitWidth)
                    let slices = (0..<parts).map { Parallel.chunk($0, of: parts, count: k) }
                    var bufferStarts = [0]
                    for slice in slices.dropFirst() { bufferStarts.append(bufferStarts.last! + n * slice.count) }
                    var privateParts = [T].uninitialized(count: bufferStarts.last!)
                    privateParts.withUnsafeMutableBufferPointer { pb in
                        let P = pb.baseAddress
                        Parallel.forEachPart(parts) { part in
                            let cols = slices[part]
                            if part == 0 {
                                for j in 0..<n { (C + j * k).update(repeating: 0, count: cols.count) }
                                rowsKernel(0..<rows, cols, C)
                            } else {
                                let out = P! + bufferStarts[part - 1]
                                out.update(repeating: 0, count: n * cols.count)
                                kernels.csrTimesDense(transposed: true, rows: 0..<rows, width: cols.count, csr: csr,
                                                      b: B + cols.lowerBound, ldb: k, c: out, ldc: cols.count)
                            }
                        }
                        Parallel.forEachChunk(count: n, threads: parts, minimumChunk: 256) { range in
                            for part in 1..<parts {
                                let cols = slices[part], src = P! + bufferStarts[part - 1]
                                for j in range { (C + j * k + cols.lowerBound).update(from: src + j * cols.count, count: cols.count) }
                            }
                        }
                    }
                    return
                }
                // Aᵀ·B for a narrow B: private buffers, each zeroed by its thread, summed in a fixed order.
                var partials = [T].uninitialized(count: (chunks.count - 1) * n * k)
                partials.withUnsafeMutableBufferPointer { pb in
                    let P = pb.baseAddress
                    Parallel.forEachPart(chunks.count) { part in
                        let out = part == 0 ? C : P! + (part - 1) * n * k
                        out.update(repeating: 0, count: n * k)
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
                                VectorKernels.axpy(1, src + colRange.lowerBound * k, C + colRange.lowerBound * k, colRange.count * k)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension SparseKernels {
    /// `XᵀX` of a CSR `X` (`rows × columns`), dense `columns × columns` row-major: Gustavson's sparse
    /// product, parallel over the output's rows (`Σ_u n_u²` multiply-adds).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func gram<T: Scalar>(rows: Int, columns n: Int, offsets: [Int], indices: [Int32], values: [T],
                                        context: ExecutionContext) -> [T] {
        // Xᵀ by counting sort: for each column, the rows holding it and their values.
        var start = [Int](repeating: 0, count: n + 1)
        for c in indices { start[Int(c) + 1] += 1 }
        for c in 0..<n { start[c + 1] += start[c] }
        var fill = start, byColumnRow = [Int32](repeating: 0, count: indices.count), byColumnValue = [T](repeating: 0, count: indices.count)
        for r in 0..<rows {
            for p in offsets[r]..<offsets[r + 1] {
                let c = Int(indices[p])
                byColumnRow[fill[c]] = Int32(r); byColumnValue[fill[c]] = values[p]
                fill[c] += 1
            }
        }
        var g = [T](repeating: 0, count: n * n)
        g.withUnsafeMutableBufferPointer { gb in
            guard let G = gb.baseAddress else { return }
            let parts = Swift.max(1, Swift.min(n, context.threads * 8))
            Parallel.forEachPart(parts, threads: context.threads) { part in
                for i in Parallel.chunk(part, of: parts, count: n) {
                    let row = G + i * n
                    for p in start[i]..<start[i + 1] {
                        let u = Int(byColumnRow[p]), v = byColumnValue[p]
                        for q in offsets[u]..<offsets[u + 1] { row[Int(indices[q])] += v * values[q] }
                    }
                }
            }
        }
        return g
    }
}
