import RecKitData
import RecKitLinearAlgebra

/// `global-mean`: predicts the mean training rating for everything; ranks every item equally
/// (ties go to the lower item index). The floor any model must beat.
public struct GlobalMean: Recommender {
    public static let name = "global-mean"
    public static let predictsRatings = true
    public private(set) var training: RatingDataset?
    public private(set) var mean: Float = 0

    public init() {}

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        guard train.ratingCount > 0 else { throw DataError.empty("global-mean: the training data has no ratings") }
        mean = Float(train.ratings.values.reduce(0.0) { $0 + Double($1) } / Double(train.ratingCount))
        training = train
        progress?(FitProgress(iteration: 1, iterations: 1, loss: nil, seconds: 0))
    }

    public func predict(user: Int, item: Int) -> Float { mean }
    public func score(user: Int, items: [Int32]) -> [Float] { [Float](repeating: mean, count: items.count) }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name)
        a.floats["mean"] = [mean]
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        mean = try a.floats("mean", count: 1)[0]
        training = a.training
    }
}

/// `baseline`: Koren's baseline predictor `r̂ = μ + b_u + b_i`, with biases regularised towards zero
/// and fitted by alternating least squares (items, then users, each epoch), clipped to the training
/// rating range. Defaults (30 sweeps, λ_user = 5, λ_item = 2) were chosen on validation splits of
/// ML-100k's training files; Surprise's BaselineOnly uses 10, 15 and 10.
///
/// ```
/// b_i ← Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_item + |R(i)|)
/// b_u ← Σ_{i∈R(u)} (r_ui − μ − b_i) / (λ_user + |R(u)|)
/// ```
/// For ranking, items are ordered by `b_i` (the user's terms are constant).
public struct BiasBaseline: Recommender {
    public static let name = "baseline"
    public static let predictsRatings = true
    public var epochs = 30
    public var regularizationUser: Float = 5
    public var regularizationItem: Float = 2
    public private(set) var training: RatingDataset?
    public private(set) var mean: Float = 0
    public private(set) var userBias: [Float] = []
    public private(set) var itemBias: [Float] = []
    var scale: ClosedRange<Float> = 0...0

    public init(epochs: Int = 30, regularizationUser: Float = 5, regularizationItem: Float = 2) {
        self.epochs = epochs
        self.regularizationUser = regularizationUser
        self.regularizationItem = regularizationItem
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        guard epochs >= 1, regularizationUser >= 0, regularizationItem >= 0 else {
            throw ModelError.invalidHyperparameter("baseline: epochs must be ≥ 1 and regularisations ≥ 0 (got \(epochs), \(regularizationUser), \(regularizationItem))")
        }
        let r = train.ratings
        guard r.nonZeroCount > 0 else { throw DataError.empty("baseline: the training data has no ratings") }
        if let (u, i) = r.firstNonFinite { throw ModelError.invalidHyperparameter("baseline: the training data holds NaN/∞ at user \(u), item \(i)") }
        let clock = ContinuousClock()
        let mu = r.values.reduce(0.0) { $0 + Double($1) } / Double(r.nonZeroCount)
        let byItem = r.transposed()
        var bu = [Double](repeating: 0, count: r.rows), bi = [Double](repeating: 0, count: r.columns)
        for epoch in 1...epochs {
            let start = clock.now
            for i in 0..<byItem.rows {
                var dev = 0.0
                for k in byItem.range(ofRow: i) { dev += Double(byItem.values[k]) - mu - bu[Int(byItem.columnIndices[k])] }
                bi[i] = dev / (Double(regularizationItem) + Double(byItem.count(ofRow: i)))
            }
            var loss = 0.0
            for u in 0..<r.rows {
                var dev = 0.0
                for k in r.range(ofRow: u) { dev += Double(r.values[k]) - mu - bi[Int(r.columnIndices[k])] }
                bu[u] = dev / (Double(regularizationUser) + Double(r.count(ofRow: u)))
                for k in r.range(ofRow: u) { let e = Double(r.values[k]) - mu - bu[u] - bi[Int(r.columnIndices[k])]; loss += e * e }
            }
            loss += Double(regularizationUser) * bu.reduce(0) { $0 + $1 * $1 } + Double(regularizationItem) * bi.reduce(0) { $0 + $1 * $1 }
            progress?(FitProgress(iteration: epoch, iterations: epochs, loss: loss, seconds: (clock.now - start).seconds))
        }
        mean = Float(mu)
        userBias = bu.map { Float($0) }
        itemBias = bi.map { Float($0) }
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

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        TopKScorer.sameScoresForEveryUser(itemBias, users: users.count)
    }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, hyperparameters: ["epochs": Double(epochs), "regularization-user": Double(regularizationUser),
                                                                 "regularization-item": Double(regularizationItem)])
        a.floats["mean"] = [mean]
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.floats["user_bias"] = userBias
        a.floats["item_bias"] = itemBias
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("baseline model file has no training data") }
        epochs = Int(a.hyperparameters["epochs"] ?? 30)
        regularizationUser = Float(a.hyperparameters["regularization-user"] ?? 5)
        regularizationItem = Float(a.hyperparameters["regularization-item"] ?? 2)
        mean = try a.floats("mean", count: 1)[0]
        let s = try a.floats("scale", count: 2)
        scale = s[0]...s[1]
        userBias = try a.floats("user_bias", count: t.userCount)
        itemBias = try a.floats("item_bias", count: t.itemCount)
        training = t
    }
}

/// `popularity`: ranks items by how many training interactions they have (optionally only those
/// rated at least `minimumRating`). Not a rating predictor; the same list for everyone, minus the
/// user's own items.
public struct Popularity: Recommender {
    public static let name = "popularity"
    public static let predictsRatings = false
    public var minimumRating: Float = 0
    public private(set) var training: RatingDataset?
    public private(set) var counts: [Float] = []

    public init(minimumRating: Float = 0) { self.minimumRating = minimumRating }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        guard train.ratingCount > 0 else { throw DataError.empty("popularity: the training data has no ratings") }
        var c = [Float](repeating: 0, count: train.itemCount)
        for k in 0..<train.ratingCount where train.ratings.values[k] >= minimumRating { c[Int(train.ratings.columnIndices[k])] += 1 }
        counts = c
        training = train
        progress?(FitProgress(iteration: 1, iterations: 1, loss: nil, seconds: 0))
    }

    /// Popularity does not estimate ratings; this returns the item's interaction count.
    public func predict(user: Int, item: Int) -> Float { item >= 0 && item < counts.count ? counts[item] : 0 }
    public func score(user: Int, items: [Int32]) -> [Float] { items.map { counts[Int($0)] } }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        TopKScorer.sameScoresForEveryUser(counts, users: users.count)
    }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, hyperparameters: ["minimum-rating": Double(minimumRating)])
        a.floats["counts"] = counts
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("popularity model file has no training data") }
        minimumRating = Float(a.hyperparameters["minimum-rating"] ?? 0)
        counts = try a.floats("counts", count: t.itemCount)
        training = t
    }
}
