import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit train`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a model on a rating file and save it.",
        discussion: "Example: reckit train als --data ratings.csv --implicit --factors 64 --out als.model\n\n" + ModelSettings.helpText)
    @Argument(help: "Model name: \(ModelRegistry.names.joined(separator: ", ")).") var model: String
    @Option(help: "Training ratings.") var data: String
    @Option(help: "Where to save the model.") var out: String
    @Option(help: "Write the fit's figures as JSON to this file.") var json: String?
    @Flag(help: "Skip bad lines instead of stopping.") var lenient = false
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var settings: ModelSettings

    func run() throws {
        let context = try execution.context()
        let train = try RatingDataset.load(path: data, options: LoadOptions(mode: lenient ? .lenient : .strict, threads: context.threads))
        if let r = train.report { note(r.summary) }
        let spec = try ModelRegistry.spec(named: model)
        var m = try spec.makeModel(settings: try settings.settings(for: [spec]), side: try side.load())
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
