import RecKitLinearAlgebra

/// A train/test pair over the same users and items: both keep every row and column of the source,
/// so indexes mean the same thing in each.
public struct RatingSplit: Sendable {
    public var train: RatingDataset
    public var test: RatingDataset
}

/// Splits, each deterministic for its seed. They partition the entries: every rating lands in
/// exactly one of train and test.
extension RatingDataset {
    /// Entries whose position is marked go to test, the rest to train.
    public func split(testPositions mask: [Bool]) -> RatingSplit {
        precondition(mask.count == ratingCount, "mask has \(mask.count) entries, dataset \(ratingCount)")
        return RatingSplit(train: filtered { _, _, _, k in !mask[k] }, test: filtered { _, _, _, k in mask[k] })
    }

    /// A random `testFraction` of all entries (rounded to the nearest count) goes to test.
    public func randomHoldout(testFraction: Double, seed: UInt64) throws -> RatingSplit {
        guard testFraction > 0, testFraction < 1 else { throw DataError.invalidArgument("test fraction must be in (0, 1), got \(testFraction)") }
        var rng = SeededGenerator(seed: seed)
        var order = Array(0..<ratingCount)
        order.shuffle(using: &rng)
        var mask = [Bool](repeating: false, count: ratingCount)
        for k in order.prefix(Int((Double(ratingCount) * testFraction).rounded())) { mask[k] = true }
        return split(testPositions: mask)
    }

    /// `k` folds over a random permutation of the entries; fold `f` is the test set of split `f`.
    public func kFold(_ k: Int, seed: UInt64) throws -> [RatingSplit] {
        guard k >= 2, k <= ratingCount else { throw DataError.invalidArgument("k-fold needs 2 ≤ k ≤ \(ratingCount) ratings, got k = \(k)") }
        var rng = SeededGenerator(seed: seed)
        var order = Array(0..<ratingCount)
        order.shuffle(using: &rng)
        return (0..<k).map { f in
            var mask = [Bool](repeating: false, count: ratingCount)
            for k2 in order[(f * ratingCount / k)..<((f + 1) * ratingCount / k)] { mask[k2] = true }
            return split(testPositions: mask)
        }
    }

    /// For each user, a random `testFraction` of their ratings (rounded, at least one kept in train)
    /// goes to test.
    public func perUserHoldout(testFraction: Double, seed: UInt64) throws -> RatingSplit {
        guard testFraction > 0, testFraction < 1 else { throw DataError.invalidArgument("test fraction must be in (0, 1), got \(testFraction)") }
        var rng = SeededGenerator(seed: seed)
        var mask = [Bool](repeating: false, count: ratingCount)
        for u in 0..<userCount {
            var positions = Array(ratings.range(ofRow: u))
            let n = Swift.min(positions.count - 1, Int((Double(positions.count) * testFraction).rounded()))
            guard n > 0 else { continue }
            positions.shuffle(using: &rng)
            for k in positions.prefix(n) { mask[k] = true }
        }
        return split(testPositions: mask)
    }

    /// For each user with at least two ratings, the latest one (by timestamp; ties and datasets
    /// without timestamps are decided at random for the seed) goes to test.
    public func leaveLastOut(seed: UInt64) -> RatingSplit {
        var rng = SeededGenerator(seed: seed)
        var mask = [Bool](repeating: false, count: ratingCount)
        for u in 0..<userCount {
            let r = ratings.range(ofRow: u)
            guard r.count >= 2 else { continue }
            var candidates: [Int]
            if let timestamps {
                let latest = r.map { timestamps[$0] }.max()!
                candidates = r.filter { timestamps[$0] == latest }
            } else {
                candidates = Array(r)
            }
            mask[candidates[Int.random(in: 0..<candidates.count, using: &rng)]] = true
        }
        return split(testPositions: mask)
    }

    /// Ratings with timestamp `< cutoff` train, the others test.
    public func temporalSplit(cutoff: Int64) throws -> RatingSplit {
        guard let timestamps else { throw DataError.invalidArgument("a temporal split needs timestamps; this dataset has none") }
        return split(testPositions: timestamps.map { $0 >= cutoff })
    }

    /// A global temporal cut placed so that about `testFraction` of the ratings (the latest) are test.
    public func temporalSplit(testFraction: Double) throws -> RatingSplit {
        guard let timestamps else { throw DataError.invalidArgument("a temporal split needs timestamps; this dataset has none") }
        guard testFraction > 0, testFraction < 1 else { throw DataError.invalidArgument("test fraction must be in (0, 1), got \(testFraction)") }
        let sorted = timestamps.sorted()
        return try temporalSplit(cutoff: sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * (1 - testFraction)))])
    }

    /// For each user, `count` distinct items the user has no rating for in `self`, uniformly at
    /// random (the negatives of leave-one-out protocols).
    /// - Throws: ``DataError/invalidArgument(_:)`` when a user has rated so many items that fewer than
    ///   `count` remain.
    public func sampleNegatives(count: Int, seed: UInt64, users: [Int]? = nil) throws -> [[Int32]] {
        guard count >= 0 else { throw DataError.invalidArgument("negative count \(count)") }
        var rng = SeededGenerator(seed: seed)
        return try (users ?? Array(0..<userCount)).map { u in
            let r = ratings.range(ofRow: u)
            guard itemCount - r.count >= count else {
                throw DataError.invalidArgument("user \(userIDs.externalID(u)) has rated \(r.count) of \(itemCount) items; cannot sample \(count) negatives")
            }
            var chosen = Set<Int32>()
            var out: [Int32] = []
            while out.count < count {
                let i = Int32(Int.random(in: 0..<itemCount, using: &rng))
                if !rated(u, i) && chosen.insert(i).inserted { out.append(i) }
            }
            return out
        }
    }

    /// Whether user `u` has an entry for item `i` (stored value may be anything, including 0).
    func rated(_ u: Int, _ i: Int32) -> Bool {
        var lo = ratings.rowOffsets[u], hi = ratings.rowOffsets[u + 1]
        while lo < hi { let mid = (lo + hi) / 2; if ratings.columnIndices[mid] < i { lo = mid + 1 } else { hi = mid } }
        return lo < ratings.rowOffsets[u + 1] && ratings.columnIndices[lo] == i
    }
}
