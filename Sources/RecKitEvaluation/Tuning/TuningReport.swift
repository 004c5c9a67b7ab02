import RecKitModels

/// One fit of a tuning run: the sampled settings, the training length it was given and its
/// validation score (nil when the fit failed, e.g. SGD diverged at a large learning rate).
public struct TuningTrial: Sendable, Codable, Equatable {
    public var index: Int
    /// Hyperband bracket and successive-halving rung (0 = first).
    public var bracket: Int
    public var rung: Int
    /// The searched fields' values (the others are the base configuration's).
    public var settings: [String: FieldValue]
    /// The value of the resource field (epochs) for this fit.
    public var resource: Int?
    public var score: Double?
    public var error: String?
    public var seconds: Double
    /// The confirmation split this fit was scored on (nil: the validation split).
    public var split: Int?
}

/// What `--tune` did on one training set and what it chose; saved in the JSON report and in the
/// model file.
public struct TuningReport: Sendable, Codable, Equatable {
    public var model: String
    public var budget: TuningBudget
    /// `validation RMSE` or `validation NDCG@k`.
    public var metric: String
    public var lowerIsBetter: Bool
    /// The field successive halving grew (epochs), if any.
    public var resourceField: String?
    public var validationFraction: Double
    /// Ratings the trials were fitted on and scored on: together, the training set — nothing else.
    public var fitRatings: Int
    public var validationRatings: Int
    public var seed: UInt64
    public var trials: [TuningTrial]
    /// The chosen configuration (every field).
    public var configuration: [String: FieldValue]
    /// The chosen configuration's score: on the validation split, or with confirmation its mean
    /// on the confirmation splits.
    public var score: Double
    public var seconds: Double
    /// The trial (on the validation split) whose configuration was chosen.
    public var chosenTrial: Int?
    /// Further validation splits the finalists were scored on (nil: no confirmation).
    public var confirmationSplits: Int?

    /// `biased-mf: 57 trials in 118 s, best validation RMSE 0.9071 with --factors 212 …`.
    public var summary: String {
        let chosen = trials.first { $0.index == chosenTrial } ?? trials.first { $0.score == score }
        let settings = (chosen?.settings ?? [:]).sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }
            + (chosen?.resource.map { ["--\(resourceField ?? "epochs") \($0)"] } ?? [])
        let failed = trials.filter { $0.score == nil }.count
        return "\(model): \(trials.count) trials" + (failed > 0 ? " (\(failed) failed)" : "")
            + " in \(Int(seconds.rounded())) s, best \(metric) " + String(format: "%.5f", score)
            + (confirmationSplits.map { " (mean of \($0) confirmation splits)" } ?? "") + " with " + settings.joined(separator: " ")
    }
}
