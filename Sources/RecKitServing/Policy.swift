import Foundation
import RecKitLinearAlgebra

/// How a slate of `n` items is chosen from a user's candidate scores: exploit what the model knows
/// (greedy) or explore. Every exploring policy reports, for each shown item and position, the
/// probability it had of putting that item there given the items above it (its propensity), so
/// that logged answers support off-policy evaluation:
///
/// - `greedy`: the top n. Deterministic (propensity 1).
/// - `epsilon-greedy:ε` (default ε 0.1): each position shows, with probability ε, a candidate drawn
///   uniformly from those not yet shown, else the best of them. Exact propensity
///   `ε/|R| + (1−ε)·[i is the best of R]` over the remaining candidates R.
/// - `softmax:τ` (default τ 0.1 of the score range): each position draws from the remaining
///   candidates with probability `exp(s_i/τ) / Σ_R exp(s_j/τ)`. Exact propensity.
/// - `ucb:β` (default β 1): the top n of `s_i + β·σ_i`, with `σ_i² = q_iᵀ Σ_u q_i` the variance of the
///   score under the user's posterior ``Uncertainty``. Deterministic given the posterior (propensity 1).
/// - `thompson:M` (default M 32): each position draws the user's factors from their posterior and
///   shows the best of the remaining candidates under that draw, so a position's distribution given
///   the items above it is ``positionDistribution(scores:shown:uncertainty:rows:rng:)``'s.
///   Propensities are estimated: the share of M further draws (shared by the positions) and the
///   position's own draw that pick the same item given the items above it.
public enum Policy: Sendable, Equatable, CustomStringConvertible {
    case greedy
    case epsilonGreedy(epsilon: Double)
    case softmax(temperature: Double?)
    case ucb(beta: Double)
    case thompson(samples: Int)

    /// Parses `NAME` or `NAME:PARAMETER` (`greedy`, `epsilon-greedy:0.1`, `softmax:0.5`, `ucb:1`, `thompson:32`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first?.lowercased() ?? ""
        let parameter = parts.count > 1 ? Double(parts[1]) : nil
        if parts.count > 1, parameter == nil || !parameter!.isFinite {
            throw ServingError.badRequest("policy", "'\(parts[1])' is not a number (write NAME:NUMBER, e.g. epsilon-greedy:0.1)")
        }
        switch name {
        case "greedy":
            self = .greedy
        case "epsilon-greedy", "egreedy":
            let e = parameter ?? 0.1
            guard (0...1).contains(e) else { throw ServingError.badRequest("policy", "ε must be in 0…1, got \(e)") }
            self = .epsilonGreedy(epsilon: e)
        case "softmax", "boltzmann":
            if let t = parameter, t <= 0 { throw ServingError.badRequest("policy", "the temperature must be > 0, got \(t)") }
            self = .softmax(temperature: parameter)
        case "ucb":
            let b = parameter ?? 1
            guard b >= 0 else { throw ServingError.badRequest("policy", "β must be ≥ 0, got \(b)") }
            self = .ucb(beta: b)
        case "thompson":
            let m = parameter ?? 32
            guard m >= 1, m <= 10_000, m == m.rounded() else { throw ServingError.badRequest("policy", "the samples must be an integer in 1…10000, got \(m)") }
            self = .thompson(samples: Int(m))
        default:
            throw ServingError.badRequest("policy", "unknown policy '\(text)'; the policies are greedy, epsilon-greedy[:ε], softmax[:τ], ucb[:β], thompson[:samples]")
        }
    }

    public var description: String {
        switch self {
        case .greedy: return "greedy"
        case .epsilonGreedy(let e): return "epsilon-greedy:\(e)"
        case .softmax(let t): return t.map { "softmax:\($0)" } ?? "softmax"
        case .ucb(let b): return "ucb:\(b)"
        case .thompson(let m): return "thompson:\(m)"
        }
    }

    /// How the propensities are obtained.
    public var propensityMethod: String {
        switch self {
        case .greedy, .ucb: return "deterministic"
        case .epsilonGreedy, .softmax: return "exact"
        case .thompson(let m): return "estimated from \(m + 1) posterior draws"
        }
    }

    /// Whether the policy needs the user's posterior.
    public var needsUncertainty: Bool {
        switch self { case .ucb, .thompson: return true; default: return false }
    }

    /// One chosen slate: candidate indexes (into the `scores` given), the model's scores and the
    /// propensities.
    public struct Slate: Sendable {
        public var candidates: [Int]
        public var scores: [Float]
        public var propensities: [Double]
    }

    /// Chooses `n` of the candidates. `scores[c]` is candidate `c`'s model score; `uncertainty`
    /// is required by `ucb` and `thompson` (candidate `c`'s row of the item factors is `rows[c]`).
    public func choose(n: Int, scores: [Float], uncertainty: Uncertainty?, rows: [Int], rng: inout SeededGenerator) -> Slate {
        let n = min(n, scores.count)
        guard n > 0 else { return Slate(candidates: [], scores: [], propensities: []) }
        switch self {
        case .greedy:
            let top = Self.top(n, of: scores)
            return Slate(candidates: top, scores: top.map { scores[$0] }, propensities: top.map { _ in 1 })
        case .epsilonGreedy(let epsilon):
            var remaining = Array(scores.indices), chosen: [Int] = [], props: [Double] = []
            for _ in 0..<n {
                let best = remaining.indices.max { scores[remaining[$0]] < scores[remaining[$1]] }!
                let pick = Double.random(in: 0..<1, using: &rng) < epsilon ? Int.random(in: 0..<remaining.count, using: &rng) : best
                props.append(epsilon / Double(remaining.count) + (pick == best ? 1 - epsilon : 0))
                chosen.append(remaining[pick])
                remaining.swapAt(pick, remaining.count - 1)
                remaining.removeLast()
            }
            return Slate(candidates: chosen, scores: chosen.map { scores[$0] }, propensities: props)
        case .softmax(let temperature):
            let lo = scores.min()!, hi = scores.max()!
            let tau = temperature ?? max(Double(hi - lo) * 0.1, 1e-6)
            var weights = scores.map { exp(Double($0 - hi) / tau) }
            var chosen: [Int] = [], props: [Double] = []
            for _ in 0..<n {
                let total = weights.reduce(0, +)
                var u = Double.random(in: 0..<1, using: &rng) * total, pick = weights.count - 1
                for (c, w) in weights.enumerated() where w > 0 {
                    if u < w { pick = c; break }
                    u -= w
                }
                if weights[pick] == 0 { pick = weights.indices.max { weights[$0] < weights[$1] }! }
                props.append(weights[pick] / total)
                chosen.append(pick)
                weights[pick] = 0
            }
            return Slate(candidates: chosen, scores: chosen.map { scores[$0] }, propensities: props)
        case .ucb(let beta):
            let u = uncertainty!
            let bonus = u.standardDeviations(rows: rows)
            let upper = scores.indices.map { scores[$0] + Float(beta * bonus[$0]) }
            let top = Self.top(n, of: upper)
            return Slate(candidates: top, scores: top.map { scores[$0] }, propensities: top.map { _ in 1 })
        case .thompson(let samples):
            // One posterior draw per position: position k shows the best candidate not above it
            // under its own draw. Its propensity is the share of that draw and `samples` further
            // draws (shared by all positions) that pick the same candidate given the ones above.
            // Given the ones above, a draw's pick is among its n best, so each draw's top n is
            // all that is kept.
            let draws = uncertainty!.sampledScores(rows: rows, base: scores, count: n + samples, rng: &rng)
            let tops = draws.map { Self.top(n, of: $0) }
            var shown: [Int] = [], props: [Double] = [], taken = Set<Int>()
            for position in 0..<n {
                let pick = tops[position].first { !taken.contains($0) }!
                let same = tops[n...].filter { top in top.first { !taken.contains($0) } == pick }.count
                shown.append(pick)
                props.append(Double(1 + same) / Double(samples + 1))
                taken.insert(pick)
            }
            return Slate(candidates: shown, scores: shown.map { scores[$0] }, propensities: props)
        }
    }

    /// The probability of each candidate being shown at the next position when the candidates in
    /// `shown` are already above it: the distribution ``choose(n:scores:uncertainty:rows:rng:)``
    /// draws each position from (0 for the shown ones). Exact for greedy, ε-greedy, softmax and UCB;
    /// for Thompson sampling estimated from `max(M, 32)` posterior draws — an unbiased estimate, so
    /// IPS and DR stay unbiased with it. Used to evaluate a policy off-line on feedback another
    /// policy logged.
    public func positionDistribution(scores: [Float], shown: Set<Int>, uncertainty: Uncertainty?, rows: [Int],
                                     rng: inout SeededGenerator) -> [Double] {
        var p = [Double](repeating: 0, count: scores.count)
        let remaining = scores.indices.filter { !shown.contains($0) }
        guard !remaining.isEmpty else { return p }
        func best(_ values: [Float]) -> Int {
            remaining.max { values[$0] < values[$1] || values[$0] == values[$1] && $0 > $1 }!
        }
        switch self {
        case .greedy:
            p[best(scores)] = 1
        case .epsilonGreedy(let epsilon):
            for c in remaining { p[c] = epsilon / Double(remaining.count) }
            p[best(scores)] += 1 - epsilon
        case .softmax(let temperature):
            let lo = scores.min()!, hi = scores.max()!
            let tau = temperature ?? max(Double(hi - lo) * 0.1, 1e-6)
            var total = 0.0
            for c in remaining { p[c] = exp(Double(scores[c] - hi) / tau); total += p[c] }
            if total > 0 { for c in remaining { p[c] /= total } } else { p[best(scores)] = 1 }
        case .ucb(let beta):
            let bonus = uncertainty!.standardDeviations(rows: rows)
            p[best(scores.indices.map { scores[$0] + Float(beta * bonus[$0]) })] = 1
        case .thompson(let samples):
            let draws = max(samples, 32)
            for values in uncertainty!.sampledScores(rows: rows, base: scores, count: draws, rng: &rng) { p[best(values)] += 1 / Double(draws) }
        }
        return p
    }

    /// Indexes of the `n` largest values, largest first (ties: lower index first).
    static func top(_ n: Int, of values: [Float]) -> [Int] {
        if n * 8 >= values.count {
            return Array(values.indices.sorted { values[$0] > values[$1] || values[$0] == values[$1] && $0 < $1 }.prefix(n))
        }
        var heap: [(Float, Int)] = []   // the n best so far; the worst at the end after sorting
        heap.reserveCapacity(n + 1)
        for (i, v) in values.enumerated() {
            if heap.count < n {
                heap.append((v, i))
                if heap.count == n { heap.sort { $0.0 > $1.0 || $0.0 == $1.0 && $0.1 < $1.1 } }
            } else if v > heap[n - 1].0 {
                var k = n - 1
                while k > 0 && (heap[k - 1].0 < v) { k -= 1 }
                heap.insert((v, i), at: k)
                heap.removeLast()
            }
        }
        if heap.count < n { heap.sort { $0.0 > $1.0 || $0.0 == $1.0 && $0.1 < $1.1 } }
        return heap.map(\.1)
    }
}
