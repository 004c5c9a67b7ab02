import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit train`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a model on a rating file and save it.",
        discussion: "Example: reckit train als ratings.csv --implicit --factors 64 --out als.model\n\n" + ModelSettings.helpText)
    @Argument(help: "Model name: \(ModelRegistry.names.joined(separator: ", ")).") var model: String
    @Argument(help: "The training ratings.") var file: String?
    @Option(help: .hidden) var data: String?
    @OptionGroup var input: RatingFileOptions
    @Option(help: "Where to save the model.") var out: String
    @Option(help: "Write the fit's figures as JSON to this file (schema reckit-train/1, docs/cli.md).") var json: String?
    @Option(help: "bpmf: held-out ratings whose RMSE is reported after every sweep, beside the log-likelihood (they never affect the draws).")
    var probe: String?
    @OptionGroup var tuning: TuningOptions
    @OptionGroup var side: SideInformationOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var settings: ModelSettings

    func run() throws {
        try output.apply()
        if data != nil { deprecated("--data FILE", use: "reckit train \(model) FILE") }
        guard let path = file ?? data else { throw ValidationError("give the training file: reckit train \(model) FILE") }
        try OutputGuard.check(inputs: [path, probe, side.userAttributes, side.itemFeatures], outputs: [("--out", out), ("--json", json)])
        if probe != nil, model != BPMFRecommender.name { throw ValidationError("--probe reports a sampler's per-sweep RMSE: it applies to bpmf only") }
        let context = try execution.context(command: "train")
        let spec = try ModelRegistry.spec(named: model)
        let given = try settings.settings(for: [spec])
        let sideInformation = try side.load()
        let tuner = try tuning.tuner(for: spec, base: try spec.configuration(settings: given).filter { name, _ in given.contains { spec.field(named: $0.name)?.name == name } })
        var m = try spec.makeModel(settings: given, side: sideInformation)
        let train = try input.load(path, threads: context.threads)
        if spec.needsTimestamps && train.timestamps == nil {
            throw ValidationError("\(model) orders each user's history by time, and \(path) has no timestamps (give the field with --columns)")
        }
        var losses: [Double] = [], epochSeconds: [Double] = []
        let out = Reporter.shared
        var tuningReport: TuningReport?
        if let tuner {
            out.startJob()
            var experiment = Experiment()
            experiment.context = context
            let progress = ExperimentProgress(files: input)
            let report = try experiment.tune(tuner, on: train, progress: progress.handle)
            out.clearStatus()
            note(report.summary)
            m = try spec.makeModel(configuration: report.configuration, side: sideInformation)
            tuningReport = report
        }
        out.startJob()
        let clock = ContinuousClock(), start = clock.now
        var last: TrainingProgress?
        let report = { (p: TrainingProgress) in
            last = p
            epochSeconds.append(p.seconds)
            if let loss = p.loss { losses.append(loss) }
            let probeRMSE = (p.measures["averaged_probe_rmse"] ?? p.measures["probe_rmse"]).map { String(format: ", probe RMSE %.4f", $0) } ?? ""
            out.status("\(model) · \(p.summary)\(probeRMSE)", done: Double(p.epoch) / Double(max(1, p.epochs)))
        }
        if let probe, var bayesian = m as? BPMFRecommender {
            let probeData = try input.load(probe, threads: context.threads).aligned(to: train)
            if probeData.dropped > 0 { out.warning("--probe: \(probeData.dropped) ratings of users or items absent from \(path) are left out") }
            try bayesian.fit(train, probe: probeData.dataset, context: context, progress: report)
            m = bayesian
        } else {
            try m.fit(train, context: context, progress: report)
        }
        let seconds = (clock.now - start).seconds
        out.clearStatus()
        if let last, last.epoch < last.epochs {
            out.warning("training stopped early at epoch \(last.epoch) of \(last.epochs) (no better validation score within the patience; the best epoch's weights are kept)")
        }
        var archive = try m.archive()
        if let tuningReport { archive.strings["tuning_report"] = [String(decoding: try Report.json(tuningReport), as: UTF8.self)] }
        try archive.write(to: self.out)
        let median = epochSeconds.isEmpty ? seconds : epochSeconds.sorted()[epochSeconds.count / 2]
        note(String(format: "fitted %@ in %.3f s (median %.3f s per epoch, %@, %d threads); saved %@",
                    model, seconds, median, context.backend.rawValue, context.threads, self.out))
        if let json {
            let doc = TrainDocument(model: model, configuration: m.configurationValues.mapValues(\.description), fitSeconds: seconds,
                                    secondsPerEpoch: median, epochs: epochSeconds.count, epochSeconds: epochSeconds, losses: losses,
                                    backend: context.backend.rawValue, threads: context.threads, peakRssBytes: peakResidentBytes(), tuning: tuningReport,
                                    samples: (m as? BPMFRecommender)?.trace)
            try Report.writeJSON(JSONDocument(schema: "reckit-train/1", body: doc), to: json)
            note("wrote \(json)")
        }
    }
}

/// `reckit train --json`.
struct TrainDocument: Encodable {
    var model: String
    var configuration: [String: String]
    var fitSeconds: Double
    /// The median over epochs (the fit's seconds when it reports none).
    var secondsPerEpoch: Double
    var epochs: Int
    var epochSeconds: [Double]
    var losses: [Double]
    var backend: String
    var threads: Int
    var peakRssBytes: Int
    /// With `--tune`: the trials and what they chose.
    var tuning: TuningReport?
    /// bpmf: every Gibbs sweep (log-likelihood, noise precision, training RMSE; with `--probe`, the
    /// sweep's and the running average's probe RMSE).
    var samples: [BPMFSample]?
}
