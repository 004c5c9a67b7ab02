import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `item-knn`: item-based k-nearest neighbours (Sarwar et al. 2001; Koren 2010's baseline form),
/// with similarities from ``ItemSimilarity`` (a sparse Gram product).
///
/// **Similarities** (``ItemKNNConfiguration/Similarity``): cosine of raw ratings, adjusted cosine (ratings minus the
/// user's mean), Pearson (over the co-rating users), Pearson-baseline (cosine of the baseline
/// residuals `r − b_ui`, Surprise's `pearson_baseline`) — all over the co-rating users — or the
/// cosine of whole columns (`vectorCosine`, for top-N on implicit feedback), shrunk by
/// `(n − 1)/(n − 1 + shrinkage)`; `binary` compares 1s instead of ratings.
///
/// **Rating prediction** (with the baseline, the default; Surprise's `KNNBaseline`):
/// ```
/// r̂_ui = b_ui + Σ_{j∈N_k(i;u)} s_ij·(r_uj − b_uj) / Σ_{j∈N_k(i;u)} s_ij
/// ```
/// over the `k` items most similar to `i` among those `u` rated, positive similarities only
/// (without the baseline: `Σ s·r / Σ s`, falling back to the item's mean). Clipped to the rating
/// range. **Top-N**: `score(u, i) = Σ_{j∈R(u)} s_ji` over the items `j` of the user that have `i`
/// among their `k` nearest neighbours (Deshpande & Karypis 2004).
public struct ItemKNN: Recommender {
    public static let name = "item-knn"
    public static let summary = "item-based k-nearest neighbours (KNNBaseline form), similarities by sparse Gram product"
    public static let predictsRatings = true

    public let configuration: ItemKNNConfiguration
    public private(set) var baseline: BiasBaseline
    public private(set) var training: RatingDataset?
    public private(set) var neighbors: ItemNeighbors?
    var itemMean: [Float] = []
    var scale: ClosedRange<Float> = 0...0
    var k: Int { configuration.neighbors }
    var useBaseline: Bool { configuration.useBaseline }

    public init(_ configuration: ItemKNNConfiguration = ItemKNNConfiguration()) {
        self.configuration = configuration
        baseline = BiasBaseline(configuration.baseline)
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration()
        let clock = ContinuousClock(), start = clock.now
        let r = train.ratings
        try baseline.fit(train, context: context, progress: nil)
        var values = c.binary ? r.mapValues { _ in 1 } : r
        switch c.similarity {
        case .cosine, .pearson, .cosineWholeColumn: break
        case .adjustedCosine:
            var v = values.values
            for u in 0..<r.rows {
                let range = r.range(ofRow: u)
                guard !range.isEmpty else { continue }
                let mean = range.reduce(Float(0)) { $0 + v[$1] } / Float(range.count)
                for p in range { v[p] -= mean }
            }
            values = try CSRMatrix(rows: r.rows, columns: r.columns, rowOffsets: r.rowOffsets, columnIndices: r.columnIndices, values: v)
        case .pearsonBaseline:
            var v = values.values
            for u in 0..<r.rows { for p in r.range(ofRow: u) { v[p] -= baselineEstimate(u, Int(r.columnIndices[p])) } }
            values = try CSRMatrix(rows: r.rows, columns: r.columns, rowOffsets: r.rowOffsets, columnIndices: r.columnIndices, values: v)
        }
        let kind: SimilarityKind = c.similarity == .pearson ? .pearson : c.similarity == .cosineWholeColumn ? .vectorCosine : .cosine
        neighbors = try translatingErrors(train) {
            try ItemSimilarity.neighbors(values, kind: kind, shrinkage: c.shrinkage, minimumSupport: c.minimumSupport, context: context)
        }
        var sums = [Double](repeating: 0, count: r.columns), counts = [Int](repeating: 0, count: r.columns)
        for p in 0..<r.nonZeroCount { sums[Int(r.columnIndices[p])] += Double(r.values[p]); counts[Int(r.columnIndices[p])] += 1 }
        let mu = r.values.reduce(0.0) { $0 + Double($1) } / Double(Swift.max(1, r.nonZeroCount))
        itemMean = (0..<r.columns).map { Float(counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : mu) }
        scale = train.ratingScale
        training = train
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: (clock.now - start).seconds))
    }

    /// `μ + b_u + b_i`, unclipped.
    func baselineEstimate(_ u: Int, _ i: Int) -> Float {
        baseline.mean + (u < baseline.userBias.count ? baseline.userBias[u] : 0) + (i < baseline.itemBias.count ? baseline.itemBias[i] : 0)
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let train = training, let nb = neighbors else { return 0 }
        let knownUser = user >= 0 && user < train.userCount, knownItem = item >= 0 && item < train.itemCount
        let base: Float = useBaseline ? baselineEstimate(knownUser ? user : Int.max, knownItem ? item : Int.max)
                                      : (knownItem ? itemMean[item] : (itemMean.isEmpty ? 0 : itemMean.reduce(0, +) / Float(itemMean.count)))
        guard knownUser, knownItem else { return clip(base) }
        let r = train.ratings, row = r.range(ofRow: user)
        var num: Float = 0, den: Float = 0, used = 0
        for p in nb.range(of: item) where used < k {
            let s = nb.similarities[p]
            if s <= 0 { break }  // sorted best first
            guard let q = r.position(row: user, column: Int(nb.items[p]), within: row) else { continue }
            let j = Int(nb.items[p])
            num += s * (r.values[q] - (useBaseline ? baselineEstimate(user, j) : 0))
            den += s
            used += 1
        }
        guard den > 0 else { return clip(base) }
        return clip(useBaseline ? base + num / den : num / den)
    }

    func clip(_ x: Float) -> Float { scale.clamping(x) }

    public func score(user: Int, items: [Int32]) -> [Float] {
        guard let block = try? scoreBlock(users: user..<(user + 1), context: .current) else { return items.map { _ in 0 } }
        return items.map { block.storage[Int($0)] }
    }

    /// Top-N scores: every user item `j` adds `s_ji` to each of its `k` nearest neighbours `i`.
    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard let train = training, let nb = neighbors else { throw ModelError.notFitted(model: Self.name) }
        let n = train.itemCount, r = train.ratings
        var m = Matrix<Float>(rows: users.count, columns: n)
        for (row, u) in users.enumerated() {
            for p in r.range(ofRow: u) {
                let j = Int(r.columnIndices[p]), range = nb.range(of: j)
                for q in range.prefix(k) { m.storage[row * n + Int(nb.items[q])] += nb.similarities[q] }
            }
        }
        return m
    }

    public func archive() throws -> ModelArchive {
        guard let nb = neighbors else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        try baseline.storeParameters(in: &a)
        a.doubles["neighbor_offsets"] = nb.offsets.map(Double.init)
        a.doubles["neighbor_items"] = nb.items.map(Double.init)
        a.floats["neighbor_similarities"] = nb.similarities
        a.floats["item_mean"] = itemMean
        a.floats["knn_scale"] = [scale.lowerBound, scale.upperBound]
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        baseline = try BiasBaseline(configuration: configuration.baseline, parametersIn: a)
        let t = try a.requireTraining()
        // Offsets: whole numbers from 0, never decreasing (a forged table would index out of range).
        guard let offsets = a.doubles["neighbor_offsets"], offsets.count == t.itemCount + 1, offsets.first == 0,
              offsets.allSatisfy({ $0 >= 0 && $0 <= Double(Int32.max) && $0.rounded() == $0 }),
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }), let total = offsets.last.map(Int.init) else {
            throw ModelError.invalidArchive(file: "item-knn model", reason: "the neighbour table does not match \(t.itemCount) items")
        }
        neighbors = ItemNeighbors(offsets: offsets.map { Int($0) }, items: try Self.indexes(a.doubles["neighbor_items"], count: total, items: t.itemCount),
                                  similarities: try a.floats("neighbor_similarities", count: total))
        itemMean = try a.floats("item_mean", count: t.itemCount)
        scale = try a.range("knn_scale")
        training = t
    }
}

extension ItemKNN {
    static func indexes(_ stored: [Double]?, count: Int, items: Int) throws -> [Int32] {
        guard let stored, stored.count == count, stored.allSatisfy({ $0 >= 0 && $0 < Double(items) }) else {
            throw ModelError.invalidArchive(file: "item-knn model", reason: "the neighbour items are missing or out of range")
        }
        return stored.map { Int32($0) }
    }
}

extension CSRMatrix {
    /// The storage position of `(row, column)` within `range` (the row's range), by binary search.
    func position(row: Int, column: Int, within range: Range<Int>) -> Int? {
        var lo = range.lowerBound, hi = range.upperBound
        let c = Int32(column)
        while lo < hi { let mid = (lo + hi) / 2; if columnIndices[mid] < c { lo = mid + 1 } else { hi = mid } }
        return lo < range.upperBound && columnIndices[lo] == c ? lo : nil
    }
}
