import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `baseline`: Koren's baseline predictor `r̂ = μ + b_u + b_i`, with biases regularised towards zero
/// and fitted by alternating least squares (items, then users, each epoch), clipped to the training
/// rating range.
///
/// ```
/// b_i ← Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_item + |R(i)|)
/// b_u ← Σ_{i∈R(u)} (r_ui − μ − b_i) / (λ_user + |R(u)|)
/// ```
/// For ranking, items are ordered by `b_i` (the user's terms are constant).
public struct BiasBaseline: Recommender {
    public static let name = "baseline"
    public static let summary = "Koren's baseline predictor μ + b_u + b_i, fitted by alternating least squares"
    public static let predictsRatings = true
    public static let personalized = false
    public let configuration: BaselineConfiguration
    public private(set) var training: RatingDataset?
    public private(set) var mean: Float = 0
    public private(set) var userBias: [Float] = []
    public private(set) var itemBias: [Float] = []
    var scale: ClosedRange<Float> = 0...0

    public init(_ configuration: BaselineConfiguration = BaselineConfiguration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration()
        let r = train.ratings
        guard r.nonZeroCount > 0 else { throw ModelError.unsuitableData(model: Self.name, reason: "the training data has no ratings") }
        if let (u, i) = r.firstNonFinite {
            throw ModelError.fitFailed(model: Self.name, cause: .nonFiniteInput(algorithm: Self.name, row: u, column: i), in: train)
        }
        let mu = r.values.reduce(0.0) { $0 + Double($1) } / Double(r.nonZeroCount)
        let byItem = r.transposed()
        var biases = (user: [Double](repeating: 0, count: r.rows), item: [Double](repeating: 0, count: r.columns))
        _ = try translatingErrors(train) {
            try EpochRunner.run(Self.name, epochs: c.epochs, state: &biases, divergence: .init(hint: "Check the ratings' scale."),
                                progress: progress) { _, b in
                for i in 0..<byItem.rows {
                    var dev = 0.0
                    for k in byItem.range(ofRow: i) { dev += Double(byItem.values[k]) - mu - b.user[Int(byItem.columnIndices[k])] }
                    b.item[i] = dev / (c.regularizationItem + Double(byItem.count(ofRow: i)))
                }
                var loss = 0.0
                for u in 0..<r.rows {
                    var dev = 0.0
                    for k in r.range(ofRow: u) { dev += Double(r.values[k]) - mu - b.item[Int(r.columnIndices[k])] }
                    b.user[u] = dev / (c.regularizationUser + Double(r.count(ofRow: u)))
                    for k in r.range(ofRow: u) { let e = Double(r.values[k]) - mu - b.user[u] - b.item[Int(r.columnIndices[k])]; loss += e * e }
                }
                loss += c.regularizationUser * b.user.reduce(0) { $0 + $1 * $1 } + c.regularizationItem * b.item.reduce(0) { $0 + $1 * $1 }
                return .init(loss: loss)
            }
        }
        mean = Float(mu)
        userBias = biases.user.map { Float($0) }
        itemBias = biases.item.map { Float($0) }
        scale = (r.values.min() ?? 0)...(r.values.max() ?? 0)
        training = train
    }

    public func predict(user: Int, item: Int) -> Float {
        var p = mean
        if user >= 0 && user < userBias.count { p += userBias[user] }
        if item >= 0 && item < itemBias.count { p += itemBias[item] }
        return scale.clamping(p)
    }

    public func score(user: Int, items: [Int32]) -> [Float] { items.map { itemBias[Int($0)] } }

    /// Ranks by the item bias alone (the user's bias does not change a user's order).
    public var scoreKind: ScoreKind { .itemBias }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        TopKScorer.sameScoresForEveryUser(itemBias, users: users.count)
    }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, configuration: configuration)
        try storeParameters(in: &a)
        return a
    }

    /// The biases, mean and scale (also inside the archives of models built on the baseline).
    func storeParameters(in a: inout ModelArchive) throws {
        guard training != nil else { throw ModelError.notFitted(model: Self.name) }
        a.floats["mean"] = [mean]
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.floats["user_bias"] = userBias
        a.floats["item_bias"] = itemBias
        a.training = training
    }

    public init(archive a: ModelArchive) throws {
        try self.init(configuration: try Self.configuration(in: a), parametersIn: a)
    }

    /// The baseline whose parameters are stored in the archive of `baseline` or of a model built on it.
    init(configuration: BaselineConfiguration, parametersIn a: ModelArchive) throws {
        self.configuration = configuration
        let t = try a.requireTraining()
        mean = try a.floats("mean", count: 1)[0]
        scale = try a.range("scale")
        userBias = try a.floats("user_bias", count: t.userCount)
        itemBias = try a.floats("item_bias", count: t.itemCount)
        training = t
    }
}
