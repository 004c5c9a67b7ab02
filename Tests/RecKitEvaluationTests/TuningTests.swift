import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// `--tune`: the tuner reads only the training data it is given, a trial budget is reproducible,
/// Hyperband's rungs and the choice follow their definition; budgets, ranges and small training
/// sets are refused clearly.
@Suite struct TuningTests {
    static let spec = try! ModelRegistry.spec(named: "biased-mf")
    /// A small base so that trials are quick: rungs of 1, 3 and 9 epochs.
    static let base: [String: FieldValue] = ["factors": .integer(8), "epochs": .integer(9)]

    static func data(seed: UInt64 = 4) throws -> RatingDataset {
        try SyntheticRatings(users: 200, items: 100, ratings: 8_000, seed: seed).generate(threads: 1)
    }

    /// A trial without its wall time.
    static func outcome(_ trials: [TuningTrial]) -> [String] { trials.map { "\($0.index) \($0.rung) \($0.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) \($0.resource ?? 0) \($0.score ?? .nan)" } }

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-tuning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theTunerSeesOnlyTheTrainingFile() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let split = try Self.data().randomHoldout(testFraction: 0.2, seed: 1)
        let train = dir.appendingPathComponent("train.csv").path, testA = dir.appendingPathComponent("a.csv").path
        let testB = dir.appendingPathComponent("b.csv").path
        try split.train.writeCSV(to: train)
        try split.test.writeCSV(to: testA)
        // A second test file with other ratings for the same pairs: a tuner that read it would choose differently.
        let other = RatingDataset(ratings: try CSRMatrix(rows: split.test.ratings.rows, columns: split.test.ratings.columns,
                                                             rowOffsets: split.test.ratings.rowOffsets, columnIndices: split.test.ratings.columnIndices,
                                                             values: split.test.ratings.values.map { 6 - $0 }),
                                  userIDs: split.test.userIDs, itemIDs: split.test.itemIDs)
        try other.writeCSV(to: testB)
        let tuner = try Tuner(spec: Self.spec, budget: .trials(12), base: Self.base)
        let experiment = Experiment()
        let a = try experiment.run(Self.spec, configuration: Self.base, data: .files([(train, testA)]), tuner: tuner)
        let b = try experiment.run(Self.spec, configuration: Self.base, data: .files([(train, testB)]), tuner: tuner)
        let ra = try #require(a.folds[0].tuning), rb = try #require(b.folds[0].tuning)
        #expect(Self.outcome(ra.trials) == Self.outcome(rb.trials) && ra.configuration == rb.configuration, "the test file changed the tuning")
        #expect(a.folds[0].rating!.rmse != b.folds[0].rating!.rmse, "the two test files must differ")
        // Its fit and validation ratings are the training file's, split: nothing else.
        #expect(ra.fitRatings + ra.validationRatings == split.train.ratingCount)
        #expect(ra.validationRatings == Int((Double(split.train.ratingCount) * 0.1).rounded()))
        // And tuning on the training set alone, through the library, gives the same run.
        let direct = try experiment.tune(tuner, on: try RatingDataset.load(path: train))
        #expect(Self.outcome(direct.trials) == Self.outcome(ra.trials))
    }

    @Test func aTrialBudgetIsReproducibleAndFollowsHyperband() throws {
        let train = try Self.data()
        var tuner = try Tuner(spec: Self.spec, budget: .trials(20), base: Self.base)
        tuner.confirmation = .off   // Hyperband alone; confirmation has its own test
        var seen: [TuningTrial] = []
        let report = try Experiment().tune(tuner, on: train) { event in
            if case let .tuning(_, _, _, trial, _) = event { seen.append(trial) }
        }
        #expect(report.trials.count == 20 && seen == report.trials)
        // Trial 1 is the base configuration at full length; then bracket 1 (s = 2): 9 configurations at
        // 1 epoch, the best 3 at 3 epochs, the best at 9; then bracket 2 (s = 1) starts at 3 epochs.
        #expect(report.trials[0].settings.isEmpty && report.trials[0].resource == 9)
        #expect(report.trials[1...9].allSatisfy { $0.resource == 1 && $0.rung == 0 && $0.bracket == 0 })
        #expect(report.trials[10...12].allSatisfy { $0.resource == 3 && $0.rung == 1 })
        #expect(report.trials[13].resource == 9 && report.trials[13].rung == 2)
        #expect(report.trials[14...18].allSatisfy { $0.bracket == 1 && $0.resource == 3 } && report.trials[19].resource == 9)
        // The promoted three are the best three of the first rung.
        let rung0 = report.trials[1...9].filter { $0.score != nil }.sorted { $0.score! < $1.score! }.prefix(3).map(\.settings)
        #expect(Set(rung0.map { "\($0)" }) == Set(report.trials[10...12].map { "\($0.settings)" }))
        // Every sampled value lies in its declared range, log-uniform ranges included.
        // `factors` is set in the base, so it is fixed, not searched.
        let searched = Self.spec.tuning.ranges.filter { $0.name != "factors" }
        for trial in report.trials.dropFirst() {
            #expect(Set(trial.settings.keys) == Set(searched.map(\.name)))
            for (name, range) in searched { #expect(trial.settings[name].map(range.contains) == true, "\(name) = \(String(describing: trial.settings[name]))") }
        }
        // The choice is the best trial's configuration with its length.
        let best = report.trials.filter { $0.score != nil }.min { $0.score! < $1.score! }!
        #expect(report.score == best.score!)
        #expect(report.configuration["epochs"] == .integer(best.resource!))
        for (name, value) in best.settings { #expect(report.configuration[name] == value) }
        // The same seed and budget repeat the run exactly.
        let again = try Experiment().tune(tuner, on: train)
        #expect(again.trials.map(\.settings) == report.trials.map(\.settings) && again.trials.map(\.score) == report.trials.map(\.score))
    }

    /// The winner's-curse guard: a quarter of a 40-trial budget re-scores the five best distinct
    /// configurations (the defaults among them) on two further splits, and the best mean there wins.
    @Test func finalistsAreConfirmedOnFurtherSplits() throws {
        let train = try Self.data()
        let tuner = try Tuner(spec: Self.spec, budget: .trials(40), base: Self.base)
        let report = try Experiment().tune(tuner, on: train)
        #expect(report.trials.count == 40 && report.confirmationSplits == 2)
        let search = Array(report.trials[0..<30]), confirming = Array(report.trials[30...])
        #expect(search.allSatisfy { $0.split == nil } && confirming.allSatisfy { $0.split != nil && $0.bracket == -1 })
        // The finalists: the five best distinct (settings, length) on the validation split, trial 1 forced in.
        func key(_ t: TuningTrial) -> String { "\(t.settings.sorted { $0.key < $1.key }) \(t.resource ?? 0)" }
        var order: [String] = []
        for t in search.filter({ $0.score != nil }).sorted(by: { $0.score! < $1.score! || ($0.score! == $1.score! && $0.index < $1.index) }) where !order.contains(key(t)) { order.append(key(t)) }
        var expected = Array(order.prefix(5))
        if !expected.contains(key(search[0])) { expected[4] = key(search[0]) }
        #expect(confirming.map(key) == expected.flatMap { [$0, $0] })
        #expect(confirming.map(\.split) == Array(repeating: [1, 2], count: 5).flatMap { $0 })
        // The splits are new data: trial 1's configuration scores differently on each.
        #expect(Set([search[0].score!] + confirming.filter { key($0) == key(search[0]) }.map(\.score!)).count == 3)
        // The choice is the best mean on the confirmation splits, and the report says so.
        let means = stride(from: 0, to: 10, by: 2).map { (key(confirming[$0]), (confirming[$0].score! + confirming[$0 + 1].score!) / 2) }
        let best = means.min { $0.1 < $1.1 }!
        #expect(abs(report.score - best.1) < 1e-12)
        let chosen = try #require(report.trials.first { $0.index == report.chosenTrial })
        #expect(key(chosen) == best.0 && chosen.split == nil)
        for (name, value) in chosen.settings { #expect(report.configuration[name] == value) }
        #expect(report.summary.contains("mean of 2 confirmation splits"), "\(report.summary)")
    }

    /// A larger reserve confirms the same five finalists on more splits: a 200-trial budget keeps
    /// 50 fits, enough for five finalists on six splits (the most), so 30 confirming trials.
    @Test func aLargerReserveConfirmsOnMoreSplits() throws {
        let train = try Self.data()
        let tuner = try Tuner(spec: Self.spec, budget: .trials(200), base: Self.base)
        let report = try Experiment().tune(tuner, on: train)
        #expect(report.trials.count == 200 && report.confirmationSplits == 6)
        let confirming = report.trials.filter { $0.split != nil }
        #expect(confirming.count == 30 && confirming.map(\.split) == Array(repeating: Array(1...6), count: 5).flatMap { $0 })
        #expect(report.summary.contains("mean of 6 confirmation splits"), "\(report.summary)")
        // Asking for at most two keeps two.
        var two = tuner
        two.confirmation = Tuner.Confirmation(finalists: 5, splits: 2)
        #expect(try Experiment().tune(two, on: train).confirmationSplits == 2)
    }

    @Test func badBudgetsRangesAndDataAreRefused() throws {
        for text in ["0", "-3", "0s", "-1m", "abc", "5x", ""] {
            #expect(throws: EvaluationError.self, "\(text)") { try TuningBudget.parse(text) }
        }
        #expect(try TuningBudget.parse("90s") == .seconds(90) && TuningBudget.parse("2m") == .seconds(120) && TuningBudget.parse("40") == .trials(40))
        #expect(throws: EvaluationError.self) { try Tuner(spec: Self.spec, budget: .trials(0)) }
        #expect(throws: EvaluationError.self) { try Tuner(spec: Self.spec, budget: .seconds(-1)) }
        // A range that excludes the base value (the default learning rate 0.005).
        do {
            _ = try Tuner(spec: Self.spec, budget: .trials(5), ranges: ["learning-rate": .real(0.01...0.1, .logarithmic)])
            Issue.record("a range without the default was accepted")
        } catch let e as EvaluationError {
            #expect("\(e)".contains("learning-rate") && "\(e)".contains("0.005"), "\(e)")
        }
        // A model that declares no ranges.
        #expect(throws: EvaluationError.self) { try Tuner(spec: try ModelRegistry.spec(named: "global-mean"), budget: .trials(5)) }
        // A training set too small to carve a validation split from.
        let tiny = try SyntheticRatings(users: 20, items: 20, ratings: 60, seed: 1).generate(threads: 1)
        do {
            _ = try Experiment().tune(try Tuner(spec: Self.spec, budget: .trials(5), base: Self.base), on: tiny)
            Issue.record("a 60-rating training set was tuned")
        } catch let e as EvaluationError {
            #expect(e == .tooSmallToTune(ratings: 60, needed: 200), "\(e)")
        }
    }
}
