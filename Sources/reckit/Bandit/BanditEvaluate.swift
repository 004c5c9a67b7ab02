import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks
import RecKitServing

extension Bandit {
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate a policy's value from feedback another policy logged: replay, IPS, SNIPS and doubly robust, each with a bootstrap interval.",
            discussion: """
                The log is CSV with a header: one row per shown item with the user, the item, its position (1 = top), \
                the reward and the logging policy's propensity; rows sharing a request_id form one slate. \
                The target policy acts on the model given (a factor model written by reckit train). Estimators and their \
                assumptions: docs/serving.md.
                Example: reckit bandit evaluate --log logged.csv --model als.model --policy ucb:1
                """)
        @Option(help: "The logged feedback (CSV with a header).") var log: String
        @Option(help: "The model the target policy scores with (written by reckit train).") var model: String
        @Option(help: "The target policies, comma-separated (greedy, epsilon-greedy[:ε], softmax[:τ], ucb[:β], thompson[:M]).")
        var policy = "greedy"
        @Option(help: "Column of the user (or context) id.") var userColumn = "user"
        @Option(help: "Column of the item id.") var itemColumn = "item"
        @Option(help: "Column of the 1-based slate position.") var positionColumn = "position"
        @Option(help: "Column of the reward.") var rewardColumn = "reward"
        @Option(help: "Column of the logging policy's propensity.") var propensityColumn = "propensity"
        @Option(help: "Column whose equal values form one slate (optional in the file).") var slateColumn = "request_id"
        @Option(help: "Bootstrap resamples of each interval.") var bootstrap = 1000
        @Option(help: "Coverage of the intervals.") var confidence = 0.95
        @Option(help: "σ of the posterior of ucb and thompson.") var posteriorScale = 1.0
        @Option(help: "Seed of the bootstrap and of Thompson sampling's draws.") var seed: UInt64 = 1
        @Option(help: "Write the estimates as JSON to this file (schema reckit-bandit-evaluate/1; - for standard output).") var json: String?
        @OptionGroup var execution: ExecutionOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var log: String
            var model: String
            var modelVersion: String
            var rows: Int
            var skipped: LoggedPolicyEvaluator.Skipped
            var seed: UInt64
            var policies: [PolicyResult]
        }
        struct PolicyResult: Encodable {
            var policy: String
            var summary: OffPolicySummary
        }

        func run() throws {
            try output.apply()
            guard bootstrap >= 0, bootstrap <= 1_000_000 else { throw ValidationError("--bootstrap must be in 0…1000000, got \(bootstrap)") }
            guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must be in (0, 1), got \(confidence)") }
            guard posteriorScale > 0, posteriorScale.isFinite else { throw ValidationError("--posterior-scale must be > 0") }
            let targets = try Bandit.policies(policy, flag: "--policy")
            try OutputGuard.check(inputs: [log, model], outputs: [("--json", json)])
            var columns = LoggedFeedback.Columns()
            columns.user = userColumn; columns.item = itemColumn; columns.position = positionColumn
            columns.reward = rewardColumn; columns.propensity = propensityColumn; columns.slate = slateColumn
            let context = try execution.context(command: "bandit evaluate")
            let feedback = try LoggedFeedback.read(path: log, columns: columns)
            let served = try ServingModel(path: model, context: context)
            let out = Reporter.shared
            out.startJob()
            note("\(feedback.rows.count) logged rows from \(log)" + (feedback.hasSlates ? "" : " (no \(slateColumn) column: each row is its own slate)")
                 + "; model \(served.modelName) (\(served.userCount) users, \(served.itemCount) items)")
            var results: [PolicyResult] = []
            var skipped = LoggedPolicyEvaluator.Skipped()
            for target in targets {
                var evaluator = LoggedPolicyEvaluator(model: served, policy: target)
                evaluator.posteriorScale = posteriorScale
                evaluator.seed = seed
                let (decisions, s) = try evaluator.decisions(feedback, context: context) { done, total in
                    out.status("\(target): slate \(done)/\(total)", done: Double(done) / Double(total))
                }
                skipped = s
                out.status("\(target): bootstrap", done: 1)
                let summary = OffPolicyEvaluation.evaluate(decisions, bootstrap: bootstrap, confidence: confidence, seed: seed)
                results.append(PolicyResult(policy: target.description, summary: summary))
            }
            out.clearStatus()
            if skipped.unknownUsers + skipped.unknownItems > 0 {
                Reporter.shared.warning("left out \(skipped.unknownUsers) row(s) whose user and \(skipped.unknownItems) whose item the model does not know")
            }
            let percent = Int((confidence * 100).rounded())
            print("| Target policy | Estimator | Value | \(percent) % interval | Decisions | Effective sample size |")
            print("|---|---|---|---|---|---|")
            for r in results {
                for e in r.summary.estimates {
                    print("| \(r.policy) | \(e.estimator.rawValue) | \(format(e.value)) | [\(format(e.lower)), \(format(e.upper))] | "
                          + "\(r.summary.supported) of \(r.summary.decisions) supported | \(String(format: "%.1f", r.summary.effectiveSampleSize)) |")
                }
            }
            if let first = results.first { print("Logged policy's own mean reward: \(format(first.summary.loggedValue))") }
            if let json {
                let doc = Document(log: log, model: model, modelVersion: served.version, rows: feedback.rows.count, skipped: skipped, seed: seed, policies: results)
                let document = JSONDocument(schema: "reckit-bandit-evaluate/1", body: doc)
                if json == "-" {
                    print(String(decoding: try Report.json(document), as: UTF8.self))
                } else {
                    try Report.writeJSON(document, to: json)
                    note("wrote \(json)")
                }
            }
        }

        func format(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : "undefined" }
    }
}
