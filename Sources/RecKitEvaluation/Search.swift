import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// One candidate of a hyperparameter search and its validation score.
public struct SearchTrial: Sendable, Codable {
    /// The candidate's complete configuration.
    public var configuration: [String: FieldValue]
    /// Mean over folds of the validation metric (RMSE for rating, NDCG@k for ranking protocols).
    public var score: Double
}

extension Seeds.Stream {
    /// The evaluation's random streams: the negatives of leave-one-out test users, the validation
    /// splits a search carves from training data, their negatives, and a random search's sample.
    public static let testNegatives = Seeds.Stream(offset: 1)
    public static let validationSplit = Seeds.Stream(offset: 3)
    public static let validationNegatives = Seeds.Stream(offset: 5)
    public static let searchSample = Seeds.Stream(offset: 7)
}

extension Experiment {
    /// Grid (or random, when `samples` is set) search over `grid` — field names and the values to
    /// try, as text — with `fixed` settings, scored on validation splits carved from each fold's
    /// training data (`validationFraction` of its ratings, per user for ranking). The test data is
    /// never read. Returns the trials, best first.
    /// - Throws: ``EvaluationError/emptySearchGrid(model:)``, or ``ModelError`` for a field the
    ///   model lacks or a value out of range.
    public func search(_ spec: ModelSpec, grid: [String: [String]], fixed: [String: FieldValue] = [:], samples: Int? = nil,
                       validationFraction: Double = 0.1, data: EvaluationData,
                       progress: @escaping (ExperimentEvent) -> Void = { _ in }) throws -> [SearchTrial] {
        guard !grid.isEmpty, grid.values.allSatisfy({ !$0.isEmpty }) else { throw EvaluationError.emptySearchGrid(model: spec.name) }
        let names = grid.keys.sorted()
        var candidates: [[(name: String, value: String)]] = [[]]
        for name in names { candidates = candidates.flatMap { c in grid[name]!.map { c + [(name, $0)] } } }
        let seeds = Seeds(seed)
        if let samples, samples < candidates.count {
            var rng = seeds.generator(.searchSample)
            candidates.shuffle(using: &rng)
            candidates = Array(candidates.prefix(samples))
        }
        let base = fixed.map { (name: $0.key, value: $0.value.description) }
        // Every candidate checked before any is fitted.
        let configurations = try candidates.map { try spec.configuration(settings: base + $0) }
        // Validation folds: each training set split again; the test half of `makeFolds` is ignored.
        var trainOnly = self
        if case .single = data, protocolKind == .loo { trainOnly.protocolKind = .loo }
        let validation: [Fold] = try trainOnly.makeFolds(data, progress: progress).map { fold in
            let split = try validationSplit(fold.train, fraction: validationFraction)
            let test = AlignedTest(sameIndexSpace: split.test)
            let negatives = protocolKind == .loo ? try fold.train.sampleNegatives(count: self.negatives, seed: seeds(.validationNegatives), users: test.users) : nil
            return Fold(train: split.train, test: test, negatives: negatives)
        }
        var trials: [SearchTrial] = []
        for (index, (candidate, configuration)) in zip(candidates, configurations).enumerated() {
            var total = 0.0
            for fold in validation {
                var model = try spec.makeModel(configuration: configuration, side: side)
                try model.fit(fold.train, context: context, progress: nil)
                total += try validationScore(model, on: fold.test, negatives: fold.negatives)
            }
            let trial = SearchTrial(configuration: configuration, score: total / Double(validation.count))
            progress(.trial(model: spec.name, index: index + 1, of: candidates.count,
                            settings: candidate.map { "\($0.name)=\($0.value)" }.joined(separator: " "), score: trial.score,
                            metric: validationMetric))
            trials.append(trial)
        }
        let lowerIsBetter = protocolKind == .rating
        return trials.sorted { lowerIsBetter ? $0.score < $1.score : $0.score > $1.score }
    }
}

extension Experiment {
    /// The metric searches and tuning score on: RMSE for the rating protocol, NDCG@k otherwise.
    public var validationMetric: String { protocolKind == .rating ? "validation RMSE" : "validation NDCG@\(k)" }

    /// A training set split again for validation, as the protocol holds out its test data: a
    /// random `fraction` of the ratings (rating), of each user's ratings (topn), or each user's
    /// last interaction (loo).
    /// `index` > 0 carves the tuner's confirmation splits, with other seeds.
    func validationSplit(_ train: RatingDataset, fraction: Double, index: Int = 0) throws -> RatingSplit {
        let seed = index == 0 ? Seeds(self.seed)(.validationSplit) : Seeds(self.seed)(.tuningConfirmation, index)
        switch protocolKind {
        case .rating: return try train.randomHoldout(testFraction: fraction, seed: seed)
        case .topn: return try train.perUserHoldout(testFraction: fraction, seed: seed)
        case .loo: return train.leaveLastOut(seed: seed)
        }
    }

    /// A fitted model's score on a validation split of its training data: RMSE, or NDCG@k.
    func validationScore(_ model: any Recommender, on test: AlignedTest, negatives: [[Int32]]?) throws -> Double {
        switch protocolKind {
        case .rating: return try Evaluator.rating(model: model, test: test).rmse
        case .topn: return try Evaluator.topN(model: model, test: test, k: k, threshold: positiveThreshold, computeAUC: false, context: context).ndcg
        case .loo:
            let held = (0..<test.count).map { (test.users[$0], test.items[$0]) }
            return try Evaluator.leaveOneOut(model: model, heldOut: held, negatives: negatives ?? [], k: k).ndcg
        }
    }

    /// Runs `tuner` on one training set: the validation split is carved from `train` only.
    public func tune(_ tuner: Tuner, on train: RatingDataset, fold: Int = 1, folds: Int = 1,
                     progress: @escaping (ExperimentEvent) -> Void = { _ in }) throws -> TuningReport {
        var tuner = tuner
        tuner.seed = seed
        // Leave-one-out holds out each user's last interaction: every split would be the same one.
        if protocolKind == .loo { tuner.confirmation = .off }
        // Each split is the same for every trial on it: its aligned form and negatives are built once.
        var prepared: [Int: (test: AlignedTest, negatives: [[Int32]]?)] = [:]
        return try tuner.tune(train, split: { try validationSplit($0, fraction: tuner.validationFraction, index: $1) }, metric: validationMetric,
                              lowerIsBetter: protocolKind == .rating, context: context,
                              score: { model, index, validation in
                                  if prepared[index] == nil {
                                      let test = AlignedTest(sameIndexSpace: validation)
                                      let negatives = protocolKind == .loo
                                          ? try train.sampleNegatives(count: negatives, seed: Seeds(seed)(.validationNegatives, index), users: test.users) : nil
                                      prepared[index] = (test, negatives)
                                  }
                                  return try validationScore(model, on: prepared[index]!.test, negatives: prepared[index]!.negatives)
                              },
                              progress: { trial, report in progress(.tuning(model: tuner.spec.name, fold: fold, folds: folds, trial: trial, report: report)) })
    }
}
