import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// A model as the server holds it: loaded once from its file, never changed (a reload builds a new
/// one and swaps it in), with the id lookups and the prior of the exploring policies ready.
public final class ServingModel: Sendable {
    public let path: String
    /// `NAME-SIZE-MTIME` of the file: changes when the file does.
    public let version: String
    public let recommender: any Recommender
    /// The factor model's view, for fold-in, exploring policies and similar items; nil for models
    /// without factors, which serve greedy lists of training users only.
    public let folding: (any FoldingIn)?
    public let training: RatingDataset
    let userIDs: IDMap
    let itemIDs: IDMap
    let prior: Uncertainty.Prior?
    /// Every training user's greedy top ``cacheDepth`` with their training items left out,
    /// computed at load with the engine's blocked GEMM and top-k (``Recommender/recommend(users:count:filter:context:)``):
    /// user `u`'s list is `cachedItems[u·depth ..< u·depth + cachedCounts[u]]`.
    let cacheDepth: Int
    let cachedItems: [Int32]
    let cachedScores: [Float]
    let cachedCounts: [Int32]

    /// Loads `path` (a file written by `reckit train`) and, for factor models, precomputes every
    /// training user's top `cacheDepth` (0: none) with `loadContext`'s threads.
    public init(path: String, context: ExecutionContext, cacheDepth: Int = 0, loadContext: ExecutionContext = .current) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let m = try ModelRegistry.load(from: path)
        guard let training = m.training else { throw ServingError(status: 500, field: nil, "\(path) holds no training data") }
        self.path = path
        self.version = "\(type(of: m).name)-\(size)-\(Int(mtime))"
        self.recommender = m
        self.folding = m as? any FoldingIn
        self.training = training
        var users = training.userIDs, items = training.itemIDs
        users.prepareLookup()
        items.prepareLookup()
        self.userIDs = users
        self.itemIDs = items
        if let folding, let factors = folding.factorModel {
            self.prior = try Uncertainty.prior(for: folding, items: factors.itemFactors, context: context)
        } else {
            self.prior = nil
        }
        let depth = folding == nil ? 0 : min(cacheDepth, training.itemCount)
        var topItems = [Int32](repeating: 0, count: training.userCount * depth), scores = [Float](repeating: 0, count: topItems.count)
        var counts = [Int32](repeating: 0, count: depth > 0 ? training.userCount : 0)
        if depth > 0 {
            let block = 4096
            for start in stride(from: 0, to: training.userCount, by: block) {
                let users = start..<min(start + block, training.userCount)
                let lists = try m.recommend(users: users, count: depth, filter: RecommendationFilter(excludeTrainingItems: true), context: loadContext)
                for (offset, list) in lists.enumerated() {
                    let u = users.lowerBound + offset
                    counts[u] = Int32(list.count)
                    for (k, r) in list.enumerated() { topItems[u * depth + k] = Int32(r.item); scores[u * depth + k] = r.score }
                }
            }
        }
        self.cacheDepth = depth
        self.cachedItems = topItems
        self.cachedScores = scores
        self.cachedCounts = counts
    }

    /// User `u`'s cached top `n`, when the cache holds that many.
    func cachedTop(_ u: Int, n: Int) -> [Recommendation]? {
        guard n <= cacheDepth else { return nil }
        let count = min(n, Int(cachedCounts[u]))
        return (0..<count).map { Recommendation(item: Int(cachedItems[u * cacheDepth + $0]), score: cachedScores[u * cacheDepth + $0]) }
    }

    public var modelName: String { type(of: recommender).name }
    public var userCount: Int { training.userCount }
    public var itemCount: Int { training.itemCount }

    func item(_ id: String, field: String) throws -> Int32 {
        guard let i = itemIDs.index(of: id) else {
            throw ServingError.unprocessable(field, "item '\(id)' is not in the model (\(itemCount) items); send \"new_item\": true to add it (it is learned at the next refit)")
        }
        return Int32(i)
    }

    /// A training user as a folded-in user: their fitted factors and their training items.
    func trainingUser(_ u: Int) -> FoldedInUser? {
        guard let f = folding?.factorModel else { return nil }
        let k = f.userFactors.columns
        let row = training.ratings.range(ofRow: u)
        return FoldedInUser(factors: Array(f.userFactors.storage[u * k..<(u + 1) * k]), bias: f.userBias.isEmpty ? 0 : f.userBias[u],
                            items: Array(training.ratings.columnIndices[row]))
    }

    /// What an exploring policy chooses from for one user: every item's score, the candidate
    /// items (all but `excluded`), their scores, and — for policies that need it — the user's posterior.
    struct Candidates {
        var allScores: [Float]
        /// Candidate `c` is item `rows[c]`.
        var rows: [Int]
        var scores: [Float]
        var uncertainty: Uncertainty?
    }

    /// The candidates of `user` (folded in from `history`) for `policy` (a factor model's).
    func candidates(for user: FoldedInUser, history: [(item: Int32, value: Float)], excluding excluded: Set<Int32>, policy: Policy,
                    posteriorScale: Double, context: ExecutionContext) throws -> Candidates {
        let folding = folding!
        let all = try folding.scores(for: user, context: context)
        let rows = all.indices.filter { !excluded.contains(Int32($0)) }
        var uncertainty: Uncertainty?
        if policy.needsUncertainty, let prior, let f = folding.factorModel {
            uncertainty = try Uncertainty(user: user, history: history, items: f.itemFactors, prior: prior, scale: posteriorScale, context: context)
        }
        return Candidates(allScores: all, rows: rows, scores: rows.map { all[$0] }, uncertainty: uncertainty)
    }

    /// A training user's history as (item, value) pairs.
    func trainingHistory(_ u: Int) -> [(item: Int32, value: Float)] {
        let row = training.ratings.range(ofRow: u)
        return zip(training.ratings.columnIndices[row], training.ratings.values[row]).map { ($0, $1) }
    }
}
