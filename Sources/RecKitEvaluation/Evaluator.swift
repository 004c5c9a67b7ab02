import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Test ratings expressed in a training set's index space.
public struct AlignedTest: Sendable {
    /// Training user index per test rating, or −1 for a user the training data does not have.
    public var users: [Int]
    /// Training item index per test rating, or −1.
    public var items: [Int]
    public var ratings: [Float]

    /// Maps `test`'s external ids through `train`'s id maps.
    public init(_ test: RatingDataset, to train: RatingDataset) {
        let maps = test.indexMaps(into: train)
        let userMap = maps.users.map { $0 ?? -1 }, itemMap = maps.items.map { $0 ?? -1 }
        var u: [Int] = [], i: [Int] = [], r: [Float] = []
        u.reserveCapacity(test.ratingCount); i.reserveCapacity(test.ratingCount); r.reserveCapacity(test.ratingCount)
        for user in 0..<test.userCount {
            for k in test.ratings.range(ofRow: user) {
                u.append(userMap[user]); i.append(itemMap[Int(test.ratings.columnIndices[k])]); r.append(test.ratings.values[k])
            }
        }
        users = u; items = i; ratings = r
    }

    /// Test ratings that already share the training index space (splits made by RecKit).
    public init(sameIndexSpace test: RatingDataset) {
        let e = test.entries
        users = e.map(\.user); items = e.map(\.item); ratings = e.map(\.rating)
    }

    public var count: Int { ratings.count }
}

/// The evaluation protocols.
public enum Evaluator {
    /// Rating prediction: RMSE and MAE of `model.predict` over every test rating. Ratings of users
    /// or items unknown to training are predicted with the model's fallback and counted.
    public static func rating(model: some Recommender, test: AlignedTest) throws -> RatingReport {
        guard model.ratingPredictor else {
            throw EvaluationError.cannotPredictRatings(model: type(of: model).name)
        }
        guard test.count > 0 else { throw EvaluationError.emptyTest("rating protocol") }
        var se = 0.0, ae = 0.0
        for k in 0..<test.count {
            let e = Double(model.predict(user: test.users[k], item: test.items[k])) - Double(test.ratings[k])
            se += e * e
            ae += abs(e)
        }
        let n = Double(test.count)
        return RatingReport(rmse: (se / n).squareRoot(), mae: ae / n, predictions: test.count,
                            unknownUsers: test.users.filter { $0 < 0 }.count, unknownItems: test.items.filter { $0 < 0 }.count)
    }

    /// Full-ranking top-N: for every training user with at least one relevant test item (rating ≥
    /// `threshold`, item known to training), rank all items except the user's training items and
    /// compare the top `k` with the relevant set. Users without relevant items are skipped and counted;
    /// test ratings of users or items unknown to training are left out and counted.
    public static func topN(model: some Recommender, test: AlignedTest, k: Int, threshold: Float,
                            computeAUC: Bool = true, context: ExecutionContext = .current) throws -> RankingReport {
        guard let train = model.training else { throw ModelError.notFitted(model: type(of: model).name) }
        guard k >= 1 else { throw EvaluationError.invalidOption(option: "k", value: "\(k)", requirement: "≥ 1") }
        var relevant = [Set<Int>](repeating: [], count: train.userCount)
        for t in 0..<test.count where test.users[t] >= 0 && test.items[t] >= 0 && test.ratings[t] >= threshold {
            relevant[test.users[t]].insert(test.items[t])
        }
        let users = (0..<train.userCount).filter { !relevant[$0].isEmpty }
        var acc = RankingAccumulator(k: k)
        acc.skipped = train.userCount - users.count
        // Score in blocks of consecutive users; only users with relevant items are kept.
        let blockSize = 256
        let r = train.ratings
        let blocks = (train.userCount + blockSize - 1) / blockSize
        let perBlock = Parallel.map(blocks, threads: context.threads) { b -> Result<[(user: Int, result: UserRankingResult, list: [Int], auc: Double?)], any Error> in
            let lo = b * blockSize, hi = min(train.userCount, lo + blockSize)
            guard (lo..<hi).contains(where: { !relevant[$0].isEmpty }) else { return .success([]) }
            return Result {
                        var out: [(user: Int, result: UserRankingResult, list: [Int], auc: Double?)] = []
                        let scores = try model.scoreBlock(users: lo..<hi, context: context.with(threads: 1))
                        for u in lo..<hi where !relevant[u].isEmpty {
                            let list = TopKScorer.top(k, row: scores, index: u - lo, user: u, filter: RecommendationFilter(), train: r).map(\.item)
                            var auc: Double? = nil
                            if computeAUC {
                                let trained = Set(r.range(ofRow: u).map { Int(r.columnIndices[$0]) })
                                var s: [Float] = [], rel: [Bool] = []
                                s.reserveCapacity(scores.columns); rel.reserveCapacity(scores.columns)
                                for i in 0..<scores.columns where !trained.contains(i) {
                                    s.append(scores.storage[(u - lo) * scores.columns + i]); rel.append(relevant[u].contains(i))
                                }
                                auc = RankingMetrics.auc(scores: s, relevant: rel)
                            }
                            out.append((u, RankingMetrics.evaluate(list: list, relevant: relevant[u], k: k), list, auc))
                        }
                        return out
            }
        }
        for block in perBlock { for entry in try block.get() { acc.add(entry.result, list: entry.list, auc: entry.auc) } }
        var report = acc.report(itemCount: train.itemCount, itemPopularity: r.columnStatistics().counts, userCount: train.userCount,
                                itemVectors: (model as? any ItemVectors)?.itemVectors)
        report.unknownTestRatings = (0..<test.count).filter { test.users[$0] < 0 || test.items[$0] < 0 }.count
        return report
    }

    /// Leave-one-out with sampled negatives (the NCF protocol): each held-out (user, item) is ranked
    /// among that user's sampled negatives; HR@k, NDCG@k, MAP@k and AUC, and MRR over the whole
    /// candidate list. Ties are pessimistic: the held-out item's rank is the number of negatives
    /// scoring higher or equal, so a model that scores everything alike earns nothing.
    public static func leaveOneOut(model: some Recommender, heldOut: [(user: Int, item: Int)], negatives: [[Int32]], k: Int) throws -> RankingReport {
        guard let train = model.training else { throw ModelError.notFitted(model: type(of: model).name) }
        guard heldOut.count == negatives.count else {
            throw EvaluationError.mismatchedNegatives(heldOut: heldOut.count, lists: negatives.count)
        }
        var acc = RankingAccumulator(k: k)
        for (t, h) in heldOut.enumerated() {
            let candidates = [Int32(h.item)] + negatives[t]
            let s = model.score(user: h.user, items: candidates)
            let pos = s[0]
            var rank = 0
            for j in 1..<candidates.count where s[j] >= pos || s[j].isNaN || pos.isNaN { rank += 1 }
            // The ranked list as far as it matters: `rank` negatives (−1 stands for them), then the item.
            let list = Array(repeating: -1, count: min(rank, k)) + (rank < k ? [h.item] : [])
            var r = RankingMetrics.evaluate(list: list, relevant: [h.item], k: k)
            r.reciprocalRank = 1 / Double(rank + 1)
            acc.add(r, list: [h.item], auc: RankingMetrics.auc(scores: s, relevant: [true] + Array(repeating: false, count: negatives[t].count)))
        }
        return acc.report(itemCount: train.itemCount, itemPopularity: train.ratings.columnStatistics().counts, userCount: train.userCount, itemVectors: nil)
    }
}

/// Models with item vectors (factors or embeddings) for intra-list diversity.
public protocol ItemVectors {
    var itemVectors: (values: [Float], dimension: Int) { get }
}

extension FactorModel: ItemVectors {
    public var itemVectors: (values: [Float], dimension: Int) { (itemFactors.storage, itemFactors.columns) }
}
