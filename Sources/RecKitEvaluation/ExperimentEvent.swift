import RecKitAlgorithms
import RecKitData

/// What an experiment reports while it runs, for a caller to show as it sees fit.
public enum ExperimentEvent: Sendable {
    /// A rating file was read.
    case loaded(LoadReport)
    /// One epoch of a model's fit on a fold (folds count from 1).
    case epoch(model: String, fold: Int, folds: Int, TrainingProgress)
    /// A fold was fitted and evaluated: its figures in a few words.
    case fold(model: String, fold: Int, folds: Int, summary: String)
    /// A search candidate was scored on validation (`index` counts from 1).
    case trial(model: String, index: Int, of: Int, settings: String, score: Double, metric: String)
    /// A tuning trial finished on a fold's training data (fold `fold` of `folds`, each tuned on its
    /// own budget); `report` is that fold's run so far.
    case tuning(model: String, fold: Int, folds: Int, trial: TuningTrial, report: TuningReport)
    /// Something a user should know about the results: a fit that stopped early, users skipped,
    /// predictions that fell back to a default, a model left out of a protocol.
    case notice(String)
}
