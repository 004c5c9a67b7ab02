import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit evaluate`.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit models on training data and evaluate them: rating prediction, full-ranking top-N, or leave-one-out.",
        discussion: """
            The data: one FILE that RecKit splits (k folds; leave-one-out holds out each user's latest \
            interaction), pairs of --train and --test files, or a MovieLens 100K --folds-dir.

            Examples (the ML-100k tables in docs/results.md):
              reckit evaluate --model global-mean,baseline --folds-dir ../shared/data/ml-100k
              reckit evaluate --model popularity,bpr --protocol loo ratings.csv

            """ + ModelSettings.helpText)

    @Argument(help: "One rating file that RecKit splits (k folds, or leave-one-out for --protocol loo).") var file: String?
    @Option(help: "Model name(s), comma-separated.") var model: String?
    @Option(help: "An experiment config (JSON: models × protocols × seeds; see docs/evaluation.md).") var config: String?
    @Option(help: "Training file(s), comma-separated, paired with --test.") var train: String?
    @Option(help: "Test file(s), comma-separated.") var test: String?
    @Option(help: "A MovieLens 100K folder: runs u1…u5 .base/.test.") var foldsDir: String?
    @Option(help: .hidden) var data: String?
    @OptionGroup var input: RatingFileOptions
    @Option(help: "Folds when RecKit splits one file (rating, topn).") var folds = 5
    @Option(help: "rating, topn or loo.") var `protocol` = "rating"
    @Option(help: "Length of the ranked lists (the cut-off of ranking metrics).") var n: Int?
    @Option(help: .hidden) var k: Int?
    @Option(help: "topn: test ratings ≥ this are relevant.") var positiveThreshold: Float = 4
    @Option(help: "loo: sampled negatives per user.") var negatives = 99
    @Flag(help: "loo on a file without timestamps: hold out a random interaction per user (otherwise refused).") var randomHoldout = false
    @Option(help: "Random seed for splits and negatives.") var seed: UInt64 = 42
    @Option(help: "Write the results table as CSV (protocol,model,metric,mean,std) to this file.") var out: String?
    @Option(help: .hidden) var csv: String?
    @Option(help: "Write the results as JSON to this file (schema reckit-evaluate/1, docs/cli.md).") var json: String?
    @Option(help: "Hyperparameter search before the test: 'name=v1,v2;name2=v3,v4' (model settings), scored on validation splits of the training data.")
    var search: String?
    @Option(help: "With --search: try this many random grid points instead of all.") var searchSamples: Int?
    @Option(help: "With --search: share of each training set held out for validation.") var validationFraction = 0.1
    @OptionGroup var tuning: TuningOptions
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var output: OutputOptions
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

    /// The experiment every command-line choice describes.
    func experiment() throws -> Experiment {
        var experiment = Experiment()
        guard let p = EvaluationProtocol(rawValue: self.protocol) else { throw ValidationError("--protocol must be rating, topn or loo") }
        if let k { deprecated("--k (the list length)", use: "--n \(k)") }
        let n = self.n ?? k ?? 10
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        experiment.protocolKind = p
        experiment.k = n
        experiment.positiveThreshold = positiveThreshold
        experiment.negatives = negatives
        experiment.seed = seed
        experiment.context = try execution.context(command: "evaluate")
        experiment.side = try side.load()
        experiment.formatHints = try input.hints()
        experiment.loadOptions = try input.loadOptions(threads: experiment.context.threads)
        experiment.randomHoldoutWithoutTimestamps = randomHoldout
        return experiment
    }

    /// Where the train/test pairs come from.
    func source() throws -> EvaluationData {
        if data != nil { deprecated("--data FILE", use: "reckit evaluate … FILE") }
        let single = file ?? data
        let given = [single != nil, foldsDir != nil, train != nil || test != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError(given == 0 ? "give the data: a FILE, --train and --test, or --folds-dir" : "give one source of data: a FILE, --train and --test, or --folds-dir")
        }
        if let dir = foldsDir { return .files((1...5).map { ("\(dir)/u\($0).base", "\(dir)/u\($0).test") }) }
        if let single { return .single(path: single, folds: folds) }
        let tr = train?.split(separator: ",").map(String.init) ?? [], te = test?.split(separator: ",").map(String.init) ?? []
        guard tr.count == te.count, !tr.isEmpty else { throw ValidationError("--train and --test need the same number of files") }
        return .files(Array(zip(tr, te)))
    }

    func run() throws {
        try output.apply()
        if let csv { deprecated("--csv FILE", use: "--out \(csv)") }
        let csvPath = out ?? csv
        var inputs: [String?] = [file, data, config, side.userAttributes, side.itemFeatures]
        for list in [train, test] { inputs += (list ?? "").split(separator: ",").map { String($0) } }
        if let foldsDir { inputs += (1...5).flatMap { ["\(foldsDir)/u\($0).base", "\(foldsDir)/u\($0).test"] } }
        try OutputGuard.check(inputs: inputs, outputs: [("--out", csvPath), ("--json", json)])
        let experiment = try experiment()
        let progress = ExperimentProgress(files: input)
        let out = Reporter.shared
        out.startJob()
        if let config {
            if tuning.tune != nil { throw ValidationError("--tune applies to --model runs, not to --config experiments") }
            let rows = try ExperimentConfig.load(path: config).run(base: experiment, progress: progress.handle)
            out.clearStatus()
            for p in Set(rows.map(\.protocolName)).sorted() {
                var e = experiment
                e.protocolKind = EvaluationProtocol(rawValue: p)!
                print("\n### \(p)\n")
                print(e.table(rows.filter { $0.protocolName == p }.map(\.result)))
            }
            if let json { try Report.writeJSON(JSONDocument(schema: "reckit-evaluate-config/1", body: ConfigDocument(rows: rows)), to: json); note("wrote \(json)") }
            if let csvPath { try AtomicOutput.write(ExperimentConfig.csv(rows), to: csvPath); note("wrote \(csvPath)") }
            return
        }
        guard let model else { throw ValidationError("give --model NAME (or --config FILE)") }
        let source = try source()
        let specs = try model.split(separator: ",").map { try ModelRegistry.spec(named: String($0)) }
        // A setting must belong to at least one of the models; each model takes those it has.
        let given = try settings.settings(for: specs)
        let grid = try search.map(parseGrid) ?? [:]
        if search != nil, tuning.tune != nil { throw ValidationError("give --search (a grid) or --tune (a budgeted search), not both") }
        for name in grid.keys where !specs.contains(where: { $0.field(named: name) != nil }) {
            throw ValidationError("--search: no model of \(model) has a setting '\(name)'")
        }
        let p = experiment.protocolKind
        var results: [ModelResult] = []
        for spec in specs {
            let own = ModelSettings.applicable(given, to: spec)
            var chosen = try spec.configuration(settings: own)
            let ownGrid = grid.filter { spec.field(named: $0.key) != nil }
            if !ownGrid.isEmpty {
                out.startJob()
                let trials = try experiment.search(spec, grid: ownGrid, fixed: chosen, samples: searchSamples,
                                                   validationFraction: validationFraction, data: source, progress: progress.handle)
                chosen = trials[0].configuration
                note("\(spec.name): best of \(trials.count) on validation splits of the training data: "
                     + ownGrid.keys.sorted().map { "--\($0) \(chosen[$0]!)" }.joined(separator: " "))
            }
            out.startJob()
            let tuner = try tuning.tuner(for: spec, base: chosen.filter { name, _ in own.contains { spec.field(named: $0.name)?.name == name } })
            let result = try experiment.run(spec, configuration: chosen, data: source, tuner: tuner, progress: progress.handle)
            for fold in result.folds { if let t = fold.tuning { note("fold \(fold.fold): " + t.summary) } }
            results.append(result)
            note("\(spec.name): \(Self.summary(result, protocol: p, n: experiment.k))")
        }
        out.clearStatus()
        print(experiment.table(results))
        if let json {
            let doc = EvaluationDocument(protocolName: p.rawValue, n: p == .rating ? nil : experiment.k, results: results)
            try Report.writeJSON(JSONDocument(schema: "reckit-evaluate/1", body: doc), to: json)
            note("wrote \(json)")
        }
        if let csvPath {
            let rows = results.map { ExperimentConfig.Row(protocolName: p.rawValue, result: $0) }
            try AtomicOutput.write(ExperimentConfig.csv(rows), to: csvPath)
            note("wrote \(csvPath)")
        }
    }

    /// A model's result in one line: its headline metrics and the time per fold.
    static func summary(_ r: ModelResult, protocol p: EvaluationProtocol, n: Int) -> String {
        let time = (r.mean["fit_seconds"] ?? 0) + (r.mean["evaluate_seconds"] ?? 0)
        let folds = r.folds.count == 1 ? "1 fold" : "\(r.folds.count) folds"
        switch p {
        case .rating:
            return String(format: "RMSE %.4f, MAE %.4f (%@, %.2f s per fold)", r.mean["rmse"] ?? .nan, r.mean["mae"] ?? .nan, folds, time)
        case .topn, .loo:
            return String(format: "P@%d %.4f, NDCG@%d %.4f, HR@%d %.4f (%@, %.2f s per fold)",
                          n, r.mean["precision"] ?? .nan, n, r.mean["ndcg"] ?? .nan, n, r.mean["hit_rate"] ?? .nan, folds, time)
        }
    }
}
