import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Which protocol an experiment runs.
public enum EvaluationProtocol: String, Sendable, Codable, CaseIterable {
    /// RMSE/MAE on the test ratings.
    case rating
    /// Full-ranking top-N: test ratings ≥ the threshold are the relevant items, training items excluded.
    case topn
    /// Leave-one-out: each user's last interaction ranked among sampled negatives.
    case loo
}

/// Where the train/test pairs come from.
public enum EvaluationData: Sendable {
    /// Fixed files, paired in order (e.g. MovieLens u1.base/u1.test … u5.base/u5.test).
    case files([(train: String, test: String)])
    /// One file split by RecKit: k folds (rating, topn) or leave-last-out (loo).
    case single(path: String, folds: Int)
}

/// One fold's figures.
public struct FoldResult: Sendable, Codable {
    public var fold: Int
    public var rating: RatingReport?
    public var ranking: RankingReport?
    public var fitSeconds: Double
    public var evaluateSeconds: Double
    /// With `--tune`: the tuning run on this fold's training data and the configuration it chose.
    public var tuning: TuningReport?

    enum CodingKeys: String, CodingKey {
        case fold, rating, ranking, tuning
        case fitSeconds = "fit_seconds", evaluateSeconds = "evaluate_seconds"
    }
}

/// A model's results over all folds: the per-fold figures and their mean and standard deviation.
public struct ModelResult: Sendable, Codable {
    public var model: String
    /// The model's complete configuration (every field).
    public var configuration: [String: FieldValue]
    public var folds: [FoldResult]
    /// Mean over folds of every scalar metric (`rmse`, `mae`, `precision`, `ndcg`, …, `fit_seconds`).
    public var mean: [String: Double]
    /// Sample standard deviation over folds (0 for one fold).
    public var std: [String: Double]
}

/// Runs models × folds under one protocol.
public struct Experiment: Sendable {
    public var protocolKind: EvaluationProtocol = .rating
    public var k = 10
    public var positiveThreshold: Float = 4
    public var negatives = 99
    public var seed: UInt64 = 42
    public var loadOptions = LoadOptions()
    public var context = ExecutionContext.current
    /// Users' attributes and items' features for the models that use them (`two-tower`).
    public var side = SideInformation()
    /// How to read the rating files: what is not stated is read from each file.
    public var formatHints = FormatHints.none
    /// Leave-one-out on a file without timestamps: hold out a random interaction per user instead
    /// of refusing (``EvaluationError/noTimestamps(file:)``).
    public var randomHoldoutWithoutTimestamps = false

    public init() {}

    /// Runs one model on every fold with `configuration` (complete, or partial over the defaults).
    /// With `tuner`, each fold's configuration is the one the tuner chooses on that fold's training
    /// data (the test data is read only to score the chosen model).
    public func run(_ spec: ModelSpec, configuration: [String: FieldValue], data: EvaluationData, tuner: Tuner? = nil,
                    progress: @escaping (ExperimentEvent) -> Void = { _ in }) throws -> ModelResult {
        var folds: [FoldResult] = []
        let pairs = try makeFolds(data, progress: progress)
        let configuration = try spec.configuration(settings: configuration.map { ($0.key, $0.value.description) })
        for (f, pair) in pairs.enumerated() {
            let tuning = try tuner.map { try tune($0, on: pair.train, fold: f + 1, folds: pairs.count, progress: progress) }
            var model = try spec.makeModel(configuration: tuning?.configuration ?? configuration, side: side)
            let clock = ContinuousClock()
            let t0 = clock.now
            var last: TrainingProgress?
            try model.fit(pair.train, context: context) { p in
                last = p
                progress(.epoch(model: spec.name, fold: f + 1, folds: pairs.count, p))
            }
            if let last, last.epoch < last.epochs {
                progress(.notice("\(spec.name) fold \(f + 1): training stopped early at epoch \(last.epoch) of \(last.epochs)"
                                 + (last.validation.map { " (no better validation \($0.metric) for the patience; the best epoch's weights are kept)" } ?? "")))
            }
            let fit = (clock.now - t0).seconds
            let t1 = clock.now
            var result = FoldResult(fold: f + 1, fitSeconds: fit, evaluateSeconds: 0, tuning: tuning)
            switch protocolKind {
            case .rating:
                result.rating = try Evaluator.rating(model: model, test: pair.test)
            case .topn:
                result.ranking = try Evaluator.topN(model: model, test: pair.test, k: k, threshold: positiveThreshold, context: context)
            case .loo:
                let held = (0..<pair.test.count).map { (pair.test.users[$0], pair.test.items[$0]) }
                result.ranking = try Evaluator.leaveOneOut(model: model, heldOut: held, negatives: pair.negatives ?? [], k: k)
            }
            result.evaluateSeconds = (clock.now - t1).seconds
            if let r = result.ranking, r.usersSkipped > 0, f == 0 {
                progress(.notice("\(spec.name): \(r.usersSkipped) users without a relevant test item are skipped in fold 1 (see users_skipped in the JSON)"))
            }
            progress(.fold(model: spec.name, fold: f + 1, folds: pairs.count, summary: summary(result)))
            folds.append(result)
        }
        let unknownUsers = folds.reduce(0) { $0 + ($1.rating?.unknownUsers ?? 0) }, unknownItems = folds.reduce(0) { $0 + ($1.rating?.unknownItems ?? 0) }
        if unknownUsers + unknownItems > 0 {
            let parts = [(unknownUsers, "user"), (unknownItems, "item")].filter { $0.0 > 0 }.map { "\($0.0) of an unknown \($0.1)" }
            progress(.notice("\(spec.name): test ratings unknown to training, over all folds (\(parts.joined(separator: ", "))), were predicted with the model's fallback (unknown_users, unknown_items in the JSON)"))
        }
        let unranked = folds.reduce(0) { $0 + ($1.ranking?.unknownTestRatings ?? 0) }
        if unranked > 0 {
            progress(.notice("\(spec.name): \(unranked) test rating(s) over all folds name a user or item unknown to training and are left out of the ranking (unknown_test_ratings in the JSON)"))
        }
        let (mean, std) = ExperimentConfig.summarise(folds)
        return ModelResult(model: spec.name, configuration: configuration, folds: folds, mean: mean, std: std)
    }

    struct Fold { var train: RatingDataset; var test: AlignedTest; var negatives: [[Int32]]? }

    func load(_ path: String, progress: (ExperimentEvent) -> Void) throws -> RatingDataset {
        let d = try RatingDataset.load(path: path, hints: formatHints, options: loadOptions)
        if let r = d.report { progress(.loaded(r)) }
        return d
    }

    func makeFolds(_ data: EvaluationData, progress: (ExperimentEvent) -> Void = { _ in }) throws -> [Fold] {
        switch data {
        case let .files(pairs):
            guard protocolKind != .loo else { throw EvaluationError.needsOneFile(protocol: protocolKind.rawValue) }
            return try pairs.map { p in
                let train = try load(p.train, progress: progress)
                let test = try load(p.test, progress: progress)
                return Fold(train: train, test: AlignedTest(test, to: train), negatives: nil)
            }
        case let .single(path, folds):
            let all = try load(path, progress: progress)
            if protocolKind == .loo {
                if all.timestamps == nil {
                    guard randomHoldoutWithoutTimestamps else { throw EvaluationError.noTimestamps(file: (path as NSString).lastPathComponent) }
                    progress(.notice("\((path as NSString).lastPathComponent) has no timestamps: each user's held-out interaction is a random one"))
                }
                let split = all.leaveLastOut(seed: seed)
                let test = AlignedTest(sameIndexSpace: split.test)
                let negatives = try all.sampleNegatives(count: negatives, seed: Seeds(seed)(.testNegatives), users: test.users)
                return [Fold(train: split.train, test: test, negatives: negatives)]
            }
            return try all.kFold(folds, seed: seed).map { Fold(train: $0.train, test: AlignedTest(sameIndexSpace: $0.test), negatives: nil) }
        }
    }

    /// Every scalar figure of a fold by its JSON name.
    static func scalars(_ f: FoldResult) -> [String: Double] {
        var d: [String: Double] = ["fit_seconds": f.fitSeconds, "evaluate_seconds": f.evaluateSeconds]
        if let r = f.rating { d["rmse"] = r.rmse; d["mae"] = r.mae }
        if let r = f.ranking {
            d["precision"] = r.precision; d["precision_implicit"] = r.precisionImplicit; d["recall"] = r.recall; d["f1"] = r.f1
            d["ndcg"] = r.ndcg; d["map"] = r.map; d["mrr"] = r.mrr; d["hit_rate"] = r.hitRate; d["coverage"] = r.coverage
            d["novelty"] = r.novelty; d["long_tail_share"] = r.longTailShare
            if let auc = r.auc { d["auc"] = auc }
            if let div = r.diversity { d["diversity"] = div }
        }
        return d
    }

    func summary(_ f: FoldResult) -> String {
        if let r = f.rating { return String(format: "RMSE %.4f, MAE %.4f, fit %.3f s", r.rmse, r.mae, f.fitSeconds) }
        if let r = f.ranking { return String(format: "P@%d %.4f, NDCG %.4f, HR %.4f, fit %.3f s", k, r.precision, r.ndcg, r.hitRate, f.fitSeconds) }
        return ""
    }

    /// A Markdown table of results: Surprise's benchmark layout (RMSE, MAE, time) for the rating
    /// protocol, P/NDCG/MAP/HR for ranking protocols; mean ± std over folds.
    public func table(_ results: [ModelResult]) -> String {
        func cell(_ r: ModelResult, _ key: String, _ digits: Int = 4) -> String {
            guard let m = r.mean[key] else { return "–" }
            let s = r.std[key] ?? 0
            return r.folds.count > 1 ? String(format: "%.\(digits)f ± %.\(digits)f", m, s) : String(format: "%.\(digits)f", m)
        }
        func time(_ r: ModelResult) -> String { String(format: "%.3f s", (r.mean["fit_seconds"] ?? 0) + (r.mean["evaluate_seconds"] ?? 0)) }
        var lines: [String]
        switch protocolKind {
        case .rating:
            lines = ["| Model | RMSE | MAE | Time (fit + test, per fold) |", "|---|---|---|---|"]
            for r in results { lines.append("| \(r.model) | \(cell(r, "rmse")) | \(cell(r, "mae")) | \(time(r)) |") }
        case .topn, .loo:
            lines = ["| Model | P@\(k) | P@\(k) (implicit) | Recall@\(k) | NDCG@\(k) | MAP@\(k) | HR@\(k) | AUC | Time |", "|---|---|---|---|---|---|---|---|---|"]
            for r in results {
                lines.append("| \(r.model) | \(cell(r, "precision")) | \(cell(r, "precision_implicit")) | \(cell(r, "recall")) | \(cell(r, "ndcg")) | "
                             + "\(cell(r, "map")) | \(cell(r, "hit_rate")) | \(cell(r, "auc")) | \(time(r)) |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
