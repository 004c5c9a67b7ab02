import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Turns logged feedback into ``LoggedDecision``s for a target policy on a factor model, so that
/// ``OffPolicyEvaluation`` can estimate what the target policy would have earned.
///
/// Per slate (rows sharing a slate id, in position order), the user's candidates are the items
/// they did not rate in training (what `reckit serve` recommends from with `exclude_seen`), less
/// the logged items above the row's position; the target's probability of the logged item at that
/// position is ``Policy/positionDistribution(scores:shown:uncertainty:rows:rng:)`` — the same
/// conditional the logging propensities describe. The reward model of the doubly robust estimator
/// is the factor model's score calibrated on the log: a logistic curve σ(a·s + b) fitted by Newton's
/// method when the rewards are in [0, 1] (clicks), a least-squares line a·s + b otherwise.
public struct LoggedPolicyEvaluator {
    public let model: ServingModel
    public let policy: Policy
    /// σ of the posterior of `ucb` and `thompson`.
    public var posteriorScale = 1.0
    public var seed: UInt64 = 1

    public init(model: ServingModel, policy: Policy) {
        self.model = model
        self.policy = policy
    }

    /// What the log held that the model does not know: these rows are left out (and reported).
    public struct Skipped: Sendable, Codable, Equatable {
        public var unknownUsers = 0
        public var unknownItems = 0
        public init(unknownUsers: Int = 0, unknownItems: Int = 0) {
            self.unknownUsers = unknownUsers
            self.unknownItems = unknownItems
        }
    }

    /// The logged rows as decisions of the target policy, and the rows that could not be used.
    public func decisions(_ log: LoggedFeedback, context: ExecutionContext = .current,
                          progress: (Int, Int) -> Void = { _, _ in }) throws -> (decisions: [LoggedDecision], skipped: Skipped) {
        guard let folding = model.folding, folding.factorModel != nil else {
            throw ServingError.unprocessable("model", "\(model.modelName) has no factors; off-policy evaluation needs a factor model (als, biased-mf, …)")
        }
        var skipped = Skipped()
        // Slates: rows grouped by slate id (or one row each), in file order of their first row.
        var order: [String] = [], slates: [String: [LoggedFeedback.Row]] = [:]
        for (k, row) in log.rows.enumerated() {
            guard model.userIDs.index(of: row.user) != nil else { skipped.unknownUsers += 1; continue }
            guard model.itemIDs.index(of: row.item) != nil else { skipped.unknownItems += 1; continue }
            let key = log.hasSlates ? "\(row.user)\u{1F}\(row.slate ?? "")" : "#\(k)"
            if slates[key] == nil { order.append(key) }
            slates[key, default: []].append(row)
        }
        guard !order.isEmpty else {
            throw ServingError.unprocessable("log", "no row of the log names a user and an item the model knows (\(skipped.unknownUsers) unknown users, \(skipped.unknownItems) unknown items)")
        }
        let slateRows = order.map { key in slates[key]!.sorted { $0.position < $1.position } }
        // The reward model first, from the logged items' scores: then each row's target
        // distribution is reduced to its expected reward at once instead of being kept.
        var loggedScores: [Double] = [], rewards: [Double] = []
        for rows in slateRows {
            let all = try folding.scores(for: model.trainingUser(model.userIDs.index(of: rows[0].user)!)!, context: context)
            for row in rows { loggedScores.append(Double(all[model.itemIDs.index(of: row.item)!])); rewards.append(row.reward) }
        }
        let calibration = RewardCalibration(scores: loggedScores, rewards: rewards)
        var rng = SeededGenerator(seed: seed)
        var decisions: [LoggedDecision] = []
        decisions.reserveCapacity(loggedScores.count)
        for (done, rows) in slateRows.enumerated() {
            let u = model.userIDs.index(of: rows[0].user)!
            let user = model.trainingUser(u)!
            let c = try model.candidates(for: user, history: model.trainingHistory(u), excluding: Set(user.items), policy: policy,
                                         posteriorScale: posteriorScale, context: context)
            var candidateOf = [Int: Int](minimumCapacity: c.rows.count)
            for (k, i) in c.rows.enumerated() { candidateOf[i] = k }
            let estimates = c.scores.map { calibration(Double($0)) }
            var shown = Set<Int>()
            for row in rows {
                let i = model.itemIDs.index(of: row.item)!
                let distribution = policy.positionDistribution(scores: c.scores, shown: shown, uncertainty: c.uncertainty, rows: c.rows, rng: &rng)
                var expected = 0.0
                for (k, p) in distribution.enumerated() where p > 0 { expected += p * estimates[k] }
                let candidate = candidateOf[i]
                decisions.append(LoggedDecision(reward: row.reward, propensity: row.propensity, targetProbability: candidate.map { distribution[$0] } ?? 0,
                                                rewardEstimate: calibration(loggedScores[decisions.count]), targetRewardEstimate: expected))
                if let candidate { shown.insert(candidate) }
            }
            progress(done + 1, order.count)
        }
        return (decisions, skipped)
    }
}

/// The doubly robust estimator's reward model: the factor model's score mapped to a reward.
struct RewardCalibration {
    var a = 0.0, b = 0.0
    var logistic: Bool

    /// Fits σ(a·s + b) by Newton's method (a small ridge keeps it finite on separable data) when
    /// every reward is in [0, 1], else a·s + b by least squares.
    init(scores: [Double], rewards: [Double]) {
        logistic = rewards.allSatisfy { (0...1).contains($0) }
        let n = Double(scores.count)
        guard n > 0 else { return }
        if !logistic {
            let ms = scores.reduce(0, +) / n, mr = rewards.reduce(0, +) / n
            var sxy = 0.0, sxx = 0.0
            for (s, r) in zip(scores, rewards) { sxy += (s - ms) * (r - mr); sxx += (s - ms) * (s - ms) }
            a = sxx > 0 ? sxy / sxx : 0
            b = mr - a * ms
            return
        }
        let ridge = 1e-6 * n
        for _ in 0..<50 {
            var g0 = 0.0, g1 = 0.0, h00 = ridge, h01 = 0.0, h11 = ridge
            for (s, r) in zip(scores, rewards) {
                let p = 1 / (1 + exp(-(a * s + b)))
                let w = max(p * (1 - p), 1e-12)
                g0 += (p - r) * s; g1 += p - r
                h00 += w * s * s; h01 += w * s; h11 += w
            }
            g0 += ridge * a; g1 += ridge * b
            let det = h00 * h11 - h01 * h01
            guard det > 0 else { break }
            let da = (h11 * g0 - h01 * g1) / det, db = (h00 * g1 - h01 * g0) / det
            a -= da; b -= db
            if abs(da) + abs(db) < 1e-10 { break }
        }
    }

    func callAsFunction(_ s: Double) -> Double { logistic ? 1 / (1 + exp(-(a * s + b))) : a * s + b }
}
