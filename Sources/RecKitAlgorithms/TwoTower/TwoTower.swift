import RecKitData
import RecKitLinearAlgebra

/// A two-tower retrieval model (Yi et al. 2019; Covington et al. 2016): a user tower and an item
/// tower map ids and features to `factors`-wide vectors, and the score is their inner product.
///
/// Trained with in-batch negatives: for a batch of interactions `(uₖ, iₖ)`, `S = U·Vᵀ` (`B × B`),
/// row `k`'s positive is column `k` and the other columns are its negatives; the scores are
/// corrected by `−log Q(item)` (the item's share of interactions, the sampling-bias correction
/// of Yi et al.), repeated items in a row are masked, and the loss is softmax cross-entropy.
/// `dU = dS·V`, `dV = dSᵀ·U`. Ids are dropped to "unknown" with probability
/// ``TwoTowerOptions/idDropout`` so that cold users and items are served from features.
public enum TwoTower {
    public struct Network: @unchecked Sendable {
        public let users: Tower<Float>
        public let items: Tower<Float>
        public var parameters: [Parameter<Float>] { users.parameters + items.parameters }
        public init(users: Tower<Float>, items: Tower<Float>) { self.users = users; self.items = items }
    }

    /// - Parameters:
    ///   - interactions: users × items; every stored entry is a positive.
    ///   - userFeatures, itemFeatures: one row per user / item of `interactions`.
    ///   - progress: after each epoch, with the mean in-batch softmax loss.
    /// - Throws: ``AlgorithmError`` for impossible options or features, or a diverged loss.
    public static func fit(_ interactions: CSRMatrix<Float>, userFeatures: TowerFeatures, itemFeatures: TowerFeatures, options o: TwoTowerOptions,
                           context: ExecutionContext = .current, progress: ((TrainingProgress) -> Void)? = nil) throws -> Network {
        try o.validate()
        guard interactions.nonZeroCount > 0 else { throw AlgorithmError.emptyInput(algorithm: "two-tower", details: interactions.shapeDescription) }
        guard userFeatures.count == interactions.rows, itemFeatures.count == interactions.columns else {
            throw AlgorithmError.shapeMismatch(algorithm: "two-tower", details: "\(interactions.rows) users and \(interactions.columns) items, "
                                               + "but features for \(userFeatures.count) users and \(itemFeatures.count) items")
        }
        try userFeatures.validate("user"); try itemFeatures.validate("item")
        let seeds = Seeds(o.seed)
        var network = Network(users: Tower(count: interactions.rows, vocabularies: userFeatures.vocabularies, denseWidth: userFeatures.dense.columns,
                                           options: o, seed: seeds(.base)),
                              items: Tower(count: interactions.columns, vocabularies: itemFeatures.vocabularies, denseWidth: itemFeatures.dense.columns,
                                           options: o, seed: seeds(.itemTower)))
        var pairs: [(Int32, Int32)] = []
        var counts = [Double](repeating: 0, count: interactions.columns)
        for u in 0..<interactions.rows {
            for p in interactions.range(ofRow: u) { pairs.append((Int32(u), interactions.columnIndices[p])); counts[Int(interactions.columnIndices[p])] += 1 }
        }
        let logQ = counts.map { Float(Double.log(Swift.max($0, 1) / Double(pairs.count))) }
        let adam = Adam<Float>(learningRate: o.learningRate)
        var rng = seeds.generator(.twoTowerBatches)
        _ = try EpochRunner.run("two-tower", epochs: o.epochs, state: &network,
                                divergence: .init(hint: "Lower the learning rate (now \(o.learningRate))."),
                                checkpoint: { _ in () }, restore: { _, _ in }, progress: progress) { _, network in
            pairs.shuffle(using: &rng)
            var total = 0.0, b = 0
            while b + 1 < pairs.count {
                let batch = pairs[b..<Swift.min(pairs.count, b + o.batchSize)]
                b += o.batchSize
                let users = batch.map(\.0), items = batch.map(\.1)
                func dropped(_ ids: [Int32], unknown: Int) -> [Int32] {
                    ids.map { Double.random(in: 0..<1, using: &rng) < o.idDropout ? Int32(unknown) : $0 }
                }
                for p in network.parameters { p.zeroGradient() }
                let u = try network.users.forward(ids: dropped(users, unknown: interactions.rows), features: userFeatures, rows: users.map { Int($0) }, context: context)
                let v = try network.items.forward(ids: dropped(items, unknown: interactions.columns), features: itemFeatures, rows: items.map { Int($0) }, context: context)
                var s = try LinearAlgebra.multiply(u, v, transposeB: true, context: context)
                let n = batch.count
                for r in 0..<n {
                    for c in 0..<n {
                        s.storage[r * n + c] -= logQ[Int(items[c])]
                        if c != r, items[c] == items[r] { s.storage[r * n + c] = -1e30 }
                    }
                }
                let (loss, ds) = try Loss.softmaxCrossEntropy(logits: s, targets: (0..<Int32(n)).map { $0 }, threads: context.threads)
                try network.users.backward(try LinearAlgebra.multiply(ds, v, context: context), context: context)
                try network.items.backward(try LinearAlgebra.multiply(ds, u, transposeA: true, context: context), context: context)
                adam.step(network.parameters)
                total += loss * Double(n)
            }
            return .init(loss: total / Double(pairs.count))
        }
        return network
    }
}
