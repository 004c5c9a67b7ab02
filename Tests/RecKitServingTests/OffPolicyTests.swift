import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels
import RecKitServing

/// Off-policy evaluation: the estimators against hand-computed values, their intervals' coverage on
/// synthetic logs whose target value is known, the log reader, and target probabilities that agree
/// with the propensities the server logs.
@Suite struct OffPolicyTests {
    /// Four decisions whose estimates were computed by hand:
    /// weights w = π/p = 2, 2, 0, 0.5.
    static let handmade = [
        LoggedDecision(reward: 1, propensity: 0.5, targetProbability: 1, rewardEstimate: 0.6, targetRewardEstimate: 0.7),
        LoggedDecision(reward: 0, propensity: 0.25, targetProbability: 0.5, rewardEstimate: 0.2, targetRewardEstimate: 0.4),
        LoggedDecision(reward: 1, propensity: 1, targetProbability: 0, rewardEstimate: 0.5, targetRewardEstimate: 0.3),
        LoggedDecision(reward: 0, propensity: 0.5, targetProbability: 0.25, rewardEstimate: 0.1, targetRewardEstimate: 0.2),
    ]

    @Test func estimatorsEqualTheirHandComputedValues() {
        let d = Self.handmade
        // IPS: (2·1 + 2·0 + 0·1 + 0.5·0) / 4
        #expect(abs(OffPolicyEstimator.ips.value(d) - 0.5) < 1e-12)
        // SNIPS: 2 / (2 + 2 + 0 + 0.5)
        #expect(abs(OffPolicyEstimator.snips.value(d) - 2 / 4.5) < 1e-12)
        // Replay: Σπr / Σπ = 1 / 1.75
        #expect(abs(OffPolicyEstimator.replay.value(d) - 1 / 1.75) < 1e-12)
        // DR: [0.7 + 2(1 − 0.6)] + [0.4 + 2(0 − 0.2)] + [0.3 + 0] + [0.2 + 0.5(0 − 0.1)] = 1.5 + 0 + 0.3 + 0.15, over 4
        #expect(abs(OffPolicyEstimator.doublyRobust.value(d) - 1.95 / 4) < 1e-12)
        // A resample that repeats the first decision twice and leaves out the third.
        #expect(abs(OffPolicyEstimator.ips.value(d, indexes: [0, 0, 1, 3]) - 4.0 / 4) < 1e-12)
        // Undefined estimates are NaN, not a number that looks right.
        #expect(OffPolicyEstimator.snips.value([d[2]]).isNaN && OffPolicyEstimator.ips.value([]).isNaN)
        let summary = OffPolicyEvaluation.evaluate(d, bootstrap: 200, seed: 3)
        #expect(summary.decisions == 4 && summary.supported == 3 && summary.largestWeight == 2)
        #expect(abs(summary.effectiveSampleSize - 4.5 * 4.5 / 8.25) < 1e-12)
        #expect(abs(summary.loggedValue - 0.5) < 1e-12)
        for e in summary.estimates { #expect(e.lower <= e.upper && e.bootstrapSamples > 0, "\(e)") }
    }

    @Test func identicalDecisionsGiveAZeroWidthInterval() {
        let d = [LoggedDecision](repeating: LoggedDecision(reward: 0.3, propensity: 0.5, targetProbability: 0.5, rewardEstimate: 0.3, targetRewardEstimate: 0.3), count: 50)
        for e in OffPolicyEvaluation.evaluate(d, bootstrap: 100).estimates {
            #expect(abs(e.value - 0.3) < 1e-12 && abs(e.lower - 0.3) < 1e-12 && abs(e.upper - 0.3) < 1e-12, "\(e)")
        }
    }

    /// A contextual bandit whose target value is known exactly: 20 contexts, 10 actions, click
    /// probabilities μ(x,a) in 0.05…0.6, a softmax logging policy and a different softmax target,
    /// 1 500 logged decisions per seed; the reward model of DR is μ plus noise (misspecified on
    /// purpose). Each estimator's 95 % bootstrap interval must cover the truth in at least 90 of
    /// 100 fixed seeds (the criterion; a correct 95 % interval misses it with probability < 0.03).
    @Test func intervalsCoverTheTrueValueOnSyntheticLogs() {
        let contexts = 20, actions = 10, n = 1500
        var covered: [OffPolicyEstimator: Int] = [:]
        for seed in 1...100 {
            var rng = SeededGenerator(seed: UInt64(seed))
            func softmax(_ logits: [Double]) -> [Double] {
                let m = logits.max()!, e = logits.map { exp($0 - m) }, s = e.reduce(0, +)
                return e.map { $0 / s }
            }
            let mu = (0..<contexts).map { _ in (0..<actions).map { _ in Double.random(in: 0.05...0.6, using: &rng) } }
            let logging = (0..<contexts).map { _ in softmax((0..<actions).map { _ in Double.random(in: -1...1, using: &rng) }) }
            let target = (0..<contexts).map { x in softmax((0..<actions).map { a in 3 * mu[x][a] + Double.random(in: -0.5...0.5, using: &rng) }) }
            let model = mu.map { $0.map { max(0, min(1, $0 + Double.random(in: -0.15...0.15, using: &rng))) } }
            let truth = (0..<contexts).reduce(0.0) { v, x in v + zip(target[x], mu[x]).reduce(0) { $0 + $1.0 * $1.1 } } / Double(contexts)
            var log: [LoggedDecision] = []
            for _ in 0..<n {
                let x = Int.random(in: 0..<contexts, using: &rng)
                var u = Double.random(in: 0..<1, using: &rng), a = actions - 1
                for k in 0..<actions { if u < logging[x][k] { a = k; break }; u -= logging[x][k] }
                let r: Double = Double.random(in: 0..<1, using: &rng) < mu[x][a] ? 1 : 0
                let expected = zip(target[x], model[x]).reduce(0) { $0 + $1.0 * $1.1 }
                log.append(LoggedDecision(reward: r, propensity: logging[x][a], targetProbability: target[x][a],
                                          rewardEstimate: model[x][a], targetRewardEstimate: expected))
            }
            let summary = OffPolicyEvaluation.evaluate(log, estimators: [.ips, .snips, .doublyRobust], bootstrap: 300, seed: UInt64(seed))
            for e in summary.estimates where e.lower <= truth && truth <= e.upper { covered[e.estimator, default: 0] += 1 }
        }
        for e in [OffPolicyEstimator.ips, .snips, .doublyRobust] {
            #expect((covered[e] ?? 0) >= 90, "\(e.rawValue) covered the truth in \(covered[e] ?? 0) of 100 seeds")
        }
    }

    @Test func theLogReaderReadsQuotedCSVAndRefusesBadRowsByLineAndColumn() throws {
        let text = "Request_ID,user,item,position,reward,propensity,extra\r\n\"r,1\",\"u \"\"1\"\"\",i1,1,1,0.5,x\r\nr2,u2,i2,2,0,1,\r\n\r\n"
        let log = try LoggedFeedback.parse(text)
        #expect(log.hasSlates && log.rows.count == 2)
        #expect(log.rows[0] == LoggedFeedback.Row(user: "u \"1\"", item: "i1", position: 1, reward: 1, propensity: 0.5, slate: "r,1", line: 2))
        #expect(log.rows[1].line == 3 && log.rows[1].position == 2)
        // Written and read back.
        #expect(try LoggedFeedback.parse(LoggedFeedback.csv(log.rows)).rows.map(\.user) == ["u \"1\"", "u2"])
        let header = "user,item,position,reward,propensity\n"
        let bad: [(String, String)] = [
            ("", "empty"),
            ("user,item,reward,propensity\nu,i,1,0.5\n", "no column 'position'"),
            (header + "u,i,1,1,0\n", "line 2: a propensity must be in (0, 1]"),
            (header + "u,i,1,1,1.5\n", "line 2: a propensity must be in (0, 1]"),
            (header + "u,i,1,1,0.5\nu,i,1,nan,0.5\n", "line 3: 'nan' is not a finite number"),
            (header + "u,i,0,1,0.5\n", "line 2: the position must be an integer ≥ 1"),
            (header + "u,i,1.5,1,0.5\n", "the position must be an integer"),
            (header + "u,i,1,1\n", "line 2: 4 fields where the header has 5"),
            (header + "\"u,i,1,1,0.5\n", "line 2: a quote is not closed"),
            (header + ",i,1,1,0.5\n", "empty id"),
            (header, "no rows"),
        ]
        for (text, message) in bad {
            #expect(throws: ServingError.self, "\(message)") { try LoggedFeedback.parse(text) }
            do { _ = try LoggedFeedback.parse(text) } catch { #expect("\(error)".contains(message), "\(error) should say \(message)") }
        }
        var renamed = LoggedFeedback.Columns()
        renamed.reward = "click"
        #expect(try LoggedFeedback.parse("user,item,position,click,propensity\nu,i,1,1,1\n", columns: renamed).rows[0].reward == 1)
    }

    /// Slates logged by the server with an exploring policy, evaluated for that same policy on the
    /// same model: the target's probability of every logged item is the logged propensity, so every
    /// weight is 1 and IPS and SNIPS equal the logged mean reward (replay too, for the deterministic
    /// greedy policy, whose target probabilities are all 1). Checks that the
    /// evaluator's per-position distribution is the one the policy draws from.
    @Test func evaluatingTheLoggingPolicyItselfGivesWeightsOfOne() throws {
        let (path, _) = try ServingTests.savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let service = try RecommendationService(modelPath: path, events: nil)
        let model = try ServingModel(path: path, context: .current)
        for policy in [Policy.epsilonGreedy(epsilon: 0.3), .softmax(temperature: 0.05), .greedy] {
            var rows: [LoggedFeedback.Row] = []
            var rng = SeededGenerator(seed: 9)
            for k in 0..<40 {
                let user = String(k * 7 % 300)
                let answer = try service.recommend(user: user, n: 4, policy: policy, seed: UInt64(k + 1))
                for item in answer.items {
                    rows.append(.init(user: user, item: item.item, position: item.position, reward: Double(Int.random(in: 0...1, using: &rng)),
                                      propensity: item.propensity, slate: answer.requestId, line: 0))
                }
            }
            let log = LoggedFeedback(rows: rows, hasSlates: true)
            let (decisions, skipped) = try LoggedPolicyEvaluator(model: model, policy: policy).decisions(log)
            #expect(skipped == .init() && decisions.count == 160)
            let worst = decisions.map { abs($0.weight - 1) }.max()!
            #expect(worst < 1e-6, "\(policy): largest |w − 1| = \(worst)")
            let mean = rows.reduce(0) { $0 + $1.reward } / Double(rows.count)
            for e in [OffPolicyEstimator.ips, .snips] + (policy == .greedy ? [.replay] : []) { #expect(abs(e.value(decisions) - mean) < 1e-6, "\(policy) \(e)") }
        }
        // A log naming a user the model does not know is reported, not dropped silently.
        let stranger = LoggedFeedback(rows: [.init(user: "nobody", item: "1", position: 1, reward: 1, propensity: 1, slate: nil, line: 2)], hasSlates: false)
        #expect(throws: ServingError.self) { try LoggedPolicyEvaluator(model: model, policy: .greedy).decisions(stranger) }
    }
}
