/// Contiguous blocks of rows, one per rank, of near-equal cost (entries plus a per-row term), the
/// same on every rank given the same counts. Rank r owns `ranges[r]`; blocks are in rank order, so
/// gathering every rank's rows in rank order gives the whole matrix.
public struct RowPartition: Sendable, Equatable {
    public let ranges: [Range<Int>]

    /// Splits rows with `counts[i]` entries into `parts` blocks, each row costing `counts[i] + perRow`;
    /// every block but the last starts at a multiple of `alignment`.
    public init(counts: [Int32], parts: Int, perRow: Int, alignment: Int = 1) {
        var prefix = [Int](repeating: 0, count: counts.count + 1)
        for (i, c) in counts.enumerated() { prefix[i + 1] = prefix[i] + Int(c) + perRow }
        let total = prefix.last!
        var bounds = [0]
        for p in 1..<Swift.max(parts, 1) {
            let target = total * p / parts
            // The first row whose prefix cost reaches the target, rounded up to the alignment.
            var lo = bounds.last!, hi = counts.count
            while lo < hi { let mid = (lo + hi) / 2; if prefix[mid] < target { lo = mid + 1 } else { hi = mid } }
            let aligned = (lo + alignment - 1) / alignment * alignment
            bounds.append(Swift.min(counts.count, Swift.max(bounds.last!, aligned)))
        }
        bounds.append(counts.count)
        ranges = (0..<Swift.max(parts, 1)).map { bounds[$0]..<bounds[$0 + 1] }
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
