import RecKitData
import RecKitLinearAlgebra

/// Rating lists for SGD: validation hold-out, stratification into blocks, shuffles, checks.
enum SGDRatings {
    static func checkInput(_ ratings: CSRMatrix<Float>, _ name: String) throws {
        guard ratings.rows > 0, ratings.columns > 0, ratings.nonZeroCount > 0 else {
            throw AlgorithmError.emptyInput(algorithm: name, details: ratings.shapeDescription + " with \(ratings.nonZeroCount) entries")
        }
        // A plain check first (CSRMatrix.firstNonFinite is generic across modules); the lookup only on failure.
        if !ratings.values.allSatisfy({ $0.isFinite }), let (u, i) = ratings.firstNonFinite {
            throw AlgorithmError.nonFiniteInput(algorithm: name, row: u, column: i)
        }
    }

    static func entries(_ r: CSRMatrix<Float>) -> [RatingEntry] {
        var out: [RatingEntry] = []
        out.reserveCapacity(r.nonZeroCount)
        for u in 0..<r.rows { for k in r.range(ofRow: u) { out.append(RatingEntry(user: Int32(u), item: r.columnIndices[k], rating: r.values[k])) } }
        return out
    }

    /// `fraction` of the ratings, chosen at random, set aside.
    static func holdOut(_ r: CSRMatrix<Float>, fraction: Double, seed: UInt64) -> (train: [RatingEntry], validation: [RatingEntry]) {
        var all = entries(r)
        guard fraction > 0 else { return (all, []) }
        var rng = SeededGenerator(seed: seed)
        all.shuffle(using: &rng)
        let n = Swift.max(1, Int((Double(all.count) * fraction).rounded()))
        return (Array(all[n...]), Array(all[..<n]))
    }

    /// The number of user (and item) blocks: a multiple of `threads`, large enough that one
    /// stratum's factor rows (`(rows + columns) / blocks` rows) fit in about 256 KB — the L2 cache
    /// of any current core — so even one thread walks the ratings cache-block by cache-block.
    static func blockCount(threads: Int, rows: Int, columns: Int, stride: Int) -> Int {
        let bytes = (rows + columns) * (stride * 4 + 8)
        let cacheBlocks = (bytes + 256 * 1024 - 1) / (256 * 1024)
        let perThread = Swift.max(1, (cacheBlocks + threads - 1) / threads)
        return Swift.min(threads * perThread, Swift.max(threads, Swift.min(rows, columns)), 4096)
    }

    /// A block label in `0..<blocks` for each index: the indexes are visited in a seeded random
    /// order and cut into runs of near-equal total weight, so that every (user block, item block)
    /// stratum gets about `1/blocks²` of the ratings however ids correlate with activity.
    static func blockLabels(_ weights: [Int], blocks: Int, seed: UInt64) -> [Int] {
        let total = weights.reduce(0, +)
        var order = Array(weights.indices)
        var rng = SeededGenerator(seed: seed)
        order.shuffle(using: &rng)
        var labels = [Int](repeating: 0, count: weights.count), running = 0
        for k in order {
            labels[k] = Swift.min(blocks - 1, total == 0 ? 0 : running * blocks / total)
            running += weights[k]
        }
        return labels
    }

    /// The entries grouped into `blocks × blocks` strata (user block major), as one array with
    /// offsets, in an internal numbering where every block's users (items) are contiguous — so two
    /// threads never write the same cache line of the factor and bias arrays except at a block's
    /// edge. `users[u]` (`items[i]`) is the internal index of user `u` (item `i`); one block keeps
    /// the original numbering. Item block `b` is internal items `itemBlockStarts[b]..<itemBlockStarts[b + 1]`.
    static func strata(_ entries: [RatingEntry], blocks: Int, rows: Int, columns: Int)
        -> (entries: [RatingEntry], offsets: [Int], users: [Int32], items: [Int32], itemBlockStarts: [Int]) {
        var userWeight = [Int](repeating: 0, count: rows), itemWeight = [Int](repeating: 0, count: columns)
        for e in entries { userWeight[Int(e.user)] += 1; itemWeight[Int(e.item)] += 1 }
        let ub = blockLabels(userWeight, blocks: blocks, seed: 1), ib = blockLabels(itemWeight, blocks: blocks, seed: 2)
        func renumber(_ labels: [Int]) -> [Int32] {
            var index = [Int32](repeating: 0, count: labels.count), next: Int32 = 0
            for b in 0..<blocks { for k in labels.indices where labels[k] == b { index[k] = next; next += 1 } }
            return index
        }
        let users = renumber(ub), items = renumber(ib)
        func stratum(_ e: RatingEntry) -> Int { ub[Int(e.user)] * blocks + ib[Int(e.item)] }
        var offsets = [Int](repeating: 0, count: blocks * blocks + 1)
        for e in entries { offsets[stratum(e) + 1] += 1 }
        for b in 0..<(blocks * blocks) { offsets[b + 1] += offsets[b] }
        var fill = offsets, out = entries
        for e in entries {
            out[fill[stratum(e)]] = RatingEntry(user: users[Int(e.user)], item: items[Int(e.item)], rating: e.rating)
            fill[stratum(e)] += 1
        }
        var starts = [0]
        for b in 0..<blocks { starts.append(starts[b] + ib.lazy.filter { $0 == b }.count) }
        return (out, offsets, users, items, starts)
    }
}
