/// Contiguous blocks of rows, one per rank, of near-equal cost (entries plus a per-row term), the
/// same on every rank given the same counts. Rank r owns `ranges[r]`; blocks are in rank order, so
/// gathering every rank's rows in rank order gives the whole matrix.
public struct RowPartition: Sendable, Equatable {
    public let ranges: [Range<Int>]

    /// Splits rows with `counts[i]` entries into `parts` blocks, each row costing `counts[i] + perRow`.
    public init(counts: [Int32], parts: Int, perRow: Int) {
        let total = counts.reduce(0) { $0 + Int($1) } + perRow * counts.count
        var ranges: [Range<Int>] = []
        var start = 0, cost = 0, row = 0
        for p in 0..<parts {
            let target = total * (p + 1) / parts
            while row < counts.count && (cost < target || p == parts - 1) {
                cost += Int(counts[row]) + perRow
                row += 1
            }
            ranges.append(start..<row)
            start = row
        }
        self.ranges = ranges
    }

    /// The rank owning `row`.
    @inline(__always)
    public func owner(of row: Int) -> Int {
        var lo = 0, hi = ranges.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound <= row { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// A table from row to owning rank (faster than ``owner(of:)`` for many lookups).
    public var owners: [Int32] {
        var table = [Int32](repeating: 0, count: ranges.last?.upperBound ?? 0)
        for (r, range) in ranges.enumerated() { for i in range { table[i] = Int32(r) } }
        return table
    }
}
