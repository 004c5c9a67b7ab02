import RecKitLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A synthetic rating matrix that looks like real feedback data: power-law user activity and item
/// popularity, values from a low-rank ground truth plus noise.
///
/// Each user `u` gets a degree from a Pareto weight and distinct items drawn by popularity (Pareto
/// weights, sampled with an alias table). Explicit values are `μ + b_u + b_i + p_u·q_i + ε` rounded
/// and clipped to 1…5; implicit counts are `max(1, round(exp(b_i + p_u·q_i + ε/2)))`, capped at 1000.
/// Generation runs in fixed blocks of users, each with its own seeded stream, and writes CSR
/// directly: the result depends only on the parameters and the seed, not on the thread count.
/// Memory is about 8 bytes per rating plus 4·rank bytes per user and item (100 M ratings: ≈ 0.9 GB).
public struct SyntheticRatings: Sendable {
    public enum Kind: String, Sendable, Codable { case explicit, implicit }

    public var users: Int
    public var items: Int
    /// Target number of ratings; the result has exactly this many unless users' degrees must be
    /// capped (no user rates more than half the catalogue).
    public var ratings: Int
    public var kind: Kind = .explicit
    public var rank = 16
    public var noise: Float = 0.8
    /// Pareto shape of user activity (smaller = heavier tail).
    public var userActivityShape = 1.2
    /// Pareto shape of item popularity.
    public var itemPopularityShape = 1.0
    public var seed: UInt64 = 42

    public init(users: Int, items: Int, ratings: Int, kind: Kind = .explicit, seed: UInt64 = 42) {
        self.users = users
        self.items = items
        self.ratings = ratings
        self.kind = kind
        self.seed = seed
    }

    static let blockSize = 4096

    /// Generates the dataset. Ids are the dense indexes (0-based).
    public func generate(threads: Int = ExecutionContext.current.threads) throws -> RatingDataset {
        guard users > 0, items > 1, ratings > 0, rank > 0 else {
            throw DataError.invalidArgument("synthetic data needs users > 0, items > 1, ratings > 0, rank > 0 (got \(users), \(items), \(ratings), \(rank))")
        }
        guard users <= Int(Int32.max), items <= Int(Int32.max) else { throw DataError.invalidArgument("users and items must fit 32-bit indexes") }
        let cap = Swift.max(1, items / 2)
        guard ratings >= users else {
            throw DataError.invalidArgument("\(ratings) ratings are fewer than the \(users) users, and every user rates at least one item: raise the ratings or lower the users")
        }
        let (capacity, overflow) = users.multipliedReportingOverflow(by: cap)
        guard overflow || ratings <= capacity else {
            throw DataError.invalidArgument("\(ratings) ratings do not fit \(users) users rating at most half of \(items) items each")
        }
        // Held at once: the triples (user, item, rating) twice while the CSR is built, and per-user and per-item tables.
        let needed = Double(ratings) * 24 + Double(users + items) * 64
        if let available = MemoryBudget.availableBytes, needed > Double(available) {
            throw DataError.invalidArgument("\(ratings) ratings for \(users) users × \(items) items need about \(MemoryBudget.describe(needed)); "
                                            + "the machine has \(MemoryBudget.describe(Double(available))) available")
        }
        var rng = SeededGenerator(seed: seed)
        // Degrees from Pareto weights, summing exactly to `ratings` (largest remainders), capped.
        let userWeights = (0..<users).map { _ in pareto(userActivityShape, &rng) }
        let total = userWeights.reduce(0, +)
        var degrees = userWeights.map { Swift.min(cap, Swift.max(1, Int(Double(ratings) * $0 / total))) }
        var assigned = degrees.reduce(0, +)
        var u = 0
        while assigned < ratings { if degrees[u] < cap { degrees[u] += 1; assigned += 1 }; u = (u + 1) % users }
        u = 0
        while assigned > ratings { if degrees[u] > 1 { degrees[u] -= 1; assigned -= 1 }; u = (u + 1) % users }
        var offsets = [Int](repeating: 0, count: users + 1)
        for i in 0..<users { offsets[i + 1] = offsets[i] + degrees[i] }

        let alias = AliasTable(weights: (0..<items).map { _ in pareto(itemPopularityShape, &rng) })
        let r = rank
        let userBias = (0..<users).map { _ in Float(rng.nextGaussian() * 0.3) }
        let itemBias = (0..<items).map { _ in Float(rng.nextGaussian() * 0.4) }
        let factorScale = 0.35
        let userFactors = (0..<(users * r)).map { _ in Float(rng.nextGaussian() * factorScale) }
        let itemFactors = (0..<(items * r)).map { _ in Float(rng.nextGaussian() * factorScale) }

        var columns = [Int32](repeating: 0, count: assigned)
        var values = [Float](repeating: 0, count: assigned)
        let blocks = (users + Self.blockSize - 1) / Self.blockSize
        let kind = self.kind, noise = self.noise, seed = self.seed, itemCount = items
        columns.withUnsafeMutableBufferPointer { cb in
            values.withUnsafeMutableBufferPointer { vb in
                let C = cb.baseAddress!, V = vb.baseAddress!
                Parallel.forEachChunk(count: blocks, threads: threads) { blockRange in
                    var seen = [UInt64](repeating: 0, count: (itemCount + 63) / 64)
                    var picked: [Int32] = []
                    for block in blockRange {
                        var g = SeededGenerator(seed: seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(block + 1))
                        for user in (block * Self.blockSize)..<Swift.min(users, (block + 1) * Self.blockSize) {
                            let d = degrees[user]
                            picked.removeAll(keepingCapacity: true)
                            while picked.count < d {
                                let i = alias.sample(&g)
                                if seen[i >> 6] & (1 << UInt64(i & 63)) == 0 {
                                    seen[i >> 6] |= 1 << UInt64(i & 63)
                                    picked.append(Int32(i))
                                }
                            }
                            for i in picked { seen[Int(i) >> 6] = 0 }
                            picked.sort()
                            let base = offsets[user]
                            for (t, i) in picked.enumerated() {
                                var dot: Float = 0
                                for f in 0..<r { dot += userFactors[user * r + f] * itemFactors[Int(i) * r + f] }
                                let eps = Float(g.nextGaussian()) * noise
                                let value: Float
                                switch kind {
                                case .explicit: value = Swift.min(5, Swift.max(1, (3.6 + userBias[user] + itemBias[Int(i)] + dot + eps).rounded()))
                                case .implicit: value = Swift.min(1000, Swift.max(1, Float(exp(Double(itemBias[Int(i)] + dot + eps / 2))).rounded()))
                                }
                                C[base + t] = i
                                V[base + t] = value
                            }
                        }
                    }
                }
            }
        }
        return RatingDataset(ratings: CSRMatrix(unchecked: users, items, offsets, columns, values))
    }

    private func pareto(_ shape: Double, _ rng: inout SeededGenerator) -> Double {
        // numpy's pareto(a) + 1: Lomax + 1 = classical Pareto with x_m = 1.
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        return pow(u, -1 / shape)
    }
}

/// Walker's alias method: O(1) samples from a discrete distribution.
struct AliasTable: Sendable {
    private var probability: [Double]
    private var alias: [Int32]

    init(weights: [Double]) {
        let n = weights.count
        let sum = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / sum }
        probability = [Double](repeating: 1, count: n)
        alias = (0..<n).map { Int32($0) }
        var small = scaled.indices.filter { scaled[$0] < 1 }, large = scaled.indices.filter { scaled[$0] >= 1 }
        while let s = small.popLast(), let l = large.last {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
    }

    @inline(__always)
    func sample(_ rng: inout SeededGenerator) -> Int {
        let x = rng.next()
        let i = Int((x >> 32) % UInt64(probability.count))
        let u = Double(x & 0xFFFF_FFFF) / 4_294_967_296.0
        return u < probability[i] ? i : Int(alias[i])
    }
}
