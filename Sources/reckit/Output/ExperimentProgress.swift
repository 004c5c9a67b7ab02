import Foundation
import RecKit

/// Shows an experiment's events (``ExperimentEvent``): on a terminal one progress line per model,
/// with its fold, epoch and time left; with `--verbose` every event as a line; otherwise only the
/// layout of the first file read, notices and one line per model when it finishes.
final class ExperimentProgress: @unchecked Sendable {
    private let out = Reporter.shared
    private let files: RatingFileOptions
    private var reportedFirstLoad = false

    init(files: RatingFileOptions) { self.files = files }

    func handle(_ event: ExperimentEvent) {
        switch event {
        case .loaded(let r):
            if !reportedFirstLoad {
                files.report(r)
                reportedFirstLoad = true
            } else {
                out.detail("read \(r.file): \(r.ratingsKept) ratings")
                if r.dropsOrMerges { out.warning(r.summary) }
            }
        case let .epoch(model, fold, folds, p):
            let done = (Double(fold - 1) + Double(p.epoch) / Double(max(1, p.epochs))) / Double(folds)
            out.status("\(model) fold \(fold)/\(folds) · \(p.summary)", done: done)
        case let .fold(model, fold, folds, summary):
            if out.level == .verbose { out.detail("\(model) fold \(fold)/\(folds): \(summary)") }
            else { out.status("\(model) fold \(fold)/\(folds): \(summary)", done: Double(fold) / Double(folds)) }
        case let .trial(model, index, of, settings, score, metric):
            let text = String(format: "search %@ %d/%d %@: %@ %.5f", model, index, of, settings, metric, score)
            if out.level == .verbose { out.detail(text) } else { out.status(text, done: Double(index) / Double(of)) }
        case let .tuning(model, fold, folds, trial, report):
            let score = trial.score.map { String(format: "%.5f", $0) } ?? "failed"
            let length = trial.resource.map { " \(report.resourceField ?? "epochs") \($0)" } ?? ""
            let text = "tune \(model) fold \(fold) · trial \(trial.index) (bracket \(trial.bracket + 1), rung \(trial.rung + 1)\(length)): "
                + "\(report.metric) \(score), best " + String(format: "%.5f", report.score) + " · \(Int(report.seconds)) s of \(report.budget)"
            // The share of the whole job (every fold has its own budget), so the time left counts
            // the folds still to tune.
            let inFold: Double
            switch report.budget {
            case let .seconds(s): inFold = report.seconds / s
            case let .trials(n): inFold = Double(report.trials.count) / Double(n)
            }
            let done = (Double(fold - 1) + min(inFold, 1)) / Double(max(1, folds))
            if out.level == .verbose { out.detail(text) } else { out.status(text, done: done) }
        case .notice(let message):
            out.warning(message)
        }
    }
}
