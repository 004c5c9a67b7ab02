import RecKitData
import RecKitLinearAlgebra

/// A user described by their interactions instead of a row of the training data: a new user, or
/// one whose history changed since the fit.
public struct FoldedInUser: Sendable {
    /// The user's factors in the model's latent space.
    public var factors: [Float]
    /// The user's bias (0 for models without biases).
    public var bias: Float
    /// The items the user interacted with (sorted, unique), left out of recommendations by default.
    public var items: [Int32]

    public init(factors: [Float], bias: Float, items: [Int32]) {
        self.factors = factors
        self.bias = bias
        self.items = items
    }
}

/// Models that place a user described only by their interactions into their latent space without
/// refitting (fold-in), then score and recommend for them like for a training user.
public protocol FoldingIn: Recommender {
    /// The fitted factors and biases (scores are `μ + b_u + b_i + p_u·q_i`).
    var factorModel: FactorModel? { get }
    /// The folded-in user for `items` with `ratings` (same length; item indexes of the training
    /// data, ratings on the training scale).
    /// - Throws: ``ModelError/notFitted(model:)``; ``ModelError/unknownItem(model:item:)`` for an
    ///   item outside the training data; ``ModelError/invalidInput(model:operation:reason:)`` for a
    ///   repeated item, NaN/∞ ratings or mismatched lengths.
    func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser

    /// The training user `user` as the model's own fit defines them with the item side fixed — the
    /// exact user step of its objective — where the model has one (ALS, PureSVD, SVD-residual);
    /// nil otherwise. Fold-in of the user's training history equals it.
    func refitUser(_ user: Int, context: ExecutionContext) throws -> FoldedInUser?

    /// The user after new feedback: `previous` (their current factors, nil for a user seen for
    /// the first time) updated to fit `items` with `ratings`, the whole history including the new
    /// events. By default a fresh fold-in (the exact minimiser with the item side fixed); models
    /// trained by SGD take a few SGD steps from `previous` instead, as their training would.
    func onlineUpdate(_ previous: FoldedInUser?, items: [Int32], ratings: [Float]) throws -> FoldedInUser
}

extension FoldingIn {
    public func refitUser(_ user: Int, context: ExecutionContext) throws -> FoldedInUser? { nil }
    public func onlineUpdate(_ previous: FoldedInUser?, items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        try foldIn(items: items, ratings: ratings)
    }

    /// Scores from the fitted factors (`μ + b_u + b_i + p_u·q_i`); zeros before a fit.
    public func score(user: Int, items: [Int32]) -> [Float] { factorModel?.score(user: user, items: items) ?? items.map { _ in 0 } }

    /// A block of users' scores of every item: one GEMM on the fitted factors.
    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard let factorModel else { throw ModelError.notFitted(model: Self.name) }
        return try factorModel.scoreBlock(users: users, context: context)
    }

    /// Checks a fold-in request and returns it sorted by item.
    func validatedFoldIn(items: [Int32], ratings: [Float]) throws -> (model: FactorModel, items: [Int32], ratings: [Float]) {
        guard let model = factorModel else { throw ModelError.notFitted(model: Self.name) }
        guard items.count == ratings.count else {
            throw ModelError.invalidInput(model: Self.name, operation: "fold-in", reason: "\(items.count) items but \(ratings.count) ratings")
        }
        let n = model.itemFactors.rows
        let order = items.indices.sorted { items[$0] < items[$1] }
        var sortedItems: [Int32] = [], sortedRatings: [Float] = []
        for k in order {
            let item = items[k]
            guard item >= 0, Int(item) < n else { throw ModelError.unknownItem(model: Self.name, item: "index \(item) (the training data has \(n) items)") }
            guard sortedItems.last != item else { throw ModelError.invalidInput(model: Self.name, operation: "fold-in", reason: "item index \(item) appears twice") }
            guard ratings[k].isFinite else {
                throw ModelError.invalidInput(model: Self.name, operation: "fold-in", reason: "the rating of item index \(item) is \(ratings[k])")
            }
            sortedItems.append(item)
            sortedRatings.append(ratings[k])
        }
        return (model, sortedItems, sortedRatings)
    }

    /// `Σ weightᵢ · q_{itemᵢ}`: the projection of a (residual) rating row on the item factors.
    func project(_ items: [Int32], weights: [Float], on model: FactorModel) -> [Float] {
        let f = model.itemFactors.columns
        var p = [Float](repeating: 0, count: f)
        model.itemFactors.storage.withUnsafeBufferPointer { q in
            for (item, w) in zip(items, weights) {
                let row = Int(item) * f
                for t in 0..<f { p[t] += w * q[row + t] }
            }
        }
        return p
    }

    /// Scores of every item for a folded-in user (`μ + b_u + b_i + p·q_i`).
    public func scores(for user: FoldedInUser, context: ExecutionContext = .current) throws -> [Float] {
        guard let model = factorModel else { throw ModelError.notFitted(model: Self.name) }
        guard user.factors.count == model.itemFactors.columns else {
            throw ModelError.invalidInput(model: Self.name, operation: "scoring", reason: "the folded-in user has \(user.factors.count) factors, the model \(model.itemFactors.columns)")
        }
        var s = try LinearAlgebra.multiply(model.itemFactors, vector: user.factors, context: context)
        let add = model.globalBias + user.bias
        for i in 0..<s.count { s[i] += add + model.itemBias[i] }
        return s
    }

    /// The top `count` items for a folded-in user; their own items are left out unless the filter
    /// says otherwise.
    public func recommend(_ user: FoldedInUser, count: Int, filter: RecommendationFilter = RecommendationFilter(),
                          context: ExecutionContext = .current) throws -> [Recommendation] {
        let s = try scores(for: user, context: context)
        let own = try CSRMatrix<Float>(rows: 1, columns: s.count, rowOffsets: [0, user.items.count], columnIndices: user.items,
                                       values: [Float](repeating: 1, count: user.items.count))
        return TopKScorer.top(count, row: try Matrix(rows: 1, columns: s.count, elements: s), index: 0, user: 0, filter: filter, train: own)
    }
}
