import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Replays explore/exploit policies on rating data (`reckit bandit simulate`).
///
/// Protocol: each user's ratings are split at random (for the seed) into a history (half, used to
/// fit implicit ALS) and a future; the future's ratings ≥ ``threshold`` are the user's clicks. Each
/// round, a user drawn uniformly from those with at least one future click arrives; the policy
/// shows a slate of ``slate`` items the user has neither in their history nor been shown before. A
/// shown item the user rated in the future has a known outcome: a click (reward 1) when its rating
/// is at least the threshold, else a non-click. A shown item the user never rated has no known
/// outcome; ``unrated`` says what it counts as. Clicked items join the user's history with their rating and the user is
/// folded in again at once (the server's online update). Reported: the cumulative click-through
/// rate (clicks ÷ counted shown items) against rounds.
///
/// Bias, stated: with ``UnratedOutcome/miss`` an item the user never rated counts as not clicked,
/// though they might have liked it — unobserved is not negative — which favours policies that stay
/// near what the data observed (the rated items) and undervalues exploration against a live system.
/// With ``UnratedOutcome/skip`` (Li et al.'s replay, 2011: a decision whose outcome the data does not
/// hold is left out) only known outcomes count; that is unbiased only for uniformly random logged
/// data, which ratings are not: which items a user rated is itself informative.
public struct BanditSimulation: Sendable {
    public var rounds = 10_000
    public var slate = 5
    public var threshold: Float = 4
    public var factors = 32
    public var iterations = 10
    public var regularization = 0.1
    public var alpha = 1.0
    /// σ of the posterior of UCB and Thompson sampling.
    public var posteriorScale = 0.1
    public var seed: UInt64 = 1
    /// What a shown item the user never rated counts as.
    public var unrated: UnratedOutcome = .miss
    /// Rounds at which the curve is sampled (besides the last).
    public var checkpoints = 50
    /// Where to save the model fitted on the histories (the model the policies start from, and the
    /// one to evaluate other policies with on a log the simulation wrote); nil: not saved.
    public var modelPath: String?

    public init() {}

    /// What a shown item without a known outcome (the user never rated it) counts as.
    public enum UnratedOutcome: String, Codable, Sendable, CaseIterable {
        /// A non-click: counted as shown, reward 0.
        case miss
        /// Not counted (Li et al.'s replay): neither shown nor clicked, and not logged.
        case skip
    }

    public struct Curve: Codable, Sendable {
        public var policy: String
        /// (round, cumulative CTR) pairs.
        public var rounds: [Int]
        public var ctr: [Double]
        public var clicks: Int
        public var shown: Int
        public var seconds: Double
    }

    /// Runs every policy on the same split, model and sequence of arriving users.
    /// `record`, when given, receives every shown item as a row of logged feedback (slate id
    /// `ROUND`, reward 1 for a click, the policy's propensity) — the input of `reckit bandit evaluate`.
    public func run(_ data: RatingDataset, policies: [Policy], context: ExecutionContext = .current,
                    record: ((Policy, LoggedFeedback.Row) -> Void)? = nil,
                    progress: (String, Int) -> Void = { _, _ in }) throws -> [Curve] {
        let split = try data.perUserHoldout(testFraction: 0.5, seed: seed)
        var als = ALSRecommender { c in
            c.factors = factors; c.iterations = iterations; c.implicit = true; c.alpha = alpha
            c.regularization = regularization; c.solver = .cholesky; c.seed = seed
        }
        try als.fit(split.train, context: context, progress: nil)
        if let modelPath { try als.save(to: modelPath) }
        let model = try als.factorModel ?? { throw ServingError(status: 500, field: nil, "the fit produced no factors") }()
        let prior = try Uncertainty.prior(for: als, items: model.itemFactors, context: context)
        // Known outcomes per user: every future rating; those at or above the threshold are clicks.
        var future = [[Int32: Float]](repeating: [:], count: data.userCount)
        for u in 0..<data.userCount {
            for k in split.test.ratings.range(ofRow: u) { future[u][split.test.ratings.columnIndices[k]] = split.test.ratings.values[k] }
        }
        let eligible = (0..<data.userCount).filter { u in future[u].values.contains { $0 >= threshold } }
        guard !eligible.isEmpty else { throw ServingError(status: 400, field: "threshold", "no user has a future rating ≥ \(threshold)") }
        var one = context
        one.threads = 1
        var curves: [Curve] = []
        for policy in policies {
            let start = ContinuousClock.now
            var rng = SeededGenerator(seed: seed &+ 7)
            var arrivals = SeededGenerator(seed: seed)   // the same users in the same order for every policy
            var history: [Int: (items: [Int32], values: [Float])] = [:]
            var folded: [Int: FoldedInUser] = [:]
            var shownTo: [Int: Set<Int32>] = [:]
            var remaining = future
            var totalClicks = 0, totalShown = 0
            var curve = Curve(policy: policy.description, rounds: [], ctr: [], clicks: 0, shown: 0, seconds: 0)
            let every = max(1, rounds / checkpoints)
            for round in 1...rounds {
                let u = eligible[Int.random(in: 0..<eligible.count, using: &arrivals)]
                if history[u] == nil {
                    let row = split.train.ratings.range(ofRow: u)
                    history[u] = (Array(split.train.ratings.columnIndices[row]), Array(split.train.ratings.values[row]))
                }
                let user = folded[u] ?? {
                    let k = model.userFactors.columns
                    return FoldedInUser(factors: Array(model.userFactors.storage[u * k..<(u + 1) * k]), bias: 0, items: history[u]!.items)
                }()
                let all = try als.scores(for: user, context: one)
                let excluded = Set(history[u]!.items).union(shownTo[u] ?? [])
                let rows = all.indices.filter { !excluded.contains(Int32($0)) }
                guard !rows.isEmpty else { continue }
                let scores = rows.map { all[$0] }
                var uncertainty: Uncertainty?
                if policy.needsUncertainty {
                    let h = zip(history[u]!.items, history[u]!.values).map { ($0, $1) }
                    uncertainty = try Uncertainty(user: user, history: h, items: model.itemFactors, prior: prior, scale: posteriorScale, context: one)
                }
                let chosen = policy.choose(n: slate, scores: scores, uncertainty: uncertainty, rows: rows, rng: &rng)
                var clicked = false
                for (position, c) in chosen.candidates.enumerated() {
                    let item = Int32(rows[c])
                    shownTo[u, default: []].insert(item)
                    let known = remaining[u].removeValue(forKey: item)
                    if known == nil, unrated == .skip { continue }
                    let click = known.map { $0 >= threshold } ?? false
                    totalShown += 1
                    record?(policy, LoggedFeedback.Row(user: data.userIDs.externalID(u), item: data.itemIDs.externalID(Int(item)),
                                                        position: position + 1, reward: click ? 1 : 0,
                                                        propensity: chosen.propensities[position], slate: String(round), line: 0))
                    if click, let value = known {
                        totalClicks += 1
                        clicked = true
                        var h = history[u]!
                        var pairs = Array(zip(h.items, h.values))
                        pairs.append((item, value))
                        pairs.sort { $0.0 < $1.0 }
                        h = (pairs.map(\.0), pairs.map(\.1))
                        history[u] = h
                    }
                }
                if clicked { folded[u] = try als.foldIn(items: history[u]!.items, ratings: history[u]!.values) }
                if round % every == 0 || round == rounds {
                    curve.rounds.append(round)
                    curve.ctr.append(totalShown == 0 ? 0 : Double(totalClicks) / Double(totalShown))
                    progress(policy.description, round)
                }
            }
            curve.clicks = totalClicks
            curve.shown = totalShown
            let d = ContinuousClock.now - start
            curve.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            curves.append(curve)
        }
        return curves
    }
}
