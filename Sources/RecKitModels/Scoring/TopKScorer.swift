import RecKitData
import RecKitLinearAlgebra

/// Batch top-k: scores users in blocks (a GEMM per block for factor models), masks filtered items,
/// and keeps the best `k` of each row with a bounded heap — `O(items · log k)` per user, with the
/// full user × item score matrix never materialised. Blocks run in parallel; each block's GEMM is
/// single-threaded (one level of parallelism).
public enum TopKScorer {
    /// Users scored per GEMM; blocks start at multiples of it.
    public static let blockSize = 256

    /// A block of scores in which every user gets the same per-item scores (non-personalised models).
    public static func sameScoresForEveryUser(_ itemScores: [Float], users: Int) -> Matrix<Float> {
        var m = Matrix<Float>(rows: users, columns: itemScores.count)
        for r in 0..<users { m.storage.replaceSubrange(r * itemScores.count..<(r + 1) * itemScores.count, with: itemScores) }
        return m
    }

    static func recommend<M: Recommender>(model: M, users: Range<Int>, count: Int, filter: RecommendationFilter,
                                          train: CSRMatrix<Float>, context: ExecutionContext) throws -> [[Recommendation]] {
        guard count >= 0 else { throw ModelError.invalidInput(model: M.name, operation: "recommend", reason: "cannot recommend \(count) items") }
        let blocks = (users.count + blockSize - 1) / blockSize
        let single = context.with(threads: 1)
        let perBlock = Parallel.map(blocks, threads: context.threads) { b -> Result<[[Recommendation]], any Error> in
            let lo = users.lowerBound + b * blockSize, hi = Swift.min(users.upperBound, lo + blockSize)
            return Result {
                let scores = try model.scoreBlock(users: lo..<hi, context: single)
                return (lo..<hi).map { u in top(count, row: scores, index: u - lo, user: u, filter: filter, train: train) }
            }
        }
        var results: [[Recommendation]] = []
        results.reserveCapacity(users.count)
        for block in perBlock { results += try block.get() }
        return results
    }

    /// The best `k` of one row of `scores`, filtered. The user's training items are skipped by
    /// walking their (sorted) CSR row alongside the items, so exclusion costs no lookups; most items
    /// fail the heap's threshold test (kept in a local once the heap is full) and cost one
    /// comparison. NaN compares false, so it never enters.
    package static func top(_ k: Int, row scores: Matrix<Float>, index r: Int, user: Int, filter: RecommendationFilter, train: CSRMatrix<Float>) -> [Recommendation] {
        let n = scores.columns
        var heap = BoundedHeap(capacity: k)
        guard k > 0 else { return [] }
        let trainRow = filter.excludeTrainingItems && user < train.rows ? train.range(ofRow: user) : 0..<0
        let checkLists = filter.allowed != nil || !filter.denied.isEmpty
        scores.storage.withUnsafeBufferPointer { s in
            train.columnIndices.withUnsafeBufferPointer { columns in
                let row = s.baseAddress! + r * n
                var pending = columns[trainRow].makeIterator()
                var nextTrain = pending.next().map(Int.init) ?? n   // the next training item to leave out
                var threshold: Float? = nil                          // the score to beat once the heap is full
                for i in 0..<n {
                    if i == nextTrain { nextTrain = pending.next().map(Int.init) ?? n; continue }
                    let v = row[i]
                    if let threshold, !(v > threshold) { continue } // equal scores: the earlier (lower) item stays
                    if v.isNaN { continue }
                    if checkLists {
                        let item = Int32(i)
                        if let allowed = filter.allowed, !allowed.contains(item) { continue }
                        if filter.denied.contains(item) { continue }
                    }
                    heap.offer(score: v, item: i)
                    if heap.isFull { threshold = heap.threshold }
                }
            }
        }
        return heap.sortedDescending()
    }

    /// Keeps the `capacity` largest (score, item) pairs; ties prefer the lower item index.
    struct BoundedHeap {
        let capacity: Int
        var items: [Recommendation] = []

        init(capacity: Int) {
            self.capacity = capacity
            items.reserveCapacity(Swift.min(capacity, 1 << 16))   // `capacity` comes from a request; grow past 65 536 only as items arrive
        }

        var isFull: Bool { items.count >= capacity }
        /// The score a new item must beat once the heap is full.
        var threshold: Float { items[0].score }

        /// `a` ranks below `b`.
        @inline(__always) static func worse(_ a: Recommendation, _ b: Recommendation) -> Bool {
            a.score < b.score || (a.score == b.score && a.item > b.item)
        }

        mutating func offer(score: Float, item: Int) {
            guard capacity > 0 else { return }
            let x = Recommendation(item: item, score: score)
            if items.count < capacity {
                items.append(x)
                var c = items.count - 1
                while c > 0 {
                    let p = (c - 1) / 2
                    if Self.worse(items[c], items[p]) { items.swapAt(c, p); c = p } else { break }
                }
            } else if Self.worse(items[0], x) {
                items[0] = x
                var p = 0
                while true {
                    let l = 2 * p + 1, r = l + 1
                    var m = p
                    if l < items.count && Self.worse(items[l], items[m]) { m = l }
                    if r < items.count && Self.worse(items[r], items[m]) { m = r }
                    if m == p { break }
                    items.swapAt(p, m)
                    p = m
                }
            }
        }

        func sortedDescending() -> [Recommendation] { items.sorted { Self.worse($1, $0) } }
    }
}
