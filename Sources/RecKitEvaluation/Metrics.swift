import Foundation

/// Ranking metrics of one user's top-k list against the set of items relevant to that user.
/// Definitions (also in docs/evaluation.md):
///
/// - `hits` = |list ∩ relevant|, list = the first k recommendations (it may be shorter);
/// - precision@k = hits / k;  recall@k = hits / |relevant|;
/// - NDCG@k = Σ_{hit at position p (0-based)} 1/log₂(p+2)  ÷  Σ_{p < min(k, |relevant|)} 1/log₂(p+2);
/// - AP@k = Σ_{hit at position p} (hits among the first p+1) / (p+1)  ÷  min(k, |relevant|);
/// - reciprocal rank = 1 / (position of the first hit + 1), 0 without a hit;  hit = hits > 0.
public struct UserRankingResult: Sendable, Equatable {
    public var hits: Int
    public var relevantCount: Int
    public var precision: Double
    public var recall: Double
    public var ndcg: Double
    public var averagePrecision: Double
    public var reciprocalRank: Double
    public var hit: Bool
}

public enum RankingMetrics {
    /// Metrics of `list` (best first) against `relevant` at cut-off `k`.
    /// - Precondition: `k ≥ 1` and `relevant` is not empty (users without relevant items are skipped by the protocols).
    public static func evaluate(list: [Int], relevant: Set<Int>, k: Int) -> UserRankingResult {
        precondition(k >= 1 && !relevant.isEmpty, "ranking metrics need k ≥ 1 and at least one relevant item")
        var hits = 0, dcg = 0.0, ap = 0.0, rr = 0.0
        for (p, item) in list.prefix(k).enumerated() where relevant.contains(item) {
            hits += 1
            dcg += 1 / log2(Double(p + 2))
            ap += Double(hits) / Double(p + 1)
            if rr == 0 { rr = 1 / Double(p + 1) }
        }
        let ideal = min(k, relevant.count)
        let idcg = (0..<ideal).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        return UserRankingResult(hits: hits, relevantCount: relevant.count, precision: Double(hits) / Double(k),
                                 recall: Double(hits) / Double(relevant.count), ndcg: dcg / idcg,
                                 averagePrecision: ap / Double(ideal), reciprocalRank: rr, hit: hits > 0)
    }

    /// AUC of one user: the probability that a relevant candidate scores above an irrelevant one,
    /// ties counting one half. `nil` when either side is empty.
    public static func auc(scores: [Float], relevant: [Bool]) -> Double? {
        var positives: [Float] = [], negatives: [Float] = []
        for (s, r) in zip(scores, relevant) { if r { positives.append(s) } else { negatives.append(s) } }
        guard !positives.isEmpty, !negatives.isEmpty else { return nil }
        negatives.sort()
        var total = 0.0
        for s in positives {
            // negatives strictly below s, plus half of those equal.
            var lo = 0, hi = negatives.count
            while lo < hi { let m = (lo + hi) / 2; if negatives[m] < s { lo = m + 1 } else { hi = m } }
            var eq = lo
            while eq < negatives.count && negatives[eq] == s { eq += 1 }
            total += Double(lo) + 0.5 * Double(eq - lo)
        }
        return total / (Double(positives.count) * Double(negatives.count))
    }

    /// Mean pairwise dissimilarity (1 − cosine) of the items in a list, from item vectors
    /// (factors or attributes, row-major `items × d`); nil for lists shorter than 2.
    public static func intraListDiversity(list: [Int], vectors: [Float], dimension d: Int) -> Double? {
        guard list.count >= 2, d > 0 else { return nil }
        var total = 0.0, pairs = 0
        for a in 0..<list.count {
            for b in (a + 1)..<list.count {
                var dot = 0.0, na = 0.0, nb = 0.0
                for t in 0..<d {
                    let x = Double(vectors[list[a] * d + t]), y = Double(vectors[list[b] * d + t])
                    dot += x * y; na += x * x; nb += y * y
                }
                let cos = na == 0 || nb == 0 ? 0 : dot / (na.squareRoot() * nb.squareRoot())
                total += 1 - cos
                pairs += 1
            }
        }
        return total / Double(pairs)
    }
}

/// Rating-prediction errors.
public struct RatingReport: Sendable, Codable, Equatable {
    public var rmse: Double
    public var mae: Double
    public var predictions: Int
    /// Test ratings whose user (item) never appears in training; predicted with the model's fallback.
    public var unknownUsers: Int
    public var unknownItems: Int

    enum CodingKeys: String, CodingKey {
        case rmse, mae, predictions
        case unknownUsers = "unknown_users", unknownItems = "unknown_items"
    }
}

/// Ranking quality averaged over users that have at least one relevant test item.
public struct RankingReport: Sendable, Codable, Equatable {
    public var k: Int
    /// Mean over users of hits / k.
    public var precision: Double
    /// implicit's definition: Σ hits ÷ Σ min(k, |relevant|), summed over users.
    public var precisionImplicit: Double
    public var recall: Double
    /// 2·P·R/(P+R) of the mean precision and mean recall.
    public var f1: Double
    public var ndcg: Double
    /// Mean AP@k, AP normalised by min(k, |relevant|) (implicit's definition).
    public var map: Double
    public var mrr: Double
    public var hitRate: Double
    /// Mean per-user AUC over all candidate items (nil when not computed).
    public var auc: Double?
    /// Share of the catalogue recommended to anyone.
    public var coverage: Double
    /// Mean intra-list diversity (1 − cosine of item vectors), when the model has item vectors.
    public var diversity: Double?
    /// Mean self-information −log₂(share of training users who rated the item) of recommended items.
    public var novelty: Double
    /// Share of recommended items outside the 20 % most-rated training items.
    public var longTailShare: Double
    public var usersEvaluated: Int
    /// Users with no relevant test item (skipped, counted).
    public var usersSkipped: Int
    /// Test ratings whose user or item never appears in training: nothing can rank them, so they
    /// are left out of the relevant sets (counted; 0 for leave-one-out, which holds out known pairs).
    public var unknownTestRatings: Int = 0

    enum CodingKeys: String, CodingKey {
        case k, precision, recall, f1, ndcg, map, mrr, auc, coverage, diversity, novelty
        case precisionImplicit = "precision_implicit", hitRate = "hit_rate", longTailShare = "long_tail_share"
        case usersEvaluated = "users_evaluated", usersSkipped = "users_skipped", unknownTestRatings = "unknown_test_ratings"
    }
}

/// Accumulates per-user results into a ``RankingReport``.
struct RankingAccumulator {
    let k: Int
    var results: [UserRankingResult] = []
    var aucs: [Double] = []
    var skipped = 0
    var recommended: [[Int]] = []

    mutating func add(_ r: UserRankingResult, list: [Int], auc: Double?) {
        results.append(r)
        recommended.append(list)
        if let auc { aucs.append(auc) }
    }

    func report(itemCount: Int, itemPopularity: [Int], userCount: Int, itemVectors: (values: [Float], dimension: Int)?) -> RankingReport {
        let n = Double(max(results.count, 1))
        let p = results.reduce(0) { $0 + $1.precision } / n
        let r = results.reduce(0) { $0 + $1.recall } / n
        let hits = results.reduce(0) { $0 + $1.hits }
        let divisor = results.reduce(0) { $0 + min(k, $1.relevantCount) }
        let shown = Set(recommended.joined())
        let headSize = Int((Double(itemCount) * 0.2).rounded(.up))
        let head = Set(itemPopularity.indices.sorted { itemPopularity[$0] > itemPopularity[$1] || (itemPopularity[$0] == itemPopularity[$1] && $0 < $1) }.prefix(headSize))
        let all = recommended.joined()
        let novelty = all.isEmpty ? 0 : all.reduce(0.0) { acc, i in
            acc - log2(Double(max(itemPopularity[i], 1)) / Double(max(userCount, 1)))
        } / Double(all.count)
        let tail = all.isEmpty ? 0 : Double(all.filter { !head.contains($0) }.count) / Double(all.count)
        var diversity: Double? = nil
        if let v = itemVectors {
            let values = recommended.compactMap { RankingMetrics.intraListDiversity(list: $0, vectors: v.values, dimension: v.dimension) }
            if !values.isEmpty { diversity = values.reduce(0, +) / Double(values.count) }
        }
        return RankingReport(
            k: k, precision: p, precisionImplicit: divisor == 0 ? 0 : Double(hits) / Double(divisor), recall: r,
            f1: p + r == 0 ? 0 : 2 * p * r / (p + r), ndcg: results.reduce(0) { $0 + $1.ndcg } / n,
            map: results.reduce(0) { $0 + $1.averagePrecision } / n, mrr: results.reduce(0) { $0 + $1.reciprocalRank } / n,
            hitRate: Double(results.filter(\.hit).count) / n, auc: aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count),
            coverage: itemCount == 0 ? 0 : Double(shown.count) / Double(itemCount), diversity: diversity, novelty: novelty,
            longTailShare: tail, usersEvaluated: results.count, usersSkipped: skipped)
    }
}
