extension SparseKernels {
    /// The two products of one Golub–Kahan (Lanczos bidiagonalisation) step in a single pass over a
    /// CSR `A` (`rows × n`):
    ///
    /// ```
    /// w = A·x − β·previous        (previous empty: w = A·x)
    /// s = Aᵀ·w
    /// ```
    ///
    /// Row `i`'s entries are read once: their dot with `x` gives `w[i]`, and while they are in
    /// cache they scatter `w[i]` into `s`. A step of the one-sided Lanczos solver otherwise streams
    /// the matrix twice (`A·v`, then `Aᵀ·u` through a transposed copy); this streams it once, at
    /// the cost of a scatter (measured in docs/benchmarks.md, "Truncated SVD (algorithms layer)").
    ///
    /// Contract: `x` has `n` entries, `previous` `rows` or none; `values` may be stored narrower
    /// than the vectors (`S` = Float for Double vectors whose matrix values Float holds exactly);
    /// every product and sum is formed in `T`. `s` is summed from private buffers, one per part of
    /// rows, added in part order; the parts depend only on the entry count, so the result does not
    /// depend on the thread count. `w` and `s` are overwritten (resized when their counts differ;
    /// what they hold on entry does not matter).
    @_specialize(where T == Double, S == Float)
    @_specialize(where T == Double, S == Double)
    @_specialize(where T == Float, S == Float)
    package static func productAndTransposedProduct<T: Scalar, S: Scalar>(
        rows: Int, columns n: Int, offsets: [Int], indices: [Int32], values: [S], x: [T], beta: T, previous: [T],
        w: inout [T], s: inout [T], context: ExecutionContext
    ) {
        precondition(x.count == n && (previous.isEmpty || previous.count == rows) && offsets.count == rows + 1,
                     "productAndTransposedProduct: x has \(x.count) of \(n), previous \(previous.count) of \(rows) entries")
        if w.count != rows { w = .uninitialized(count: rows) }
        if s.count != n { s = .uninitialized(count: n) }
        guard rows > 0, n > 0, !values.isEmpty else {
            w.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            s.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            return
        }
        // At most 8 parts, fewer for a small matrix: independent of the thread count.
        let chunks = balancedRowRanges(offsets: offsets, parts: parts(nnz: values.count, k: 1, threads: 8))
        // Each part zeroes its own buffer (`s` for the first) in its thread.
        var partials = [T].uninitialized(count: (chunks.count - 1) * n)
        offsets.withUnsafeBufferPointer { ob in
            indices.withUnsafeBufferPointer { jb in
                values.withUnsafeBufferPointer { vb in
                    x.withUnsafeBufferPointer { xb in
                        previous.withUnsafeBufferPointer { pb in
                            w.withUnsafeMutableBufferPointer { wb in
                                s.withUnsafeMutableBufferPointer { sb in
                                    partials.withUnsafeMutableBufferPointer { qb in
                                        let O = ob.baseAddress!, J = jb.baseAddress!, V = vb.baseAddress!, X = xb.baseAddress!
                                        let P = previous.isEmpty ? nil : pb.baseAddress, W = wb.baseAddress!, S0 = sb.baseAddress!, Q = qb.baseAddress
                                        Parallel.forEachPart(chunks.count, threads: context.threads) { part in
                                            let out = part == 0 ? S0 : Q! + (part - 1) * n
                                            out.update(repeating: 0, count: n)
                                            for i in chunks[part] {
                                                let lo = O[i], hi = O[i + 1]
                                                var d = gatherDot(V, J, lo, hi, X)
                                                if let P { d -= beta * P[i] }
                                                W[i] = d
                                                var p = lo
                                                while p + 3 < hi {
                                                    let v0 = T(V[p]) * d, v1 = T(V[p + 1]) * d, v2 = T(V[p + 2]) * d, v3 = T(V[p + 3]) * d
                                                    out[Int(J[p])] += v0
                                                    out[Int(J[p + 1])] += v1
                                                    out[Int(J[p + 2])] += v2
                                                    out[Int(J[p + 3])] += v3
                                                    p += 4
                                                }
                                                while p < hi { out[Int(J[p])] += T(V[p]) * d; p += 1 }
                                            }
                                        }
                                        if chunks.count > 1 {
                                            Parallel.forEachChunk(count: n, threads: context.threads, minimumChunk: 4096) { columns in
                                                for part in 1..<chunks.count {
                                                    VectorKernels.axpy(1, Q! + (part - 1) * n + columns.lowerBound, S0 + columns.lowerBound, columns.count)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
