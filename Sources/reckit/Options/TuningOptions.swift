import ArgumentParser
import RecKit

/// `--tune [BUDGET]` and `--tune-range` for `train` and `evaluate` (docs/evaluation.md, "Tuning").
struct TuningOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Tune the model's hyperparameters first (Hyperband over its declared ranges), scored on a validation split of the training data: a time (90s, 2m) or a number of fits (40); a bare --tune is 2m.",
                               valueName: "budget"))
    var tune: String?
    @Option(help: ArgumentHelp("With --tune: replace searched ranges, 'name=lo..hi;name2=a|b' (must contain the base value).", valueName: "ranges"))
    var tuneRange: String?
    @Option(help: "With --tune: share of the training data held out for validation.") var tuneValidation = 0.1
    @Option(help: "With --tune: finalists re-scored on two further validation splits before the choice, within a quarter of the budget (default 5; 0: off).")
    var tuneFinalists: Int?

    /// A bare `--tune` (last, or followed by another option) gets the default budget.
    static func rewrite(_ arguments: [String]) -> [String] {
        var a = arguments
        var k = 0
        while k < a.count {
            if a[k] == "--tune", k + 1 == a.count || a[k + 1].hasPrefix("--") { a.insert("2m", at: k + 1) }
            k += 1
        }
        return a
    }

    /// The tuner for `spec` with `base` settings, or nil without `--tune`.
    func tuner(for spec: ModelSpec, base: [String: FieldValue]) throws -> Tuner? {
        guard let tune else {
            if tuneRange != nil { throw ValidationError("--tune-range needs --tune") }
            if tuneFinalists != nil { throw ValidationError("--tune-finalists needs --tune") }
            return nil
        }
        guard tuneValidation > 0, tuneValidation < 1 else { throw ValidationError("--tune-validation must be in (0, 1), got \(tuneValidation)") }
        var ranges: [String: TuningSpace.Range] = [:]
        for part in (tuneRange ?? "").split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let field = spec.field(named: kv[0]) else {
                throw ValidationError("--tune-range: '\(part)' is not name=lo..hi or name=a|b with a setting of \(spec.name)")
            }
            guard let range = TuningSpace.Range.parse(kv[1], kind: field.kind) else {
                throw ValidationError("--tune-range: '\(kv[1])' is not a range of \(field.name) (\(field.kind.requirement); numbers as lo..hi, choices as a|b)")
            }
            ranges[field.name] = range
        }
        var tuner = try Tuner(spec: spec, budget: try TuningBudget.parse(tune), ranges: ranges, base: base)
        tuner.validationFraction = tuneValidation
        let finalists = tuneFinalists ?? tuner.confirmation.finalists
        guard finalists == 0 || (2...1000).contains(finalists) else {
            throw ValidationError("--tune-finalists must be 0 (off) or 2…1000, got \(finalists)")
        }
        tuner.confirmation = finalists == 0 ? .off : Tuner.Confirmation(finalists: finalists, splits: tuner.confirmation.splits, maximumSplits: tuner.confirmation.maximumSplits)
        return tuner
    }
}
