import RecKitLinearAlgebra

/// How to combine several values given for the same (row, column).
public enum DuplicatePolicy: String, Sendable, Codable, CaseIterable {
    /// The value that comes last in input order.
    case keepLast = "last"
    /// The mean of the values.
    case mean
    /// The sum of the values (for counts, e.g. plays).
    case sum
}

extension CSRMatrix {
    /// Builds a CSR matrix from coordinate triplets in any order.
    ///
    /// Entries are grouped by row with a stable counting sort, then sorted by column within each
    /// row (stable, so "last" means last in input order), and duplicates are merged by `policy`.
    /// - Parameter payload: optional per-entry payload (e.g. timestamps) carried along; on duplicates the
    ///   payload of the last entry is kept.
    /// - Returns: the matrix, the payload aligned with it, and the number of entries merged away.
    /// - Complexity: `O(nnz + rows)` plus the per-row sorts.
    public static func fromTriplets(
        rows: Int, columns: Int, rowIndices: [Int32], columnIndices: [Int32], values: [Value],
        duplicates policy: DuplicatePolicy = .keepLast, payload: [Int64]? = nil, threads: Int = ExecutionContext.current.threads
    ) throws -> (matrix: CSRMatrix, payload: [Int64]?, merged: Int) {
        let n = values.count
        guard rowIndices.count == n, columnIndices.count == n, payload.map({ $0.count == n }) ?? true else {
            throw DataError.invalidSparseStructure("triplet arrays differ in length: \(rowIndices.count) rows, \(columnIndices.count) columns, \(n) values")
        }
        for k in 0..<n where rowIndices[k] < 0 || Int(rowIndices[k]) >= rows || columnIndices[k] < 0 || Int(columnIndices[k]) >= columns {
            throw DataError.invalidSparseStructure("entry \(k) at (\(rowIndices[k]), \(columnIndices[k])) lies outside \(rows)×\(columns)")
        }
        // Counting sort by row (stable).
        var offsets = [Int](repeating: 0, count: rows + 1)
        for r in rowIndices { offsets[Int(r) + 1] += 1 }
        for i in 0..<rows { offsets[i + 1] += offsets[i] }
        var next = offsets
        var order = [Int](repeating: 0, count: n)
        for k in 0..<n { let r = Int(rowIndices[k]); order[next[r]] = k; next[r] += 1 }

        var cols = [Int32](repeating: 0, count: n)
        var vals = [Value](repeating: 0, count: n)
        let hasPayload = payload != nil
        let source = payload ?? []
        var pay = [Int64](repeating: 0, count: hasPayload ? n : 0)
        var kept = [Int](repeating: 0, count: rows)
        order.withUnsafeMutableBufferPointer { ob in
            cols.withUnsafeMutableBufferPointer { cb in
                vals.withUnsafeMutableBufferPointer { vb in
                    pay.withUnsafeMutableBufferPointer { pb in
                        kept.withUnsafeMutableBufferPointer { kb in
                            let O = ob.baseAddress, C = cb.baseAddress, V = vb.baseAddress, P = pb.baseAddress, K = kb.baseAddress!
                            Parallel.forEachChunk(count: rows, threads: threads, minimumChunk: 256) { rowRange in
                                for i in rowRange {
                                    let lo = offsets[i], hi = offsets[i + 1]
                                    if hi == lo { continue }
                                    // Stable sort of the row's entries by column (input order breaks ties).
                                    var slice = UnsafeMutableBufferPointer(start: O! + lo, count: hi - lo)
                                    slice.sort { (a: Int, b: Int) -> Bool in
                                        let ca = columnIndices[a], cb = columnIndices[b]
                                        return ca != cb ? ca < cb : a < b
                                    }
                                    var w = lo, s = 0
                                    while s < slice.count {
                                        var e = s + 1
                                        while e < slice.count && columnIndices[slice[e]] == columnIndices[slice[s]] { e += 1 }
                                        let last = slice[e - 1]
                                        var v = values[last]
                                        if policy != .keepLast && e - s > 1 {
                                            v = 0
                                            for t in s..<e { v += values[slice[t]] }
                                            if policy == .mean { v /= Value(e - s) }
                                        }
                                        C![w] = columnIndices[last]
                                        V![w] = v
                                        if hasPayload { P![w] = source[last] }
                                        w += 1
                                        s = e
                                    }
                                    K[i] = w - lo
                                }
                            }
                        }
                    }
                }
            }
        }
        // Compact rows that lost duplicates.
        var newOffsets = [Int](repeating: 0, count: rows + 1)
        for i in 0..<rows { newOffsets[i + 1] = newOffsets[i] + kept[i] }
        let total = newOffsets[rows]
        if total != n {
            for i in 0..<rows where offsets[i] != newOffsets[i] {
                for t in 0..<kept[i] {
                    cols[newOffsets[i] + t] = cols[offsets[i] + t]
                    vals[newOffsets[i] + t] = vals[offsets[i] + t]
                    if hasPayload { pay[newOffsets[i] + t] = pay[offsets[i] + t] }
                }
            }
            cols.removeLast(n - total)
            vals.removeLast(n - total)
            if hasPayload { pay.removeLast(n - total) }
        }
        return (CSRMatrix(unchecked: rows, columns, newOffsets, cols, vals), hasPayload ? pay : nil, n - total)
    }

    /// The transpose, in CSR form (equivalently, this matrix in CSC form). Counting sort: `O(nnz + columns)`.
    public func transposed() -> CSRMatrix {
        transposedCarrying(nil).matrix
    }

    /// The transpose, carrying a payload aligned with the entries (e.g. timestamps).
    func transposedCarrying(_ payload: [Int64]?) -> (matrix: CSRMatrix, payload: [Int64]?) {
        var offsets = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { offsets[Int(c) + 1] += 1 }
        for j in 0..<columns { offsets[j + 1] += offsets[j] }
        var next = offsets
        var idx = [Int32](repeating: 0, count: nonZeroCount)
        var vals = [Value](repeating: 0, count: nonZeroCount)
        var pay = payload.map { _ in [Int64](repeating: 0, count: nonZeroCount) }
        for i in 0..<rows {
            for k in range(ofRow: i) {
                let j = Int(columnIndices[k])
                let p = next[j]
                idx[p] = Int32(i)
                vals[p] = values[k]
                if let payload { pay![p] = payload[k] }
                next[j] += 1
            }
        }
        return (CSRMatrix(unchecked: columns, rows, offsets, idx, vals), pay)
    }

    /// This matrix in CSC form.
    public func csc() -> CSCMatrix<Value> { CSCMatrix(transposed()) }

    /// A CSR matrix holding the nonzeros of a dense matrix.
    public init(dense m: Matrix<Value>) {
        var offsets = [0], idx: [Int32] = [], vals: [Value] = []
        for i in 0..<m.rows {
            for j in 0..<m.columns where m[i, j] != 0 { idx.append(Int32(j)); vals.append(m[i, j]) }
            offsets.append(vals.count)
        }
        self.init(unchecked: m.rows, m.columns, offsets, idx, vals)
    }
}
