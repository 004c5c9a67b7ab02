import RecKitLinearAlgebra

/// Per-row or per-column summary of a sparse matrix's stored values.
public struct LineStatistics: Sendable, Equatable {
    /// Stored entries per line.
    public var counts: [Int]
    /// Sum of stored values per line.
    public var sums: [Double]
    /// Mean of stored values per line (0 for an empty line).
    public var means: [Double] { zip(sums, counts).map { $1 == 0 ? 0 : $0 / Double($1) } }
    /// Lines with no entries.
    public var emptyLines: [Int] { counts.indices.filter { counts[$0] == 0 } }
}

extension CSRMatrix {
    /// Counts, sums and means of each row's stored values.
    public func rowStatistics() -> LineStatistics {
        var counts = [Int](repeating: 0, count: rows), sums = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            counts[i] = count(ofRow: i)
            var s = 0.0
            for k in range(ofRow: i) { s += values[k].doubleValue }
            sums[i] = s
        }
        return LineStatistics(counts: counts, sums: sums)
    }

    /// Counts, sums and means of each column's stored values.
    public func columnStatistics() -> LineStatistics {
        var counts = [Int](repeating: 0, count: columns), sums = [Double](repeating: 0, count: columns)
        for k in 0..<nonZeroCount {
            let j = Int(columnIndices[k])
            counts[j] += 1
            sums[j] += values[k].doubleValue
        }
        return LineStatistics(counts: counts, sums: sums)
    }

    /// The first stored NaN or infinity, as (row, column).
    public var firstNonFinite: (row: Int, column: Int)? {
        guard let k = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        let row = rowOffsets.lastIndex(where: { $0 <= k })!
        return (row, Int(columnIndices[k]))
    }
}
