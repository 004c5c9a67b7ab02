import RecKitLinearAlgebra

/// Filtering and value transforms. Each returns a new dataset and leaves the input alone.
extension RatingDataset {
    /// Keeps only entries whose user and item both have at least the given number of ratings,
    /// iterating until that holds for every remaining user and item (the k-core). Users and items
    /// left with no ratings are dropped; ids follow their rows and columns.
    /// - Returns: the filtered dataset and the number of rounds it took.
    public func kCore(minimumPerUser: Int, minimumPerItem: Int) throws -> (dataset: RatingDataset, rounds: Int) {
        guard minimumPerUser >= 0, minimumPerItem >= 0 else {
            throw DataError.invalidArgument("k-core minimums must be ≥ 0, got user \(minimumPerUser), item \(minimumPerItem)")
        }
        var keepUser = [Bool](repeating: true, count: userCount), keepItem = [Bool](repeating: true, count: itemCount)
        var rounds = 0
        while true {
            rounds += 1
            var userCounts = [Int](repeating: 0, count: userCount), itemCounts = [Int](repeating: 0, count: itemCount)
            for u in 0..<userCount where keepUser[u] {
                for k in ratings.range(ofRow: u) where keepItem[Int(ratings.columnIndices[k])] {
                    userCounts[u] += 1
                    itemCounts[Int(ratings.columnIndices[k])] += 1
                }
            }
            var changed = false
            for u in 0..<userCount where keepUser[u] && (userCounts[u] < minimumPerUser || userCounts[u] == 0) { keepUser[u] = false; changed = true }
            for i in 0..<itemCount where keepItem[i] && (itemCounts[i] < minimumPerItem || itemCounts[i] == 0) { keepItem[i] = false; changed = true }
            if !changed { break }
        }
        return (selecting(users: keepUser, items: keepItem), rounds)
    }

    /// The sub-dataset of the kept users and items (in their original order).
    public func selecting(users keepUser: [Bool], items keepItem: [Bool]) -> RatingDataset {
        let userIndex = keepUser.indices.filter { keepUser[$0] }, itemIndex = keepItem.indices.filter { keepItem[$0] }
        var newItem = [Int32](repeating: -1, count: itemCount)
        for (n, i) in itemIndex.enumerated() { newItem[i] = Int32(n) }
        var offsets = [0], cols: [Int32] = [], vals: [Float] = [], stamps: [Int64] = []
        for u in userIndex {
            for k in ratings.range(ofRow: u) where newItem[Int(ratings.columnIndices[k])] >= 0 {
                cols.append(newItem[Int(ratings.columnIndices[k])])
                vals.append(ratings.values[k])
                if let timestamps { stamps.append(timestamps[k]) }
            }
            offsets.append(vals.count)
        }
        return RatingDataset(ratings: CSRMatrix(unchecked: userIndex.count, itemIndex.count, offsets, cols, vals),
                             timestamps: timestamps == nil ? nil : stamps,
                             userIDs: userIDs.subset(userIndex), itemIDs: itemIDs.subset(itemIndex))
    }

    /// Keeps the entries for which `keep(user, item, value, position)` is true (same users and items).
    public func filtered(_ keep: (Int, Int, Float, Int) -> Bool) -> RatingDataset {
        var offsets = [0], cols: [Int32] = [], vals: [Float] = [], stamps: [Int64] = []
        for u in 0..<userCount {
            for k in ratings.range(ofRow: u) where keep(u, Int(ratings.columnIndices[k]), ratings.values[k], k) {
                cols.append(ratings.columnIndices[k])
                vals.append(ratings.values[k])
                if let timestamps { stamps.append(timestamps[k]) }
            }
            offsets.append(vals.count)
        }
        var d = self
        d.ratings = CSRMatrix(unchecked: userCount, itemCount, offsets, cols, vals)
        d.timestamps = timestamps == nil ? nil : stamps
        d.report = nil
        return d
    }

    /// Implicit positives: entries with rating ≥ `threshold` become 1, the others are removed.
    public func positives(threshold: Float) -> RatingDataset {
        var d = filtered { _, _, v, _ in v >= threshold }
        d.ratings = d.ratings.mapValues { _ in 1 }
        return d
    }

    /// Each user's ratings minus that user's mean rating; also returns the means.
    public func centredPerUser() -> (dataset: RatingDataset, userMeans: [Float]) {
        let means = ratings.rowStatistics().means.map { Float($0) }
        var d = self
        var values = ratings.values
        for u in 0..<userCount { for k in ratings.range(ofRow: u) { values[k] -= means[u] } }
        d.ratings = CSRMatrix(unchecked: userCount, itemCount, ratings.rowOffsets, ratings.columnIndices, values)
        return (d, means)
    }

    /// Ratings mapped linearly from `from` onto `to` (e.g. 1…5 onto 0…1).
    public func scaled(from: ClosedRange<Float>, to: ClosedRange<Float>) throws -> RatingDataset {
        guard from.upperBound > from.lowerBound else { throw DataError.invalidArgument("cannot scale from the empty range \(from)") }
        let a = (to.upperBound - to.lowerBound) / (from.upperBound - from.lowerBound)
        var d = self
        d.ratings = ratings.mapValues { to.lowerBound + (($0 - from.lowerBound) * a) }
        return d
    }

    /// All entries as (user, item, rating, timestamp?) in row order.
    public var entries: [(user: Int, item: Int, rating: Float, timestamp: Int64?)] {
        var out: [(Int, Int, Float, Int64?)] = []
        out.reserveCapacity(ratingCount)
        for u in 0..<userCount {
            for k in ratings.range(ofRow: u) { out.append((u, Int(ratings.columnIndices[k]), ratings.values[k], timestamps?[k])) }
        }
        return out
    }
}
