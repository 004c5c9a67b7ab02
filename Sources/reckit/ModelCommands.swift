import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// Hyperparameters as flags. Each model takes some of them (see `reckit evaluate --help` and
/// docs/evaluation.md); a flag the chosen model does not take is an error, not silently ignored.
struct HyperparameterOptions: ParsableArguments {
    @Option(help: "Training epochs/sweeps (baseline, svd-residual, biased-mf, svd++, bpr).") var epochs: Double?
    @Option(help: "λ for user biases (baseline, svd-residual).") var regularizationUser: Double?
    @Option(help: "λ for item biases (baseline, svd-residual).") var regularizationItem: Double?
    @Option(help: "Count only ratings ≥ this (popularity).") var minimumRating: Double?
    @Option(help: "Latent factors / SVD rank (pure-svd, svd-residual, als).") var factors: Double?
    @Option(help: "Alternating sweeps (als).") var iterations: Double?
    @Option(help: "λ of the factors (als, biased-mf, svd++, bpr), of the item weights (ease).") var regularization: Double?
    @Option(help: "SGD step size of the first epoch (biased-mf, svd++, bpr).") var learningRate: Double?
    @Option(help: "SGD step size × this after each epoch (biased-mf, svd++, bpr).") var learningRateDecay: Double?
    @Flag(help: "Implicit feedback: interactions as preferences with confidence 1 + α·r (als).") var implicit = false
    @Option(help: "Implicit confidence slope α (als).") var alpha: Double?
    @Option(help: "cg or cholesky (als; default cg for implicit feedback, cholesky for explicit).") var solver: String?
    @Option(help: "float or double: the precision the model is fitted in (als).") var dtype: String?
    @Option(name: .customLong("set"), help: "Any hyperparameter as NAME=VALUE (repeatable).") var generic: [String] = []

    func values() throws -> [String: Double] {
        var v: [String: Double] = [:]
        if let epochs { v["epochs"] = epochs }
        if let regularizationUser { v["regularization-user"] = regularizationUser }
        if let regularizationItem { v["regularization-item"] = regularizationItem }
        if let minimumRating { v["minimum-rating"] = minimumRating }
        if let factors { v["factors"] = factors }
        if let iterations { v["iterations"] = iterations }
        if let regularization { v["regularization"] = regularization }
        if let learningRate { v["learning-rate"] = learningRate }
        if let learningRateDecay { v["learning-rate-decay"] = learningRateDecay }
        if implicit { v["implicit"] = 1 }
        if let alpha { v["alpha"] = alpha }
        if let solver {
            switch solver.lowercased() {
            case "cholesky": v["solver"] = 1
            case "cg": v["solver"] = 2
            default: throw ValidationError("--solver must be cg or cholesky, got '\(solver)'")
            }
        }
        if let dtype {
            guard let d = DType(rawValue: dtype.lowercased()) else { throw ValidationError("--dtype must be float or double, got '\(dtype)'") }
            v["double"] = d == .double ? 1 : 0
        }
        for item in generic {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let x = Double(parts[1]) else { throw ValidationError("--set needs NAME=VALUE, got '\(item)'") }
            v[String(parts[0])] = x
        }
        return v
    }
}

/// Side information files for the models that use them (`two-tower`).
struct SideInformationOptions: ParsableArguments {
    @Option(help: "Users' attributes (MovieLens u.user), for two-tower.") var userAttributes: String?
    @Option(help: "Items' genre flags (MovieLens u.item), for two-tower.") var itemFeatures: String?

    func load() throws -> SideInformation {
        SideInformation(userAttributes: try userAttributes.map { try AttributeTable.movieLensUsers(path: $0) },
                        itemFeatures: try itemFeatures.map { try FeatureTable.movieLensGenres(path: $0) })
    }
}

/// Back end and threads for a command.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Back end: blas or swift.") var backend: String?

    func context() throws -> ExecutionContext {
        var c = ExecutionContext.current
        if let threads { guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }; c.threads = threads }
        if let backend { c.backend = try Backend(parsing: backend) }
        return c
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit models on training data and evaluate them: rating prediction, full-ranking top-N, or leave-one-out.",
        discussion: "Models: \(ModelRegistry.names.joined(separator: ", ")). Example (the ML-100k table in docs/results.md):\n"
            + "  reckit evaluate --model global-mean,baseline --folds-dir ../shared/data/ml-100k")

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
    @Option(help: "Hyperparameter search before the test: 'name=v1,v2;name2=v3,v4', scored on validation splits of the training data.")
    var search: String?
    @Option(help: "With --search: try this many random grid points instead of all.") var searchSamples: Int?
    @Option(help: "With --search: share of each training set held out for validation.") var validationFraction = 0.1
    @OptionGroup var hyper: HyperparameterOptions
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions

    func parseGrid(_ text: String) throws -> [String: [Double]] {
        var grid: [String: [Double]] = [:]
        for part in text.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw ValidationError("--search: '\(part)' is not name=v1,v2,…") }
            let values = try kv[1].split(separator: ",").map { v -> Double in
                guard let x = Double(v) else { throw ValidationError("--search: '\(v)' is not a number") }
                return x
            }
            grid[String(kv[0])] = values
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
        let values = try hyper.values()
        let names = model.split(separator: ",").map(String.init)
        var results: [ModelResult] = []
        for name in names {
            let spec = try ModelRegistry.spec(named: name)
            // With several models, each takes the flags it knows; with one, an unknown flag is an error.
            var chosen = names.count == 1 ? values : values.filter { key, _ in spec.hyperparameters.contains { $0.name == key } }
            if let search {
                let grid = try parseGrid(search).filter { key, _ in names.count == 1 || spec.hyperparameters.contains { $0.name == key } }
                if !grid.isEmpty {
                    note("searching \(name) on validation splits of the training data")
                    let trials = try experiment.search(spec, grid: grid, fixed: chosen, samples: searchSamples,
                                                       validationFraction: validationFraction, data: source, progress: note)
                    chosen = trials[0].hyperparameters
                    note("best on validation: \(chosen.sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }.joined(separator: " "))")
                }
            }
            note("evaluating \(name) (\(p.rawValue))")
            results.append(try experiment.run(spec, hyperparameters: chosen, data: source, progress: note))
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

/// `reckit evaluate --json`: the first model's mean figures at the top level, every model below.
struct EvaluationDocument: Encodable {
    var protocolName: String
    var k: Int?
    var results: [ModelResult]

    enum Keys: String, CodingKey { case `protocol`, k, model, models }
    struct Dynamic: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(protocolName, forKey: .protocol)
        try c.encodeIfPresent(k, forKey: .k)
        try c.encode(results.first?.model, forKey: .model)
        try c.encode(results, forKey: .models)
        var d = encoder.container(keyedBy: Dynamic.self)
        for (key, value) in results.first?.mean ?? [:] { try d.encode(value, forKey: Dynamic(stringValue: key)) }
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fit a model on a rating file and save it.")
    @Argument(help: "Model name: \(ModelRegistry.names.joined(separator: ", ")).") var model: String
    @Option(help: "Training ratings.") var data: String
    @Option(help: "Where to save the model.") var out: String
    @Option(help: "Write the fit's figures as JSON to this file.") var json: String?
    @Flag(help: "Skip bad lines instead of stopping.") var lenient = false
    @OptionGroup var hyper: HyperparameterOptions
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        let context = try execution.context()
        let train = try RatingDataset.load(path: data, options: LoadOptions(mode: lenient ? .lenient : .strict, threads: context.threads))
        if let r = train.report { note(r.summary) }
        var m = try ModelRegistry.spec(named: model).makeModel(try hyper.values(), side: try side.load())
        var losses: [Double] = [], iterationSeconds: [Double] = []
        let clock = ContinuousClock(), start = clock.now
        try m.fit(train, context: context) { p in
            iterationSeconds.append(p.seconds)
            if let loss = p.loss { losses.append(loss) }
            note(p.summary)
        }
        let seconds = (clock.now - start).seconds
        try m.save(to: out)
        let median = iterationSeconds.isEmpty ? seconds : iterationSeconds.sorted()[iterationSeconds.count / 2]
        note(String(format: "fitted %@ in %.3f s (median %.3f s per iteration, %@, %d threads); saved %@",
                    model, seconds, median, context.backend.rawValue, context.threads, out))
        if let json {
            let figures: [String: [Double]] = ["fit_seconds": [seconds], "loss": losses, "seconds_per_iteration": [median],
                                               "iteration_seconds": iterationSeconds, "peak_rss_bytes": [Double(peakResidentBytes())]]
            try Report.writeJSON(figures, to: json)
        }
    }
}

struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Top-N recommendations from a saved model, for one user or all (CSV with the original ids).")
    @Option(help: "A model saved by `reckit train`.") var model: String
    @Option(help: "A user id as in the training file.") var user: String?
    @Flag(help: "Recommend for every training user.") var allUsers = false
    @Option(help: "Items per user.") var n = 10
    @Flag(help: "Also recommend items the user already has in training.") var includeSeen = false
    @Option(help: "Only these item ids may be recommended (comma-separated).") var allow: String?
    @Option(help: "These item ids are never recommended (comma-separated).") var deny: String?
    @Option(help: "Cold start: a new user's ratings as ITEM:RATING,… (folded in without refitting; factor models).") var history: String?
    @Option(help: "Cold start: a user with no history gets the most popular items of their slice, ATTRIBUTE=VALUE (e.g. occupation=student).")
    var slice: String?
    @Option(help: "With --slice: the user attributes file (MovieLens u.user).") var userAttributes: String?
    @Option(help: "Write user,item,rank,score CSV here (default: standard output).") var out: String?
    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        let m = try ModelRegistry.load(from: model)
        guard let train = m.training else { throw ValidationError("the model file has no training data") }
        var userIDs = train.userIDs
        userIDs.prepareLookup()
        if history != nil || slice != nil { return try coldStart(m, train) }
        let users: Range<Int>
        if allUsers { users = 0..<train.userCount }
        else if let user {
            guard let u = userIDs.index(of: user) else { throw ValidationError("user '\(user)' is not in the model's training data") }
            users = u..<(u + 1)
        } else { throw ValidationError("give --user ID, --all-users, --history ITEM:RATING,… or --slice ATTRIBUTE=VALUE") }
        var itemIDs = train.itemIDs
        itemIDs.prepareLookup()
        func items(_ list: String?, _ flag: String) throws -> Set<Int32>? {
            guard let list else { return nil }
            return Set(try list.split(separator: ",").map { id in
                guard let i = itemIDs.index(of: String(id)) else { throw ValidationError("--\(flag): item '\(id)' is not in the model's training data") }
                return Int32(i)
            })
        }
        let filter = RecommendationFilter(excludeTrainingItems: !includeSeen, allowed: try items(allow, "allow"), denied: try items(deny, "deny") ?? [])
        let lists = try m.recommend(users: users, count: n, filter: filter, context: try execution.context())
        var text = "user,item,rank,score\n"
        for (offset, list) in lists.enumerated() {
            let uid = train.userIDs.externalID(users.lowerBound + offset)
            for (rank, r) in list.enumerated() { text += "\(uid),\(train.itemIDs.externalID(r.item)),\(rank + 1),\(r.score)\n" }
        }
        try emit(text, count: lists.reduce(0) { $0 + $1.count }, users: lists.count)
    }

    func emit(_ text: String, count: Int, users: Int) throws {
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            note("wrote \(count) recommendations for \(users) user\(users == 1 ? "" : "s") to \(out)")
        } else {
            print(text, terminator: "")
        }
    }

    /// A user outside the training data (written as user `new`): folded in from `--history`, or the
    /// popular items of their `--slice`.
    func coldStart(_ m: any Recommender, _ train: RatingDataset) throws {
        guard (history == nil) != (slice == nil) else { throw ValidationError("give one of --history or --slice") }
        var itemIDs = train.itemIDs
        itemIDs.prepareLookup()
        let list: [Recommendation]
        if let history {
            guard let folding = m as? any FoldingIn else {
                throw ValidationError("'\(type(of: m).name)' cannot fold in a new user; use als, biased-mf, svd++, bpr, pure-svd or svd-residual")
            }
            var items: [Int32] = [], ratings: [Float] = []
            for pair in history.split(separator: ",") {
                let parts = pair.split(separator: ":")
                guard parts.count == 2, let r = Float(parts[1]), r.isFinite else { throw ValidationError("--history: '\(pair)' is not ITEM:RATING") }
                guard let i = itemIDs.index(of: String(parts[0])) else { throw ValidationError("--history: item '\(parts[0])' is not in the model's training data") }
                items.append(Int32(i)); ratings.append(r)
            }
            let user = try folding.foldIn(items: items, ratings: ratings)
            list = try folding.recommend(user, count: n, filter: RecommendationFilter(excludeTrainingItems: !includeSeen))
        } else {
            let parts = slice!.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--slice needs ATTRIBUTE=VALUE, got '\(slice!)'") }
            guard let path = userAttributes else { throw ValidationError("--slice needs --user-attributes FILE (MovieLens u.user)") }
            let popular = try SlicePopularity(train: train, users: try AttributeTable.movieLensUsers(path: path), attribute: parts[0])
            if popular.counts[parts[1]] == nil { note("no training user has \(parts[0]) = \(parts[1]); recommending the most popular items overall") }
            list = popular.recommend(slice: parts[1], count: n)
        }
        var text = "user,item,rank,score\n"
        for (rank, r) in list.enumerated() { text += "new,\(train.itemIDs.externalID(r.item)),\(rank + 1),\(r.score)\n" }
        try emit(text, count: list.count, users: 1)
    }
}

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Items or users most similar to one, by the cosine of a factor model's factors (als, pure-svd, svd-residual).")
    @Option(help: "A model saved by `reckit train`.") var model: String
    @Option(help: "An item id as in the training file.") var item: String?
    @Option(help: "A user id as in the training file.") var user: String?
    @Option(help: "How many to list.") var n = 10
    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        guard (item == nil) != (user == nil) else { throw ValidationError("give exactly one of --item ID or --user ID") }
        let loaded = try ModelRegistry.load(from: model)
        guard let m = loaded as? any FoldingIn, let train = m.training else {
            throw ValidationError("'\(type(of: loaded).name)' has no factors to compare; use als, pure-svd or svd-residual")
        }
        let context = try execution.context()
        var ids = item != nil ? train.itemIDs : train.userIDs
        ids.prepareLookup()
        let kind = item != nil ? "item" : "user", id = item ?? user!
        guard let index = ids.index(of: id) else { throw ValidationError("\(kind) '\(id)' is not in the model's training data") }
        let list = item != nil ? try m.similarItems(to: index, count: n, context: context) : try m.similarUsers(to: index, count: n, context: context)
        print("\(kind),similar,rank,cosine")
        for (rank, r) in list.enumerated() { print("\(id),\(ids.externalID(r.item)),\(rank + 1),\(r.score)") }
    }
}
