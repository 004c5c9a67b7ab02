/// Errors from evaluation: protocols, searches and experiment files. Errors of the models and
/// data an evaluation reads pass through as ``ModelError`` and `DataError`.
public enum EvaluationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The rating protocol was asked of a model that only ranks.
    case cannotPredictRatings(model: String)
    /// The test data holds nothing to evaluate.
    case emptyTest(String)
    /// An evaluation option is out of range.
    case invalidOption(option: String, value: String, requirement: String)
    /// The protocol splits one file itself and cannot take fixed train/test pairs.
    case needsOneFile(protocol: String)
    /// Leave-one-out got a different number of negative lists than held-out items.
    case mismatchedNegatives(heldOut: Int, lists: Int)
    /// A hyperparameter search was given no values for `model`.
    case emptySearchGrid(model: String)
    /// An experiment file is unreadable or not a valid experiment.
    case invalidExperiment(file: String, reason: String)
    /// Leave-one-out holds out each user's latest interaction, and `file` has no timestamps.
    case noTimestamps(file: String)
    /// `--tune` was given a training set too small to carve a validation split from.
    case tooSmallToTune(ratings: Int, needed: Int)
    /// Every tuning trial failed.
    case tuningFailed(model: String, trials: Int, firstError: String)

    public var description: String {
        switch self {
        case let .cannotPredictRatings(model):
            return "'\(model)' ranks items but does not predict ratings; use --protocol topn or loo"
        case let .emptyTest(what): return "the test set has no ratings (\(what))"
        case let .invalidOption(option, value, requirement): return "--\(option) must be \(requirement), got \(value)"
        case let .needsOneFile(p): return "--protocol \(p) splits one file by itself: give the FILE instead of --train/--test"
        case let .mismatchedNegatives(heldOut, lists): return "\(heldOut) held-out items but \(lists) negative lists"
        case let .emptySearchGrid(model): return "the search grid for '\(model)' is empty"
        case let .invalidExperiment(file, reason): return "\(file): \(reason)"
        case let .noTimestamps(file):
            return "\(file) has no timestamps, so leave-one-out cannot hold out each user's latest interaction"
        case let .tooSmallToTune(ratings, needed):
            return "--tune carves its validation split from the training data, which has \(ratings) ratings: it needs at least \(needed) "
                + "(\(Tuner.minimumValidationRatings) validation ratings); tune on more data or drop --tune"
        case let .tuningFailed(model, trials, firstError):
            return "--tune: all \(trials) trials of \(model) failed; the first: \(firstError)"
        }
    }
}
