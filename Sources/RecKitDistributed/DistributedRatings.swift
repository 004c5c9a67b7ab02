import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// A rating file spread over the ranks of a job: each rank reads only its share of the file's bytes
/// (``RatingFilePart``), the ranks agree on dense user and item indexes — the same indexes
/// ``RatingDataset/load(path:format:options:)`` gives in one process (integer ids in increasing
/// order, string ids in order of first appearance) — and the ratings are exchanged so that each
/// rank holds the rows of its block of users (for the user step) and of its block of items (for
/// the item step). Duplicate (user, item) pairs merge as in one process: exchanges keep file order.
public struct DistributedRatings: Sendable {
    /// All users' and items' external ids (on every rank).
    public let userIDs: IDMap, itemIDs: IDMap
    /// Which rank owns which users and which items.
    public let userPartition: RowPartition, itemPartition: RowPartition
    /// This rank's users' rows: `users.count × itemCount`, row `u` is user `users.lowerBound + u`.
    public var byUser: CSRMatrix<Float>
    /// This rank's items' rows: `items.count × userCount`, row `i` is item `items.lowerBound + i`.
    public var byItem: CSRMatrix<Float>
    /// Ratings after merging duplicates, over all ranks.
    public let ratingCount: Int
    /// Lines read, skipped and merged, over all ranks.
    public let report: LoadReport
    public let rank: Int

    public var userCount: Int { userIDs.count }
    public var itemCount: Int { itemIDs.count }
    public var users: Range<Int> { userPartition.ranges[rank] }
    public var items: Range<Int> { itemPartition.ranges[rank] }


    /// Loads `path` across the ranks of `comm`; every rank must call it.
    /// - Parameter perRow: the cost of a row in entries, for balancing the blocks (e.g. the factor
    ///   solves' `f × f` work).
    /// - Throws: on every rank, ``DistributedError/rankFailed(rank:message:)`` with the first rank's
    ///   error — a file that cannot be read, a bad line (numbered in the whole file), no ratings.
    public static func load(path: String, hints: FormatHints = .none, options: LoadOptions = LoadOptions(), perRow: Int = 0,
                            communicator comm: Communicator) throws -> DistributedRatings {
        let lower = path.lowercased()
        let format = try comm.together { () throws -> RatingFileFormat in
            guard !lower.hasSuffix(".mtx") && !lower.hasSuffix(".rkds") else {
                throw DistributedError.invalidOption("\(path): distributed jobs read delimited rating files (convert with `reckit data convert FILE --out FILE.csv`)")
            }
            return try RatingFileFormat.detect(path: path, hints: hints).format
        }
        var part = try comm.together { try RatingFilePart.read(path: path, part: comm.rank, of: comm.size, format: format, options: options) }
        var needsStrings: [Int32] = [part.needsStringIDs ? 1 : 0]
        try comm.allReduce(&needsStrings, .max)
        if needsStrings[0] != 0 {
            part = try comm.together { try RatingFilePart.read(path: path, part: comm.rank, of: comm.size, format: format, options: options, stringIDs: true) }
        }
        // Strict mode: a bad line is numbered in the whole file; the lowest rank's comes first.
        let linesBefore = try comm.exclusivePrefixSum(part.lines)
        try comm.agree(part.error(linesBefore: linesBefore))
        var read: [Int64] = [Int64(part.count)]
        try comm.allReduce(&read, .sum)
        if read[0] == 0 { try comm.agree(comm.isRoot ? DataError.empty("\((path as NSString).lastPathComponent): no ratings left to load") : nil) }

        // Dense indexes, the same on every rank.
        var localUsers = [Int32](repeating: 0, count: part.count), localItems = [Int32](repeating: 0, count: part.count)
        let userIDs: IDMap, itemIDs: IDMap
        if part.stringIDs {
            userIDs = try denseStrings(part.userStrings, into: &localUsers, comm: comm)
            part.userStrings = []
            itemIDs = try denseStrings(part.itemStrings, into: &localItems, comm: comm)
            part.itemStrings = []
        } else {
            userIDs = try denseNumbers(part.userNumbers, into: &localUsers, comm: comm)
            part.userNumbers = []
            itemIDs = try denseNumbers(part.itemNumbers, into: &localItems, comm: comm)
            part.itemNumbers = []
        }
        var values = part.values
        part.values = []

        // Blocks of near-equal work from the global row counts (duplicates not yet merged: only balance depends on them).
        var userCounts = [Int32](repeating: 0, count: userIDs.count), itemCounts = [Int32](repeating: 0, count: itemIDs.count)
        for u in localUsers { userCounts[Int(u)] += 1 }
        for i in localItems { itemCounts[Int(i)] += 1 }
        try comm.allReduce(&userCounts, .sum)
        try comm.allReduce(&itemCounts, .sum)
        // User blocks start where the top-k scorer's blocks of users start in one process, so each
        // rank's score GEMMs are the same calls as one process's (a BLAS may round a row
        // differently by its position in a block).
        let userPartition = RowPartition(counts: userCounts, parts: comm.size, perRow: perRow, alignment: TopKScorer.blockSize)
        let itemPartition = RowPartition(counts: itemCounts, parts: comm.size, perRow: perRow)
        userCounts = []
        itemCounts = []

        // Each rating goes to its user's owner (the local triplets are released as they are sent);
        // the item side is then the transpose of the user rows, sent to the items' owners.
        let byUser = try comm.together {
            try exchange(rows: &localUsers, columns: &localItems, values: &values, to: userPartition, rows: userPartition.ranges[comm.rank],
                         columns: itemIDs.count, duplicates: options.duplicates, comm: comm)
        }
        let byItem = try comm.together {
            let base = Int32(userPartition.ranges[comm.rank].lowerBound)
            var itemRows = byUser.columnIndices, userColumns = [Int32](repeating: 0, count: byUser.nonZeroCount), merged = byUser.values
            for u in 0..<byUser.rows { for p in byUser.range(ofRow: u) { userColumns[p] = base + Int32(u) } }
            return try exchange(rows: &itemRows, columns: &userColumns, values: &merged, to: itemPartition, rows: itemPartition.ranges[comm.rank],
                                columns: userIDs.count, duplicates: .keepLast, comm: comm)
        }
        var totals: [Int64] = [Int64(byUser.nonZeroCount), Int64(part.report.lines), Int64(part.report.skippedTotal), Int64(part.report.linesWithExtraFields)]
        try comm.allReduce(&totals, .sum)
        var report = part.report
        report.file = (path as NSString).lastPathComponent
        report.lines = Int(totals[1])
        report.ratingsRead = Int(read[0])
        report.ratingsKept = Int(totals[0])
        report.duplicatesMerged = Int(read[0] - totals[0])
        report.linesWithExtraFields = Int(totals[3])
        report.format = format.description
        return DistributedRatings(userIDs: userIDs, itemIDs: itemIDs, userPartition: userPartition, itemPartition: itemPartition,
                                  byUser: byUser, byItem: byItem, ratingCount: Int(totals[0]), report: report, rank: comm.rank)
    }

    /// Sends each rating to the rank owning its row and builds this rank's rows; `rows`, `columns`
    /// and `values` are consumed (each is released once sent, keeping one array in flight). Data
    /// arrive in rank order, each rank's in its own order — file order, which the duplicate policy needs.
    static func exchange(rows: inout [Int32], columns: inout [Int32], values: inout [Float], to partition: RowPartition, rows mine: Range<Int>,
                         columns columnCount: Int, duplicates: DuplicatePolicy, comm: Communicator) throws -> CSRMatrix<Float> {
        let owners = partition.owners
        var counts = [Int](repeating: 0, count: comm.size)
        for r in rows { counts[Int(owners[Int(r)])] += 1 }
        let starts = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        // A counting sort by owner (stable: each owner's entries keep their order).
        func byOwner<T: BitwiseCopyable>(_ a: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: a.count) { buffer, initialized in
                var next = starts
                for k in a.indices {
                    let o = Int(owners[Int(rows[k])])
                    (buffer.baseAddress! + next[o]).initialize(to: a[k])
                    next[o] += 1
                }
                initialized = a.count
            }
        }
        var incomingValues = try comm.exchange(byOwner(values), counts: counts)
        values = []
        var incomingColumns = try comm.exchange(byOwner(columns), counts: counts)
        columns = []
        let sortedRows = byOwner(rows)
        rows = []
        var incomingRows = try comm.exchange(sortedRows, counts: counts)
        let base = Int32(mine.lowerBound)
        for k in incomingRows.indices { incomingRows[k] -= base }
        defer { incomingRows = []; incomingColumns = []; incomingValues = [] }
        return try CSRMatrix<Float>.fromTriplets(rows: mine.count, columns: columnCount, rowIndices: incomingRows, columnIndices: incomingColumns,
                                                 values: incomingValues, duplicates: duplicates).matrix
    }

    /// Integer ids to indexes in increasing id order over all ranks. Compact ids (0 ≤ id < 4 × the
    /// ratings, or < 2²²) are found with a bitmap OR-reduced over the ranks; others by gathering
    /// every rank's sorted distinct ids.
    static func denseNumbers(_ ids: [Int64], into out: inout [Int32], comm: Communicator) throws -> IDMap {
        var lo: [Int64] = [ids.min() ?? .max], hi: [Int64] = [ids.max() ?? .min], total: [Int64] = [Int64(ids.count)]
        try comm.allReduce(&lo, .min)
        try comm.allReduce(&hi, .max)
        try comm.allReduce(&total, .sum)
        if lo[0] >= 0 && hi[0] < Swift.max(4 * total[0], 1 << 22) {
            let size = Int(hi[0]) + 1
            var bits = [Int64](repeating: 0, count: (size + 63) / 64)
            bits.withUnsafeMutableBufferPointer { b in for v in ids { b[Int(v >> 6)] |= 1 << (v & 63) } }
            try comm.allReduce(&bits, .bitwiseOr)
            var table = [Int32](repeating: -1, count: size)
            var global: [Int64] = []
            for w in bits.indices where bits[w] != 0 {
                var word = UInt64(bitPattern: bits[w])
                while word != 0 {
                    let v = w * 64 + word.trailingZeroBitCount
                    table[v] = Int32(global.count)
                    global.append(Int64(v))
                    word &= word - 1
                }
            }
            guard global.count < Int(Int32.max) else { throw DistributedError.tooLarge("\(global.count) distinct ids") }
            table.withUnsafeBufferPointer { t in out.withUnsafeMutableBufferPointer { o in for k in ids.indices { o[k] = t[Int(ids[k])] } } }
            return IDMap(numeric: global)
        }
        var unique = Array(Set(ids))
        unique.sort()
        var global = Array(Set(try comm.allGather(unique)))
        global.sort()
        guard global.count < Int(Int32.max) else { throw DistributedError.tooLarge("\(global.count) distinct ids") }
        for k in ids.indices {
            var a = 0, b = global.count - 1
            let v = ids[k]
            while a < b { let mid = (a + b) / 2; if global[mid] < v { a = mid + 1 } else { b = mid } }
            out[k] = Int32(a)
        }
        return IDMap(numeric: global)
    }

    /// String ids to indexes in order of first appearance in the file (rank order, then line order).
    static func denseStrings(_ ids: [String], into out: inout [Int32], comm: Communicator) throws -> IDMap {
        var seen = Set<String>(), firstSeen: [String] = []
        for s in ids where seen.insert(s).inserted { firstSeen.append(s) }
        seen = []
        var index: [String: Int32] = [:], global: [String] = []
        for rankIDs in try comm.allGather(strings: firstSeen) {
            for s in rankIDs where index[s] == nil { index[s] = Int32(global.count); global.append(s) }
        }
        for k in ids.indices { out[k] = index[ids[k]]! }
        return IDMap(strings: global)
    }
}

