import Foundation
import RecKitData
import RecKitModels

/// An experiment described in a JSON file: models × protocols × seeds on one data source.
///
/// ```json
/// {
///   "data": { "folds_dir": "../shared/data/ml-100k" },
///   "protocols": ["rating", "topn"],
///   "seeds": [1, 2, 3],
///   "k": 10, "positive_threshold": 4, "negatives": 99,
///   "models": [
///     { "name": "baseline", "configuration": { "epochs": 30 },
///       "search": { "regularization-user": [2, 5, 10], "regularization-item": [2, 5, 10] } },
///     { "name": "popularity" }
///   ]
/// }
/// ```
/// `data` is one of `{"folds_dir": DIR}` (MovieLens u1…u5), `{"train": [...], "test": [...]}`, or
/// `{"file": F, "folds": K}` (RecKit splits it; the seed changes the split). Models that cannot run a
/// protocol (e.g. popularity for rating prediction) are skipped with a note.
public struct ExperimentConfig: Sendable, Codable {
    public struct DataSource: Sendable, Codable {
        public var foldsDir: String?
        public var train: [String]?
        public var test: [String]?
        public var file: String?
        public var folds: Int?
        enum CodingKeys: String, CodingKey { case foldsDir = "folds_dir", train, test, file, folds }
    }
    public struct ModelEntry: Sendable, Codable {
        public var name: String
        /// Field values over the model's defaults (numbers, booleans, choice names).
        public var configuration: [String: FieldValue]?
        public var search: [String: [FieldValue]]?
        /// The 0.1 name of ``configuration`` (still read).
        public var hyperparameters: [String: FieldValue]?
    }

    public var data: DataSource
    public var protocols: [String]?
    public var seeds: [UInt64]?
    public var k: Int?
    public var positiveThreshold: Float?
    public var negatives: Int?
    public var models: [ModelEntry]

    enum CodingKeys: String, CodingKey {
        case data, protocols, seeds, k, negatives, models
        case positiveThreshold = "positive_threshold"
    }

    public static func load(path: String) throws -> ExperimentConfig {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw EvaluationError.invalidExperiment(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        do { return try JSONDecoder().decode(ExperimentConfig.self, from: d) } catch {
            throw EvaluationError.invalidExperiment(file: path, reason: "not a valid experiment config: \(error)")
        }
    }

    func source() throws -> EvaluationData {
        if let dir = data.foldsDir { return .files((1...5).map { ("\(dir)/u\($0).base", "\(dir)/u\($0).test") }) }
        if let tr = data.train, let te = data.test, tr.count == te.count, !tr.isEmpty { return .files(Array(zip(tr, te))) }
        if let f = data.file { return .single(path: f, folds: data.folds ?? 5) }
        throw EvaluationError.invalidExperiment(file: "the experiment", reason: "its data needs folds_dir, train + test, or file")
    }

    /// One row of the results: a model under a protocol, over all folds and seeds.
    public struct Row: Sendable, Codable {
        public var protocolName: String
        public var result: ModelResult
        enum CodingKeys: String, CodingKey { case protocolName = "protocol", result }
        public init(protocolName: String, result: ModelResult) {
            self.protocolName = protocolName
            self.result = result
        }
    }

    /// Runs everything; `progress` gets a line per step.
    public func run(base: Experiment, progress: @escaping (ExperimentEvent) -> Void) throws -> [Row] {
        let src = try source()
        var rows: [Row] = []
        for p in protocols ?? ["rating"] {
            guard let kind = EvaluationProtocol(rawValue: p) else {
                throw EvaluationError.invalidExperiment(file: "the experiment", reason: "unknown protocol '\(p)'; use rating, topn or loo")
            }
            for entry in models {
                let spec = try ModelRegistry.spec(named: entry.name)
                if kind == .rating && !spec.predictsRatings { progress(.notice("skipping \(entry.name) for rating prediction: it only ranks")); continue }
                var merged: ModelResult? = nil
                for seed in seeds ?? [base.seed] {
                    var e = base
                    e.protocolKind = kind
                    e.seed = seed
                    e.k = k ?? base.k
                    e.positiveThreshold = positiveThreshold ?? base.positiveThreshold
                    e.negatives = negatives ?? base.negatives
                    var values = entry.configuration ?? entry.hyperparameters ?? [:]
                    if spec.field(named: "seed") != nil { values["seed"] = .seed(seed) }
                    if let grid = entry.search, !grid.isEmpty {
                        values = try e.search(spec, grid: grid.mapValues { $0.map(\.description) }, fixed: values, data: src, progress: progress)[0].configuration
                    }
                    let r = try e.run(spec, configuration: values, data: src, progress: progress)
                    if var m = merged {
                        m.folds += r.folds.map { var f = $0; f.fold = m.folds.count + f.fold; return f }
                        merged = m
                    } else { merged = r }
                }
                if var m = merged {
                    (m.mean, m.std) = ExperimentConfig.summarise(m.folds)
                    rows.append(Row(protocolName: p, result: m))
                }
            }
        }
        return rows
    }

    static func summarise(_ folds: [FoldResult]) -> ([String: Double], [String: Double]) {
        var mean: [String: Double] = [:], std: [String: Double] = [:]
        for key in Experiment.scalars(folds[0]).keys {
            let xs = folds.compactMap { Experiment.scalars($0)[key] }
            let m = xs.reduce(0, +) / Double(xs.count)
            mean[key] = m
            std[key] = xs.count > 1 ? (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot() : 0
        }
        return (mean, std)
    }

    /// The rows as CSV: protocol, model, metric, mean, std.
    public static func csv(_ rows: [Row]) -> String {
        var lines = ["protocol,model,metric,mean,std"]
        for r in rows {
            for key in r.result.mean.keys.sorted() {
                lines.append("\(r.protocolName),\(r.result.model),\(key),\(r.result.mean[key]!),\(r.result.std[key] ?? 0)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
