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
    /// Entries are scattered into their rows in input order (a two-pass radix partition, parallel),
    /// then each row is sorted by column stably (insertion sort for short rows, an LSD radix sort on
    /// the column's bytes for long ones), so "last" means last in the input, and repeats are
    /// merged by `policy`.
    /// - Parameter payload: optional per-entry payload (e.g. timestamps) carried along; on duplicates
    ///   the payload of the last entry is kept.
    /// - Returns: the matrix, the payload aligned with it, and the number of entries merged away.
    /// - Complexity: `O(nnz + rows)` plus the sort of each row not already in column order: up to
    /// 48 entries quadratic (insertion), beyond that one pass per byte of the largest column index.
    public static func fromTriplets(
        rows: Int, columns: Int, rowIndices: consuming [Int32], columnIndices: consuming [Int32], values: consuming [Value],
        duplicates policy: DuplicatePolicy = .keepLast, payload: consuming [Int64]? = nil,
        threads: Int = ExecutionContext.current.threads
    ) throws -> (matrix: CSRMatrix, payload: [Int64]?, merged: Int) {
        let n = values.count
        guard rowIndices.count == n, columnIndices.count == n, payload.map({ $0.count == n }) ?? true else {
            throw DataError.invalidSparseStructure("triplet arrays differ in length: \(rowIndices.count) rows, \(columnIndices.count) columns, \(n) values")
        }
        for k in 0..<n where rowIndices[k] < 0 || Int(rowIndices[k]) >= rows || columnIndices[k] < 0 || Int(columnIndices[k]) >= columns {
            throw DataError.invalidSparseStructure("entry \(k) at (\(rowIndices[k]), \(columnIndices[k])) lies outside \(rows)×\(columns)")
        }
        let offsets = rowOffsets(rows: rows, rowIndices: rowIndices, threads: threads)
        let (buckets, shift, bucketStart, bucketRows, bucketCols, bucketVals, bucketPay) =
            bucketed(rows: rows, rowIndices: rowIndices, columnIndices: columnIndices, values: values, payload: payload, threads: threads)
        let hasPayload = payload != nil
        // The inputs are read no more: the output takes over their storage (no fresh pages to
        // fault in when the caller handed them over; a copy on the first write when it kept them).
        // Every slot is written when its bucket is scattered into its rows; the slots merged
        // repeats leave are cut off below.
        rowIndices = []
        var cols = columnIndices, vals = values, pay = payload ?? []
        columnIndices = []; values = []; payload = nil
        // Immutable snapshots: a closure reading a captured `var` pays a dynamic exclusivity check
        // per access.
        let rowStart = offsets, bucketBegin = bucketStart
        var kept = [Int](repeating: 0, count: rows)
        var longestRow = 0
        for i in 0..<rows { longestRow = Swift.max(longestRow, offsets[i + 1] - offsets[i]) }
        var columnBytes = 1
        while columnBytes < 4 && (columns - 1) >> (8 * columnBytes) > 0 { columnBytes += 1 }
        cols.withUnsafeMutableBufferPointer { cb in vals.withUnsafeMutableBufferPointer { vb in
        pay.withUnsafeMutableBufferPointer { pb in kept.withUnsafeMutableBufferPointer { kb in
            let C = cb.baseAddress, V = vb.baseAddress, P = pb.baseAddress, K = kb.baseAddress!
            Parallel.forEachChunk(count: buckets, threads: threads, minimumChunk: 1) { bucketRange in
                var next: [Int] = []
                let scratch = RowSortScratch<Value>(capacity: longestRow, payload: hasPayload)
                defer { scratch.deallocate() }
                for b in bucketRange {
                    let firstRow = b << shift, endRow = Swift.min(rows, (b + 1) << shift)
                    next.removeAll(keepingCapacity: true)
                    next.append(contentsOf: rowStart[firstRow..<endRow])
                    for t in bucketBegin[b]..<bucketBegin[b + 1] {
                        let local = Int(bucketRows[t]) - firstRow
                        let d = next[local]
                        next[local] = d + 1
                        C![d] = bucketCols[t]; V![d] = bucketVals[t]
                        if hasPayload { P![d] = bucketPay[t] }
                    }
                    for i in firstRow..<endRow {
                        let lo = rowStart[i], len = rowStart[i + 1] - lo
                        if len == 0 { continue }
                        let c = C! + lo, v = V! + lo
                        var sorted = true
                        for t in 1..<Swift.max(len, 1) where c[t - 1] >= c[t] { sorted = false; break }
                        if !sorted && len <= 48 {
                            // Short rows (most of them): stable insertion sort in place.
                            for t in 1..<len {
                                let key = c[t], value = v[t]
                                let stamp: Int64 = hasPayload ? P![lo + t] : 0
                                var j = t
                                while j > 0 && c[j - 1] > key {
                                    c[j] = c[j - 1]; v[j] = v[j - 1]
                                    if hasPayload { P![lo + j] = P![lo + j - 1] }
                                    j -= 1
                                }
                                c[j] = key; v[j] = value
                                if hasPayload { P![lo + j] = stamp }
                            }
                        } else if !sorted {
                            // Long rows (heavy users, who hold most entries of rating data): a
                            // stable LSD radix sort by column, one byte per pass.
                            Self.radixSortRow(len, columnBytes: columnBytes, c, v, hasPayload ? P! + lo : nil, scratch)
                        }
                        // Merge runs of equal columns (now adjacent, in input order).
                        var w = 0, s = 0
                        while s < len {
                            var e = s + 1
                            while e < len && c[e] == c[s] { e += 1 }
                            var value = v[e - 1]
                            if policy != .keepLast && e - s > 1 {
                                value = 0
                                for t in s..<e { value += v[t] }
                                if policy == .mean { value /= Value(e - s) }
                            }
                            c[w] = c[s]
                            v[w] = value
                            if hasPayload { P![lo + w] = P![lo + e - 1] }
                            w += 1
                            s = e
                        }
                        K[i] = w
                    }
                }
            }
        } } } }
        // Close the gaps left by merged repeats.
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

    /// Row offsets of a CSR matrix with these entries' rows: entries per row, counted per input
    /// part in parallel, then summed.
    private static func rowOffsets(rows: Int, rowIndices: [Int32], threads: Int) -> [Int] {
        let n = rowIndices.count
        let parts = Swift.max(1, Swift.min(threads, n / 65_536 + 1))
        var offsets = [Int](repeating: 0, count: rows + 1)
        if parts == 1 {
            for r in rowIndices { offsets[Int(r) + 1] += 1 }
        } else {
            var partCounts = [[Int]](repeating: [], count: parts)
            partCounts.withUnsafeMutableBufferPointer { pb in
                let PC = pb.baseAddress!
                Parallel.forEachPart(parts) { p in
                    var mine = [Int](repeating: 0, count: rows + 1)
                    mine.withUnsafeMutableBufferPointer { m in
                        for k in Parallel.chunk(p, of: parts, count: n) { m[Int(rowIndices[k]) + 1] += 1 }
                    }
                    PC[p] = mine
                }
            }
            offsets.withUnsafeMutableBufferPointer { ob in
                for mine in partCounts { mine.withUnsafeBufferPointer { m in for i in 0...rows { ob[i] += m[i] } } }
            }
        }
        for i in 0..<rows { offsets[i + 1] += offsets[i] }
        return offsets
    }

    /// Pass 1 of ``fromTriplets``: the entries partitioned, in input order, into buckets of
    /// `1 << shift` consecutive rows (`bucketStart[b]..<bucketStart[b + 1]` in the arrays returned).
    private static func bucketed(rows: Int, rowIndices: [Int32], columnIndices: [Int32], values: [Value], payload: [Int64]?, threads: Int)
        -> (buckets: Int, shift: Int, bucketStart: [Int], rows: [Int32], columns: [Int32], values: [Value], payload: [Int64]) {
        let n = values.count
        let parts = Swift.max(1, Swift.min(threads, n / 65_536 + 1))
        // Two-pass radix scatter. A single pass would write each entry to a random row of possibly
        // millions — a cache miss per entry. Pass 1 partitions entries into ~1k buckets of
        // consecutive rows (near-sequential writes, parallel over input parts); pass 2 scatters each
        // bucket into its rows, which are contiguous in the output and fit in cache, then sorts and
        // merges those rows while they are hot. Both passes keep input order, so it stays stable.
        var shift = 0
        while (rows - 1) >> shift >= 1024 { shift += 1 }
        let buckets = ((rows - 1) >> shift) + 1
        var counts = [Int](repeating: 0, count: parts * buckets)
        counts.withUnsafeMutableBufferPointer { cb in
            let Cn = cb.baseAddress!
            Parallel.forEachPart(parts) { p in
                for k in Parallel.chunk(p, of: parts, count: n) { Cn[p * buckets + (Int(rowIndices[k]) >> shift)] += 1 }
            }
        }
        var position = [Int](repeating: 0, count: parts * buckets)
        var bucketStart = [Int](repeating: 0, count: buckets + 1)
        var running = 0
        for b in 0..<buckets {
            bucketStart[b] = running
            for p in 0..<parts { position[p * buckets + b] = running; running += counts[p * buckets + b] }
        }
        bucketStart[buckets] = running
        let hasPayload = payload != nil
        let source = payload ?? []
        // Every slot of these is written by the scatter below (the positions cover 0..<n once).
        var tmpRow = [Int32].uninitialized(count: n), tmpCol = [Int32].uninitialized(count: n)
        var tmpVal = [Value].uninitialized(count: n), tmpPay = [Int64].uninitialized(count: hasPayload ? n : 0)
        tmpRow.withUnsafeMutableBufferPointer { trb in tmpCol.withUnsafeMutableBufferPointer { tcb in
        tmpVal.withUnsafeMutableBufferPointer { tvb in tmpPay.withUnsafeMutableBufferPointer { tpb in
        position.withUnsafeMutableBufferPointer { posb in
            let TR = trb.baseAddress, TC = tcb.baseAddress, TV = tvb.baseAddress, TP = tpb.baseAddress, POS = posb.baseAddress!
            Parallel.forEachPart(parts) { p in
                let pos = POS + p * buckets
                for k in Parallel.chunk(p, of: parts, count: n) {
                    let r = rowIndices[k]
                    let b = Int(r) >> shift
                    let d = pos[b]
                    pos[b] = d + 1
                    TR![d] = r; TC![d] = columnIndices[k]; TV![d] = values[k]
                    if hasPayload { TP![d] = source[k] }
                }
            }
        } } } } }
        return (buckets, shift, bucketStart, tmpRow, tmpCol, tmpVal, tmpPay)
    }

    /// Sorts one row's `len` entries (columns `c`, values `v`, payload `p`) by column, stably: an
    /// LSD radix sort, one pass per byte of the largest column index (a pass whose byte is the same
    /// for every entry is skipped), ping-ponging through `scratch`.
    @inline(__always)
    static func radixSortRow(_ len: Int, columnBytes: Int, _ c: UnsafeMutablePointer<Int32>, _ v: UnsafeMutablePointer<Value>,
                             _ p: UnsafeMutablePointer<Int64>?, _ scratch: RowSortScratch<Value>) {
        var srcC = c, srcV = v, srcP = p
        var dstC = scratch.columns, dstV = scratch.values, dstP = p == nil ? nil : scratch.payload
        let count = scratch.counts
        for byte in 0..<columnBytes {
            let shift = Int32(8 * byte)
            count.update(repeating: 0, count: 257)
            for t in 0..<len { count[Int((srcC[t] >> shift) & 255) + 1] += 1 }
            if (1...256).contains(where: { count[$0] == len }) { continue }
            for d in 0..<256 { count[d + 1] += count[d] }
            for t in 0..<len {
                let d = Int((srcC[t] >> shift) & 255)
                let to = count[d]
                count[d] = to + 1
                dstC[to] = srcC[t]; dstV[to] = srcV[t]
                if let sp = srcP, let dp = dstP { dp[to] = sp[t] }
            }
            swap(&srcC, &dstC); swap(&srcV, &dstV); swap(&srcP, &dstP)
        }
        if srcC != c {
            c.update(from: srcC, count: len); v.update(from: srcV, count: len)
            if let sp = srcP, let p { p.update(from: sp, count: len) }
        }
    }

    /// The transpose, in CSR form (equivalently, this matrix in CSC form). Counting sort: `O(nnz + columns)`.
    @_specialize(exported: true, where Value == Float)
    @_specialize(exported: true, where Value == Double)
    public func transposed() -> CSRMatrix {
        transposedCarrying(nil).matrix
    }

    /// The transpose, carrying a payload aligned with the entries (e.g. timestamps).
    @_specialize(where Value == Float)
    @_specialize(where Value == Double)
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

/// One worker's buffers for ``CSRMatrix/radixSortRow(_:columnBytes:_:_:_:_:)``: room for the longest
/// row, and the 257 counts of a pass.
struct RowSortScratch<Value: Scalar> {
    let columns: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Value>
    let payload: UnsafeMutablePointer<Int64>?
    let counts: UnsafeMutablePointer<Int>

    init(capacity: Int, payload hasPayload: Bool) {
        let n = Swift.max(capacity, 1)
        columns = .allocate(capacity: n)
        values = .allocate(capacity: n)
        payload = hasPayload ? .allocate(capacity: n) : nil
        counts = .allocate(capacity: 257)
    }

    func deallocate() {
        columns.deallocate(); values.deallocate(); payload?.deallocate(); counts.deallocate()
    }
}
