import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// One candidate of a hyperparameter search and its validation score.
public struct SearchTrial: Sendable, Codable {
    public var hyperparameters: [String: Double]
    /// Mean over folds of the validation metric (RMSE for rating, NDCG@k for ranking protocols).
    public var score: Double
}

extension Experiment {
    /// Grid (or random, when `samples` is set) search over `grid`, scored on validation splits
    /// carved from each fold's training data (`validationFraction` of its ratings, per user for
    /// ranking). The test data is never read. Returns the trials, best first.
    public func search(_ spec: ModelSpec, grid: [String: [Double]], fixed: [String: Double] = [:], samples: Int? = nil,
                       validationFraction: Double = 0.1, data: EvaluationData,
                       progress: @escaping (String) -> Void = { _ in }) throws -> [SearchTrial] {
        guard !grid.isEmpty, grid.values.allSatisfy({ !$0.isEmpty }) else { throw ModelError.invalidHyperparameter("the search grid is empty") }
        let names = grid.keys.sorted()
        var candidates: [[String: Double]] = [[:]]
        for name in names { candidates = candidates.flatMap { c in grid[name]!.map { var d = c; d[name] = $0; return d } } }
        if let samples, samples < candidates.count {
            var rng = SeededGenerator(seed: seed &+ 7)
            candidates.shuffle(using: &rng)
            candidates = Array(candidates.prefix(samples))
        }
        // Validation folds: each training set split again; the test half of `makeFolds` is ignored.
        var trainOnly = self
        if case .single = data, protocolKind == .loo { trainOnly.protocolKind = .loo }
        let validation: [Fold] = try trainOnly.makeFolds(data).map { fold in
            let split: RatingSplit
            switch protocolKind {
            case .rating: split = try fold.train.randomHoldout(testFraction: validationFraction, seed: seed &+ 3)
            case .topn: split = try fold.train.perUserHoldout(testFraction: validationFraction, seed: seed &+ 3)
            case .loo: split = fold.train.leaveLastOut(seed: seed &+ 3)
            }
            let test = AlignedTest(sameIndexSpace: split.test)
            let negatives = protocolKind == .loo ? try fold.train.sampleNegatives(count: self.negatives, seed: seed &+ 5, users: test.users) : nil
            return Fold(train: split.train, test: test, negatives: negatives)
        }
        var trials: [SearchTrial] = []
        for c in candidates {
            let values = fixed.merging(c) { _, new in new }
            var total = 0.0
            for fold in validation {
                var model = try spec.makeModel(values, side: side)
                try model.fit(fold.train, context: context, progress: nil)
                switch protocolKind {
                case .rating: total += try Evaluator.rating(model: model, test: fold.test).rmse
                case .topn: total += try Evaluator.topN(model: model, test: fold.test, k: k, threshold: positiveThreshold, computeAUC: false, context: context).ndcg
                case .loo:
                    let held = (0..<fold.test.count).map { (fold.test.users[$0], fold.test.items[$0]) }
                    total += try Evaluator.leaveOneOut(model: model, heldOut: held, negatives: fold.negatives ?? [], k: k).ndcg
                }
            }
            let trial = SearchTrial(hyperparameters: values, score: total / Double(validation.count))
            progress("  search \(spec.name) \(c.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")): "
                     + String(format: "%@ %.5f", protocolKind == .rating ? "validation RMSE" : "validation NDCG@\(k)", trial.score))
            trials.append(trial)
        }
        let lowerIsBetter = protocolKind == .rating
        return trials.sorted { lowerIsBetter ? $0.score < $1.score : $0.score > $1.score }
    }
}
