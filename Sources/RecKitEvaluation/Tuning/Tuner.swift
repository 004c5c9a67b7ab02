import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

extension Seeds.Stream {
    /// The configurations a tuning bracket samples.
    public static let tuningSample = Seeds.Stream(offset: 13, stride: 104_729)
    /// The confirmation splits (index 1, 2, …; index 0 is the validation split).
    public static let tuningConfirmation = Seeds.Stream(offset: 17, stride: 7_919)
}

/// Budgeted hyperparameter tuning: Hyperband (Li et al. 2018) — brackets of successive halving
/// over random configurations drawn from the model's declared ranges (log-uniform where the range
/// says so) — scored on a validation split carved from the training set it is given. It never sees
/// any other data.
///
/// Each bracket starts `n` configurations at a short training length (the resource field, epochs,
/// at `R/ηˢ` of its configured value `R`), keeps the best `1/η` and runs them `η` times longer, up
/// to `R`; brackets with fewer, longer-trained configurations follow in turn, until the budget is
/// spent. Trial 1 is the base configuration at `R`, so tuning never chooses worse on validation
/// than the defaults. The chosen configuration is the best trial's, with its training length — a
/// configuration that peaked at a lower rung keeps that rung's length (early stopping at rung
/// granularity).
///
/// **Confirmation** (the guard against the winner's curse): the best of thousands of trials on one
/// validation split is partly the split's noise. When the budget allows, a quarter of it is kept
/// for the finalists — the best ``Confirmation/finalists`` distinct configurations, trial 1
/// always among them — which are fitted again on ``Confirmation/splits`` further validation
/// splits carved the same way from the same training set (other seeds), or on more, up to
/// ``Confirmation/maximumSplits``, when the reserve holds every finalist on them (a fast model's
/// choice is then judged on more data). The choice is the best
/// mean score on those splits: the validation split's scores chose the finalists, so they are
/// biased in the finalists' favour and are left out of the comparison.
public struct Tuner: Sendable {
    /// How many finalists are re-scored on how many further splits (``Tuner``).
    public struct Confirmation: Sendable, Equatable {
        public var finalists: Int
        /// The fewest further splits.
        public var splits: Int
        /// The most further splits, used when the reserve holds all the finalists on them.
        public var maximumSplits: Int
        public init(finalists: Int, splits: Int, maximumSplits: Int? = nil) {
            self.finalists = finalists
            self.splits = splits
            self.maximumSplits = Swift.max(splits, maximumSplits ?? splits)
        }
        /// No confirmation: the best trial on the validation split is chosen.
        public static let off = Confirmation(finalists: 0, splits: 0)
    }

    public let spec: ModelSpec
    public let budget: TuningBudget
    public let space: TuningSpace
    /// The configuration trials start from (defaults plus the user's fixed settings), complete.
    public let base: [String: FieldValue]
    public var validationFraction = 0.1
    /// Successive halving's reduction factor.
    public var eta = 3
    /// Five finalists on two to six further splits (as many as a quarter of the budget holds for
    /// all five); fewer finalists when it holds fewer on two splits, none when it holds fewer than two.
    public var confirmation = Confirmation(finalists: 5, splits: 2, maximumSplits: 6)
    /// The share of the budget kept for confirmation.
    public static let confirmationShare = 0.25
    public var seed: UInt64 = 0

    /// Fewest validation ratings a tuning split must hold.
    public static let minimumValidationRatings = 20

    /// - Parameters:
    ///   - ranges: replacements for the model's declared ranges, by field (`--tune-range`); a field
    ///     given here is searched even when `base` sets it.
    ///   - base: settings over the defaults (the user's `--factors 64`, …): those fields are fixed,
    ///     not searched. Every searched field's base value must lie in its range.
    /// - Throws: ``EvaluationError/invalidOption(option:value:requirement:)`` for a model without
    ///   declared ranges, a range that excludes the base value, or a field the model lacks.
    public init(spec: ModelSpec, budget: TuningBudget, ranges: [String: TuningSpace.Range] = [:],
                base: [String: FieldValue] = [:], seed: UInt64 = 0) throws {
        guard !spec.tuning.isEmpty else {
            let tunable = ModelRegistry.all.filter { !$0.tuning.isEmpty }.map(\.name)
            throw EvaluationError.invalidOption(option: "tune", value: spec.name,
                                                requirement: "a model that declares search ranges (\(tunable.joined(separator: ", ")))")
        }
        let positive: Bool
        switch budget {
        case let .seconds(s): positive = s > 0 && s.isFinite
        case let .trials(n): positive = n > 0
        }
        guard positive else { throw EvaluationError.invalidOption(option: "tune", value: budget.description, requirement: "a budget greater than zero") }
        var space = spec.tuning
        space.ranges.removeAll { base[$0.name] != nil && ranges[$0.name] == nil }
        for (name, range) in ranges.sorted(by: { $0.key < $1.key }) {
            guard spec.field(named: name) != nil else {
                throw EvaluationError.invalidOption(option: "tune-range", value: name, requirement: "a setting of \(spec.name) (\(spec.fields.map(\.name).joined(separator: ", ")))")
            }
            if let k = space.ranges.firstIndex(where: { $0.name == name }) { space.ranges[k].range = range } else { space.ranges.append((name, range)) }
        }
        let complete = try spec.configuration(settings: base.map { ($0.key, $0.value.description) })
        for (name, range) in space.ranges {
            let value = complete[name] ?? .none
            guard range.contains(value) else {
                throw EvaluationError.invalidOption(
                    option: "tune-range", value: "\(name)=\(range)",
                    requirement: "a range that contains the base value \(value) of \(name) (trial 1 is the base configuration; widen the range or set --\(name) inside it)")
            }
        }
        self.spec = spec
        self.budget = budget
        self.space = space
        self.base = complete
        self.seed = seed
    }

    /// Tunes on `train` alone: carves the validation split from it, runs the trials, returns what
    /// was chosen. `split(train, k)` carves split `k` (0: the validation split; 1, 2, …: the
    /// confirmation splits). `score(model, k, validation)` scores a model fitted on split `k`'s
    /// training part on its validation part (lower is better when `lowerIsBetter`).
    /// - Throws: ``EvaluationError/tooSmallToTune(ratings:needed:)`` when the split would hold
    ///   fewer than ``minimumValidationRatings``; ``EvaluationError`` when every trial fails.
    public func tune(_ train: RatingDataset, split: (RatingDataset, Int) throws -> RatingSplit, metric: String, lowerIsBetter: Bool,
                     context: ExecutionContext, score: (any Recommender, Int, RatingDataset) throws -> Double,
                     progress: (TuningTrial, TuningReport) -> Void = { _, _ in }) throws -> TuningReport {
        let needed = Int((Double(Self.minimumValidationRatings) / validationFraction).rounded(.up))
        guard Double(train.ratingCount) * validationFraction >= Double(Self.minimumValidationRatings) else {
            throw EvaluationError.tooSmallToTune(ratings: train.ratingCount, needed: needed)
        }
        let parts = try split(train, 0)
        let clock = ContinuousClock(), start = clock.now
        var report = TuningReport(model: spec.name, budget: budget, metric: metric, lowerIsBetter: lowerIsBetter, resourceField: space.resource,
                                  validationFraction: validationFraction, fitRatings: parts.train.ratingCount,
                                  validationRatings: parts.test.ratingCount, seed: seed, trials: [], configuration: base,
                                  score: lowerIsBetter ? .infinity : -.infinity, seconds: 0)
        func better(_ a: Double, _ b: Double) -> Bool { lowerIsBetter ? a < b : a > b }
        let full: Int? = space.resource.flatMap { if case let .integer(n)? = base[$0] { return n } else { return nil } }
        var fullSeconds: Double?   // the base configuration's time at the full length: the cost model
        var reserved = 0.0         // seconds or trials kept for confirmation
        /// Fits `settings` on split `k` and scores it; recorded as a trial.
        func fit(_ settings: [String: FieldValue], resource: Int?, bracket: Int, rung: Int, split k: Int, on parts: RatingSplit) -> Double? {
            var values = base.merging(settings) { $1 }
            if let name = space.resource, let resource { values[name] = .integer(resource) }
            let t0 = clock.now
            var result = TuningTrial(index: report.trials.count + 1, bracket: bracket, rung: rung, settings: settings, resource: resource,
                                     score: nil, error: nil, seconds: 0, split: k == 0 ? nil : k)
            do {
                var model = try spec.makeModel(configuration: values)
                try model.fit(parts.train, context: context, progress: nil)
                let s = try score(model, k, parts.test)
                result.score = s.isFinite ? s : nil
                if !s.isFinite { result.error = "the validation score is \(s)" }
            } catch {
                result.error = "\(error)"
            }
            result.seconds = (clock.now - t0).seconds
            report.trials.append(result)
            if k == 0, let s = result.score, better(s, report.score) {
                report.score = s
                report.configuration = values
                report.chosenTrial = result.index
            }
            report.seconds = (clock.now - start).seconds
            progress(result, report)
            return result.score
        }
        /// Runs one search trial on the validation split, unless the budget (less what is kept
        /// for confirmation) does not allow it.
        func trial(_ settings: [String: FieldValue], resource: Int?, bracket: Int, rung: Int) -> TrialOutcome {
            let elapsed = (clock.now - start).seconds
            switch budget {
            case let .trials(n): if Double(report.trials.count) >= Double(n) - reserved { return .outOfBudget }
            case let .seconds(s):
                let estimate = (fullSeconds ?? 0) * Double(resource ?? 1) / Double(full ?? 1)
                if report.trials.count > 0, elapsed + estimate > s - reserved { return .outOfBudget }
            }
            return .ran(score: fit(settings, resource: resource, bracket: bracket, rung: rung, split: 0, on: parts))
        }
        // Trial 1: the base configuration at full length.
        guard case .ran = trial([:], resource: full, bracket: 0, rung: 0) else { return report }
        fullSeconds = report.trials[0].seconds
        // What a quarter of the budget holds: finalists × splits fits at full length at most.
        let (finalists, splits): (Int, Int) = {
            guard confirmation.splits > 0, confirmation.finalists >= 2 else { return (0, 0) }
            /// How many full-length fits on each of `splits` splits the quarter holds.
            func holds(_ splits: Int) -> Double {
                switch budget {
                case let .trials(n): Double(n) * Self.confirmationShare / Double(splits)
                case let .seconds(s): s * Self.confirmationShare / (Double(splits) * Swift.max(fullSeconds ?? 0, 1e-6))
                }
            }
            let n = Swift.min(confirmation.finalists, Int(holds(confirmation.splits).rounded(.down)))
            guard n >= 2 else { return (0, 0) }
            var k = confirmation.splits
            while k < confirmation.maximumSplits, holds(k + 1) >= Double(n) { k += 1 }
            return (n, k)
        }()
        switch budget {
        case .trials: reserved = Double(finalists * splits)
        case .seconds: reserved = Double(finalists * splits) * (fullSeconds ?? 0)
        }
        let sMax = full.map { Swift.min(3, Int((Foundation.log(Double($0)) / Foundation.log(Double(eta))).rounded(.down))) } ?? 0
        var bracket = 0
        run: while true {
            let s = sMax - bracket % (sMax + 1)
            let n = Int((Double(sMax + 1) / Double(s + 1) * Foundation.pow(Double(eta), Double(s))).rounded(.up))
            var rng = Seeds(seed).generator(.tuningSample, bracket)
            var candidates = (0..<n).map { _ in sample(using: &rng) }
            for rung in 0...s {
                let resource = full.map { Swift.max(1, Int((Double($0) / Foundation.pow(Double(eta), Double(s - rung))).rounded())) }
                var scored: [(settings: [String: FieldValue], score: Double)] = []
                for candidate in candidates {
                    guard case let .ran(score) = trial(candidate, resource: resource, bracket: bracket, rung: rung) else { break run }
                    if let score { scored.append((candidate, score)) }
                }
                scored.sort { better($0.score, $1.score) }
                candidates = scored.prefix(Swift.max(1, candidates.count / eta)).map(\.settings)
                if candidates.isEmpty { break }
            }
            bracket += 1
        }
        /// The confirmation stage: the best `count` distinct configurations (trial 1 among them) fitted
        /// on each confirmation split; the best mean there becomes the choice.
        func confirm(_ count: Int) throws {
            var seen = Set<String>(), ranked: [TuningTrial] = []
            for t in report.trials.filter({ $0.score != nil }).sorted(by: { better($0.score!, $1.score!) || ($0.score! == $1.score! && $0.index < $1.index) }) {
                if seen.insert("\(t.settings.sorted { $0.key < $1.key }) \(t.resource ?? 0)").inserted { ranked.append(t) }
            }
            var chosen = Array(ranked.prefix(count))
            if let first = report.trials.first, first.score != nil, !chosen.contains(where: { $0.index == first.index }) {
                chosen[chosen.count - 1] = first   // the defaults always compete
            }
            let further = try (1...splits).map { try split(train, $0) }
            var best: (trial: TuningTrial, mean: Double)?
            for finalist in chosen {
                var scores: [Double] = []
                for (k, parts) in zip(1..., further) {
                    guard let s = fit(finalist.settings, resource: finalist.resource, bracket: -1, rung: 0, split: k, on: parts) else { break }
                    scores.append(s)
                }
                guard scores.count == further.count else { continue }   // a fit failed: not a candidate
                let mean = scores.reduce(0, +) / Double(scores.count)
                if best == nil || better(mean, best!.mean) { best = (finalist, mean) }
            }
            guard let best else { return }
            var values = base.merging(best.trial.settings) { $1 }
            if let name = space.resource, let resource = best.trial.resource { values[name] = .integer(resource) }
            report.configuration = values
            report.score = best.mean
            report.chosenTrial = best.trial.index
            report.confirmationSplits = further.count
        }
        guard report.score.isFinite else {
            throw EvaluationError.tuningFailed(model: spec.name, trials: report.trials.count, firstError: report.trials.first?.error ?? "no trial ran")
        }
        if finalists >= 2 { try confirm(finalists) }
        return report
    }

    /// What asking for one more trial gave: its score (nil when the fit failed), or no trial.
    enum TrialOutcome {
        case ran(score: Double?)
        case outOfBudget
    }

    /// A configuration drawn from the ranges: uniform, or log-uniform for logarithmic ranges.
    func sample(using rng: inout SeededGenerator) -> [String: FieldValue] {
        var settings: [String: FieldValue] = [:]
        for (name, range) in space.ranges {
            switch range {
            case let .integer(r, scale):
                let x = draw(Double(r.lowerBound), Double(r.upperBound) + (scale == .linear ? 0.999 : 0), scale, &rng)
                settings[name] = .integer(Swift.min(r.upperBound, Swift.max(r.lowerBound, Int(scale == .linear ? x.rounded(.down) : x.rounded()))))
            case let .real(r, scale):
                settings[name] = .real(draw(r.lowerBound, r.upperBound, scale, &rng))
            case let .choice(options):
                let pick = options[Int.random(in: 0..<options.count, using: &rng)]
                if case .flag? = base[name] { settings[name] = .flag(pick == "true") } else { settings[name] = .choice(pick) }
            }
        }
        return settings
    }

    private func draw(_ lo: Double, _ hi: Double, _ scale: FieldScale, _ rng: inout SeededGenerator) -> Double {
        guard hi > lo else { return lo }
        let u = Double.random(in: 0..<1, using: &rng)
        switch scale {
        case .linear: return lo + u * (hi - lo)
        case .logarithmic: return Foundation.exp(Foundation.log(lo) + u * (Foundation.log(hi) - Foundation.log(lo)))
        }
    }
}
