import Foundation
import RecKitLinearAlgebra

/// One logged decision, as an off-policy estimator sees it: the logging policy showed an action
/// (an item at a slate position) with probability `propensity` and observed `reward`; the target
/// policy — the one being evaluated — would have shown that same action with probability
/// `targetProbability`. For the doubly robust estimator, a reward model adds its estimate of the
/// logged action's reward and the reward it expects under the target policy
/// (`Σ_a π(a|x) r̂(x,a)` over every action the target could take).
public struct LoggedDecision: Sendable, Equatable {
    public var reward: Double
    public var propensity: Double
    public var targetProbability: Double
    public var rewardEstimate: Double
    public var targetRewardEstimate: Double

    public init(reward: Double, propensity: Double, targetProbability: Double, rewardEstimate: Double = 0, targetRewardEstimate: Double = 0) {
        self.reward = reward
        self.propensity = propensity
        self.targetProbability = targetProbability
        self.rewardEstimate = rewardEstimate
        self.targetRewardEstimate = targetRewardEstimate
    }

    /// The importance weight π(a|x) / μ(a|x).
    public var weight: Double { targetProbability / propensity }
}

/// Off-policy estimators of a target policy's value (its mean reward per decision) from decisions
/// logged by another policy (`reckit bandit evaluate`). With wᵢ = π(aᵢ|xᵢ)/μ(aᵢ|xᵢ) over N decisions:
///
/// - `replay` (Li et al. 2011): Σ πᵢ rᵢ / Σ πᵢ — the mean reward of the decisions the target would
///   have made the same way (for a deterministic target, exactly the matched ones; for a stochastic
///   one, the expectation of the rejection sampler over its coin). Unbiased only when the logging
///   policy was uniform; reported for comparison with the literature.
/// - `ips` (inverse propensity scoring): (1/N) Σ wᵢ rᵢ. Unbiased when every propensity is right and
///   positive wherever the target acts; its variance grows with the weights.
/// - `snips` (self-normalised IPS): Σ wᵢ rᵢ / Σ wᵢ. Slightly biased (O(1/N)), much less variance.
/// - `dr` (doubly robust, Dudík et al. 2011): (1/N) Σ [ Σ_a π(a|xᵢ) r̂(xᵢ,a) + wᵢ (rᵢ − r̂(xᵢ,aᵢ)) ].
///   Unbiased when the propensities are right, whatever the reward model; less variance the better
///   the reward model.
///
/// Each estimate carries a bootstrap percentile interval: the decisions are resampled with
/// replacement (`samples` times, seeded) and the estimator recomputed on each resample.
public enum OffPolicyEstimator: String, Sendable, CaseIterable, Codable {
    case replay
    case ips
    case snips
    case doublyRobust = "dr"

    /// The estimate over `decisions` (those at `indexes`, when given: a bootstrap resample).
    /// NaN when it is undefined (no decisions; replay or SNIPS with no weight on the logged actions).
    public func value(_ decisions: [LoggedDecision], indexes: [Int]? = nil) -> Double {
        var n = 0.0, numerator = 0.0, denominator = 0.0
        func add(_ d: LoggedDecision) {
            n += 1
            switch self {
            case .replay: numerator += d.targetProbability * d.reward; denominator += d.targetProbability
            case .ips: numerator += d.weight * d.reward
            case .snips: numerator += d.weight * d.reward; denominator += d.weight
            case .doublyRobust: numerator += d.targetRewardEstimate + d.weight * (d.reward - d.rewardEstimate)
            }
        }
        if let indexes { for i in indexes { add(decisions[i]) } } else { for d in decisions { add(d) } }
        guard n > 0 else { return .nan }
        switch self {
        case .ips, .doublyRobust: return numerator / n
        case .replay, .snips: return denominator > 0 ? numerator / denominator : .nan
        }
    }
}

/// An estimate with its bootstrap interval.
public struct OffPolicyEstimate: Sendable, Codable, Equatable {
    public var estimator: OffPolicyEstimator
    public var value: Double
    /// The bootstrap percentile interval at ``confidence``.
    public var lower: Double
    public var upper: Double
    public var confidence: Double
    public var bootstrapSamples: Int
}

/// What an off-policy evaluation found, besides the estimates: how far the target is from the
/// logging policy.
public struct OffPolicySummary: Sendable, Codable, Equatable {
    public var decisions: Int
    /// Decisions on which the target puts positive probability.
    public var supported: Int
    /// (Σw)² / Σw²: how many decisions the importance-weighted estimates are worth.
    public var effectiveSampleSize: Double
    public var largestWeight: Double
    /// The mean logged reward (the logging policy's own value, on-policy).
    public var loggedValue: Double
    public var estimates: [OffPolicyEstimate]
}

public enum OffPolicyEvaluation {
    /// Every estimator over `decisions`, each with a bootstrap percentile interval (`bootstrap`
    /// resamples, the same resamples for every estimator, drawn from `seed`).
    /// - Precondition: every propensity is in (0, 1] and every target probability in [0, 1]
    ///   (``LoggedFeedback`` checks the file's).
    public static func evaluate(_ decisions: [LoggedDecision], estimators: [OffPolicyEstimator] = OffPolicyEstimator.allCases,
                                bootstrap: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 1) -> OffPolicySummary {
        let n = decisions.count
        var resampled = [[Double]](repeating: [], count: estimators.count)
        if n > 0, bootstrap > 0 {
            var rng = SeededGenerator(seed: seed)
            var indexes = [Int](repeating: 0, count: n)
            for _ in 0..<bootstrap {
                for k in 0..<n { indexes[k] = Int.random(in: 0..<n, using: &rng) }
                for (e, estimator) in estimators.enumerated() {
                    let v = estimator.value(decisions, indexes: indexes)
                    if v.isFinite { resampled[e].append(v) }
                }
            }
        }
        let estimates = estimators.enumerated().map { e, estimator in
            let sorted = resampled[e].sorted()
            return OffPolicyEstimate(estimator: estimator, value: estimator.value(decisions),
                                     lower: quantile(sorted, (1 - confidence) / 2), upper: quantile(sorted, (1 + confidence) / 2),
                                     confidence: confidence, bootstrapSamples: sorted.count)
        }
        let weights = decisions.map(\.weight)
        let sum = weights.reduce(0, +), squares = weights.reduce(0) { $0 + $1 * $1 }
        return OffPolicySummary(decisions: n, supported: decisions.filter { $0.targetProbability > 0 }.count,
                                effectiveSampleSize: squares > 0 ? sum * sum / squares : 0, largestWeight: weights.max() ?? 0,
                                loggedValue: n > 0 ? decisions.reduce(0) { $0 + $1.reward } / Double(n) : .nan, estimates: estimates)
    }

    /// The `q` quantile of sorted values (linear interpolation between order statistics); NaN when empty.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
    }
}
