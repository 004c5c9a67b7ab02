import RecKitData
import RecKitLinearAlgebra

/// What a tower knows about each entity (user or item) besides its id: categorical fields (age
/// group, occupation, …) and a dense vector (genre flags, …).
public struct TowerFeatures: Sendable, Equatable {
    /// `categorical[f][e]`: entity `e`'s value of field `f`, in `0..<vocabularies[f]`, or −1 if unknown.
    public var categorical: [[Int32]]
    public var vocabularies: [Int]
    /// `entities × width` dense features (width 0: none).
    public var dense: Matrix<Float>

    public init(categorical: [[Int32]] = [], vocabularies: [Int] = [], dense: Matrix<Float>) {
        self.categorical = categorical
        self.vocabularies = vocabularies
        self.dense = dense
    }

    /// No side information for `count` entities (an id-only tower).
    public static func none(_ count: Int) -> TowerFeatures { TowerFeatures(dense: Matrix(rows: count, columns: 0)) }

    public var count: Int { dense.rows }

    func validate(_ what: String) throws {
        guard categorical.count == vocabularies.count else {
            throw LinearAlgebraError.invalidArgument("two-tower: \(what) has \(categorical.count) categorical fields but \(vocabularies.count) vocabularies")
        }
        for (f, column) in categorical.enumerated() {
            guard column.count == count else {
                throw LinearAlgebraError.shapeMismatch(operation: "two-tower", details: "\(what) field \(f) has \(column.count) values for \(count) entities")
            }
            if let bad = column.firstIndex(where: { $0 < -1 || Int($0) >= vocabularies[f] }) {
                throw LinearAlgebraError.invalidArgument("two-tower: \(what) \(bad)'s field \(f) value \(column[bad]) is outside 0..<\(vocabularies[f])")
            }
        }
        if let bad = dense.storage.firstIndex(where: { !$0.isFinite }) {
            throw LinearAlgebraError.invalidArgument("two-tower: \(what) \(bad / Swift.max(1, dense.columns))'s dense features hold NaN or ∞")
        }
    }
}

/// Options of ``TwoTower``.
public struct TwoTowerOptions: Sendable {
    /// Width of the id and field embeddings.
    public var embedding = 32
    /// Each tower's hidden layer width and output (score space) width.
    public var hidden = 64
    public var factors = 32
    /// Probability of replacing an id by the "unknown" id in training, so that the towers learn to
    /// serve entities from their features alone (cold start).
    public var idDropout = 0.1
    public var epochs = 20
    /// Interactions per batch; the batch's other items are each row's negatives.
    public var batchSize = 256
    public var learningRate = 0.002
    public var seed: UInt64 = 0

    public init(embedding: Int = 32, hidden: Int = 64, factors: Int = 32, idDropout: Double = 0.1, epochs: Int = 20, batchSize: Int = 256,
                learningRate: Double = 0.002, seed: UInt64 = 0) {
        self.embedding = embedding
        self.hidden = hidden
        self.factors = factors
        self.idDropout = idDropout
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// One tower: `[e_id, e_field₁, …, dense] → Linear → ReLU → Linear` (`factors` wide). Id `count`
/// (and field value `vocabulary`) is "unknown": a cold entity's id, or a missing value.
public final class Tower<T: NeuralScalar> {
    public let ids: Embedding<T>
    public let fields: [Embedding<T>]
    public let mlp: Sequential<T>
    public let count: Int
    let vocabularies: [Int]
    let denseWidth: Int
    var fieldWidth: Int { ids.dimension }

    public init(count: Int, vocabularies: [Int], denseWidth: Int, options o: TwoTowerOptions, seed: UInt64) {
        self.count = count
        self.vocabularies = vocabularies
        self.denseWidth = denseWidth
        ids = Embedding(count: count + 1, dimension: o.embedding, standardDeviation: 0.05, seed: seed)
        fields = vocabularies.enumerated().map { Embedding(count: $1 + 1, dimension: o.embedding, standardDeviation: 0.05, seed: seed &+ 1 &+ UInt64($0)) }
        let width = o.embedding * (1 + vocabularies.count) + denseWidth
        mlp = Sequential([Linear<T>(inputs: width, outputs: o.hidden, initializer: .heNormal, seed: seed &+ 50), Activation<T>(.relu),
                          Linear<T>(inputs: o.hidden, outputs: o.factors, seed: seed &+ 51)])
    }

    public var parameters: [Parameter<T>] { ids.parameters + fields.flatMap(\.parameters) + mlp.parameters }

    /// Representations (`rows.count × factors`) of entities with these ids (`count` for unknown)
    /// and these rows of `features`' fields and dense features.
    @_specialize(where T == Float)
    public func forward(ids idList: [Int32], features: TowerFeatures, rows: [Int], context: ExecutionContext) throws -> Matrix<T> {
        var parts = [try ids.forward(idList)]
        for (f, e) in fields.enumerated() {
            parts.append(try e.forward(rows.map { r in features.categorical[f][r] < 0 ? Int32(vocabularies[f]) : features.categorical[f][r] }))
        }
        let e = fieldWidth, width = e * parts.count + denseWidth
        var x = [T](repeating: 0, count: rows.count * width)
        for (k, r) in rows.enumerated() {
            for (p, part) in parts.enumerated() {
                for c in 0..<e { x[k * width + p * e + c] = part.storage[k * e + c] }
            }
            for c in 0..<denseWidth { x[k * width + parts.count * e + c] = T(Double(features.dense.storage[r * denseWidth + c])) }
        }
        return try mlp.forward(try Matrix(rows: rows.count, columns: width, elements: x), context: context)
    }

    @_specialize(where T == Float)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws {
        let dx = try mlp.backward(dy, context: context)
        let e = fieldWidth, width = dx.columns
        for (p, table) in ([ids] + fields).enumerated() {
            var part = Matrix<T>(rows: dx.rows, columns: e)
            for k in 0..<dx.rows { for c in 0..<e { part.storage[k * e + c] = dx.storage[k * width + p * e + c] } }
            table.backward(part)
        }
    }
}

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
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options or features;
    ///   ``LinearAlgebraError/diverged(operation:iteration:loss:hint:)`` for a NaN/∞ loss.
    public static func fit(_ interactions: CSRMatrix<Float>, userFeatures: TowerFeatures, itemFeatures: TowerFeatures, options o: TwoTowerOptions,
                           context: ExecutionContext = .current,
                           progress: ((_ epoch: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> Network {
        guard o.embedding >= 1, o.hidden >= 1, o.factors >= 1, o.epochs >= 1, o.batchSize >= 2, o.idDropout >= 0, o.idDropout < 1,
              o.learningRate > 0, o.learningRate.isFinite else {
            throw LinearAlgebraError.invalidArgument("two-tower: embedding, hidden, factors and epochs must be ≥ 1, the batch ≥ 2, "
                                                     + "id dropout in [0, 1) and the learning rate > 0")
        }
        guard interactions.nonZeroCount > 0 else { throw LinearAlgebraError.emptyMatrix(operation: "two-tower", shape: interactions.shapeDescription) }
        guard userFeatures.count == interactions.rows, itemFeatures.count == interactions.columns else {
            throw LinearAlgebraError.shapeMismatch(operation: "two-tower", details: "\(interactions.rows) users and \(interactions.columns) items, "
                                                   + "but features for \(userFeatures.count) users and \(itemFeatures.count) items")
        }
        try userFeatures.validate("user"); try itemFeatures.validate("item")
        let network = Network(users: Tower(count: interactions.rows, vocabularies: userFeatures.vocabularies, denseWidth: userFeatures.dense.columns,
                                           options: o, seed: o.seed),
                              items: Tower(count: interactions.columns, vocabularies: itemFeatures.vocabularies, denseWidth: itemFeatures.dense.columns,
                                           options: o, seed: o.seed &+ 1000))
        var pairs: [(Int32, Int32)] = []
        var counts = [Double](repeating: 0, count: interactions.columns)
        for u in 0..<interactions.rows {
            for p in interactions.range(ofRow: u) { pairs.append((Int32(u), interactions.columnIndices[p])); counts[Int(interactions.columnIndices[p])] += 1 }
        }
        let logQ = counts.map { Float(Double.log(Swift.max($0, 1) / Double(pairs.count))) }
        let adam = Adam<Float>(learningRate: o.learningRate)
        var rng = SeededGenerator(seed: o.seed &+ 9)
        let clock = ContinuousClock()
        for epoch in 1...o.epochs {
            let start = clock.now
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
                guard loss.isFinite else {
                    throw LinearAlgebraError.diverged(operation: "two-tower", iteration: epoch, loss: loss, hint: "Lower the learning rate (now \(o.learningRate)).")
                }
                try network.users.backward(try LinearAlgebra.multiply(ds, v, context: context), context: context)
                try network.items.backward(try LinearAlgebra.multiply(ds, u, transposeA: true, context: context), context: context)
                adam.step(network.parameters)
                total += loss * Double(n)
            }
            progress?(epoch, total / Double(pairs.count), (clock.now - start).seconds)
        }
        return network
    }
}
