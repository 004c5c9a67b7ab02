import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit evaluate`.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit models on training data and evaluate them: rating prediction, full-ranking top-N, or leave-one-out.",
        discussion: "Example (the ML-100k table in docs/results.md):\n"
            + "  reckit evaluate --model global-mean,baseline --folds-dir ../shared/data/ml-100k\n\n" + ModelSettings.helpText)

    @Option(help: "Model name(s), comma-separated.") var model: String?
    @Option(help: "An experiment config (JSON: models × protocols × seeds; see docs/evaluation.md).") var config: String?
    @Option(help: "Also write results as CSV (protocol,model,metric,mean,std).") var csv: String?
    @Option(help: "Training file(s), comma-separated, paired with --test.") var train: String?
    @Option(help: "Test file(s), comma-separated.") var test: String?
    @Option(help: "A MovieLens 100K folder: runs u1…u5 .base/.test.") var foldsDir: String?
    @Option(help: "One file that RecKit splits (k-fold, or leave-last-out for --protocol loo).") var data: String?
    @Option(help: "Folds for --data with rating/topn.") var folds = 5
    @Option(help: "rating, topn or loo.") var `protocol` = "rating"
    @Option(help: "Cut-off of ranking metrics.") var k = 10
    @Option(help: "topn: test ratings ≥ this are relevant.") var positiveThreshold: Float = 4
    @Option(help: "loo: sampled negatives per user.") var negatives = 99
    @Option(help: "Random seed for splits and negatives.") var seed: UInt64 = 42
    @Option(help: "Write results as JSON to this file.") var json: String?
    @Flag(help: "Skip bad lines in the input files instead of stopping.") var lenient = false
    @Option(help: "Hyperparameter search before the test: 'name=v1,v2;name2=v3,v4' (model settings), scored on validation splits of the training data.")
    var search: String?
    @Option(help: "With --search: try this many random grid points instead of all.") var searchSamples: Int?
    @Option(help: "With --search: share of each training set held out for validation.") var validationFraction = 0.1
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var settings: ModelSettings

    func parseGrid(_ text: String) throws -> [String: [String]] {
        var grid: [String: [String]] = [:]
        for part in text.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, !kv[1].isEmpty else { throw ValidationError("--search: '\(part)' is not name=v1,v2,…") }
            grid[String(kv[0]).trimmingCharacters(in: .whitespaces)] = kv[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return grid
    }

    func run() throws {
        var experiment = Experiment()
        guard let p = EvaluationProtocol(rawValue: self.protocol) else { throw ValidationError("--protocol must be rating, topn or loo") }
        guard k >= 1 else { throw ValidationError("--k must be ≥ 1") }
        experiment.protocolKind = p
        experiment.k = k
        experiment.positiveThreshold = positiveThreshold
        experiment.negatives = negatives
        experiment.seed = seed
        experiment.context = try execution.context()
        experiment.side = try side.load()
        experiment.loadOptions = LoadOptions(mode: lenient ? .lenient : .strict, threads: experiment.context.threads)
        if let config {
            let rows = try ExperimentConfig.load(path: config).run(base: experiment, progress: note)
            for p in Set(rows.map(\.protocolName)).sorted() {
                var e = experiment
                e.protocolKind = EvaluationProtocol(rawValue: p)!
                print("\n### \(p)\n")
                print(e.table(rows.filter { $0.protocolName == p }.map(\.result)))
            }
            if let json { try Report.writeJSON(rows, to: json); note("wrote \(json)") }
            if let csv { try ExperimentConfig.csv(rows).write(toFile: csv, atomically: true, encoding: .utf8); note("wrote \(csv)") }
            return
        }
        guard let model else { throw ValidationError("give --model NAME (or --config FILE)") }
        let source: EvaluationData
        if let dir = foldsDir {
            source = .files((1...5).map { ("\(dir)/u\($0).base", "\(dir)/u\($0).test") })
        } else if let train, let test {
            let tr = train.split(separator: ",").map(String.init), te = test.split(separator: ",").map(String.init)
            guard tr.count == te.count, !tr.isEmpty else { throw ValidationError("--train and --test need the same number of files") }
            source = .files(Array(zip(tr, te)))
        } else if let data {
            source = .single(path: data, folds: folds)
        } else {
            throw ValidationError("give --train and --test, --folds-dir, or --data")
        }
        let specs = try model.split(separator: ",").map { try ModelRegistry.spec(named: String($0)) }
        // A setting must belong to at least one of the models; each model takes those it has.
        let given = try settings.settings(for: specs)
        let grid = try search.map(parseGrid) ?? [:]
        for name in grid.keys where !specs.contains(where: { $0.field(named: name) != nil }) {
            throw ValidationError("--search: no model of \(model) has a setting '\(name)'")
        }
        var results: [ModelResult] = []
        for spec in specs {
            var chosen = try spec.configuration(settings: ModelSettings.applicable(given, to: spec))
            let ownGrid = grid.filter { spec.field(named: $0.key) != nil }
            if !ownGrid.isEmpty {
                note("searching \(spec.name) on validation splits of the training data")
                let trials = try experiment.search(spec, grid: ownGrid, fixed: chosen, samples: searchSamples,
                                                   validationFraction: validationFraction, data: source, progress: note)
                chosen = trials[0].configuration
                note("best on validation: \(ownGrid.keys.sorted().map { "--\($0) \(chosen[$0]!)" }.joined(separator: " "))")
            }
            note("evaluating \(spec.name) (\(p.rawValue))")
            results.append(try experiment.run(spec, configuration: chosen, data: source, progress: note))
        }
        print(experiment.table(results))
        if let json {
            try Report.writeJSON(EvaluationDocument(protocolName: p.rawValue, k: p == .rating ? nil : k, results: results), to: json)
            note("wrote \(json)")
        }
        if let csv {
            let rows = results.map { ExperimentConfig.Row(protocolName: p.rawValue, result: $0) }
            try ExperimentConfig.csv(rows).write(toFile: csv, atomically: true, encoding: .utf8)
            note("wrote \(csv)")
        }
    }
}
