import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks
import RecKitServing

extension Bandit {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay policies on a rating file: cumulative click-through rate against rounds (protocol in docs/serving.md).",
            discussion: "Example: reckit bandit simulate ../shared/data/ml-100k/u.data --rounds 20000 --json sim.json --svg sim.svg")
        @Argument(help: "The rating file.") var file: String
        @OptionGroup var input: RatingFileOptions
        @Option(help: "Policies, comma-separated (see reckit serve --help).")
        var policies = "greedy,epsilon-greedy:0.05,epsilon-greedy:0.1,epsilon-greedy:0.2,softmax,ucb:1,thompson:1"
        @Option(help: "Rounds (one arriving user each).") var rounds = 10_000
        @Option(help: "Items shown per round.") var slate = 5
        @Option(help: "Future ratings at or above this are clicks.") var threshold: Float = 4
        @Option(help: "What a shown item the user never rated counts as: miss (a non-click) or skip (not counted: Li et al.'s replay).")
        var unrated: BanditSimulation.UnratedOutcome = .miss
        @Option(help: "ALS factors.") var factors = 32
        @Option(help: "σ of the posterior of ucb and thompson.") var posteriorScale = 0.1
        @Option(help: "Seed of the split, the arrivals and the policies' draws.") var seed: UInt64 = 1
        @Option(help: "Write the curves as JSON to this file (schema reckit-bandit-simulate/1).") var json: String?
        @Option(help: "Write the chart (cumulative CTR against rounds) as SVG to this file.") var svg: String?
        @Option(help: "Write every shown item (request_id, user, item, position, reward, propensity) as CSV to this file: logged feedback for reckit bandit evaluate. Needs exactly one policy.")
        var log: String?
        @Option(help: "Save the ALS model fitted on the histories to this file (evaluate other policies on the --log with it).")
        var saveModel: String?
        @OptionGroup var execution: ExecutionOptions
        @OptionGroup var output: OutputOptions

        struct Document: Encodable {
            var file: String
            var rounds: Int
            var slate: Int
            var threshold: Float
            var unrated: BanditSimulation.UnratedOutcome
            var factors: Int
            var posteriorScale: Double
            var seed: UInt64
            var curves: [BanditSimulation.Curve]
        }

        func run() throws {
            try output.apply()
            guard rounds >= 1, slate >= 1, factors >= 1 else { throw ValidationError("--rounds, --slate and --factors must be ≥ 1") }
            guard posteriorScale > 0, posteriorScale.isFinite else { throw ValidationError("--posterior-scale must be > 0") }
            let list = try Bandit.policies(policies, flag: "--policies")
            try OutputGuard.check(inputs: [file], outputs: [("--log", log), ("--save-model", saveModel), ("--json", json), ("--svg", svg)])
            if log != nil, list.count != 1 {
                throw ValidationError("--log records one logging policy; give exactly one with --policies (got \(list.count))")
            }
            let context = try execution.context(command: "bandit simulate")
            let data = try input.load(file, threads: context.threads)
            var sim = BanditSimulation()
            sim.rounds = rounds; sim.slate = slate; sim.threshold = threshold; sim.unrated = unrated; sim.factors = factors
            sim.posteriorScale = posteriorScale; sim.seed = seed; sim.modelPath = saveModel
            let out = Reporter.shared
            out.startJob()
            let total = Double(rounds * list.count)
            var done = 0
            var logged: [LoggedFeedback.Row] = []
            let curves = try sim.run(data, policies: list, context: context, record: log == nil ? nil : { logged.append($1) }) { policy, round in
                out.status("\(policy): round \(round)/\(rounds)", done: (Double(done) + Double(round)) / total)
                if round == rounds { done += rounds }
            }
            out.clearStatus()
            print("| Policy | CTR at \(rounds / 10) rounds | at \(rounds / 2) | at \(rounds) | clicks / shown | seconds |")
            print("|---|---|---|---|---|---|")
            for c in curves {
                func at(_ r: Int) -> String {
                    guard let k = c.rounds.lastIndex(where: { $0 <= r }) else { return "–" }
                    return String(format: "%.4f", c.ctr[k])
                }
                print("| \(c.policy) | \(at(rounds / 10)) | \(at(rounds / 2)) | \(at(rounds)) | \(c.clicks) / \(c.shown) | \(String(format: "%.1f", c.seconds)) |")
            }
            if let json {
                let doc = Document(file: file, rounds: rounds, slate: slate, threshold: threshold, unrated: unrated, factors: factors, posteriorScale: posteriorScale,
                                   seed: seed, curves: curves)
                try Report.writeJSON(JSONDocument(schema: "reckit-bandit-simulate/1", body: doc), to: json)
                note("wrote \(json)")
            }
            if let log {
                try AtomicOutput.write(LoggedFeedback.csv(logged), to: log)
                note("wrote \(logged.count) logged decisions to \(log)")
            }
            if let svg {
                let text = Charts.curvesSVG(title: "Cumulative click-through rate, \(slate) items per round (\((file as NSString).lastPathComponent), seed \(seed))",
                                            xLabel: "rounds (arriving users)", yLabel: "cumulative CTR (clicks ÷ shown)",
                                            series: curves.map { c in (c.policy, zip(c.rounds, c.ctr).map { (Double($0), $1) }) })
                try AtomicOutput.write(text, to: svg)
                note("wrote \(svg)")
            }
        }
    }
}

extension BanditSimulation.UnratedOutcome: ExpressibleByArgument {}
