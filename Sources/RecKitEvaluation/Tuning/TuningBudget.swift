import Foundation

/// How much work `--tune` may spend on one training set: wall time, or a number of fits.
///
/// A trial budget is reproducible (the same trials for a seed on any machine); a time budget runs
/// as many trials as fit in it on this machine, and its report says how many, so `--tune N`
/// repeats it exactly.
public enum TuningBudget: Sendable, Equatable, Codable, CustomStringConvertible {
    case seconds(Double)
    case trials(Int)

    /// The default of a bare `--tune`: two minutes.
    public static let standard = TuningBudget.seconds(120)

    /// `90s`, `2m`, `1.5m` (time) or `40` (fits).
    /// - Throws: ``EvaluationError/invalidOption(option:value:requirement:)`` for anything else,
    ///   and for a budget of zero or less.
    public static func parse(_ text: String) throws -> TuningBudget {
        let requirement = "a time (90s, 2m) or a number of trials (40), greater than zero"
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(t) {
            guard n > 0 else { throw EvaluationError.invalidOption(option: "tune", value: text, requirement: requirement) }
            return .trials(n)
        }
        let units: [(suffix: String, seconds: Double)] = [("min", 60), ("m", 60), ("s", 1)]
        for unit in units where t.hasSuffix(unit.suffix) {
            guard let x = Double(t.dropLast(unit.suffix.count)), x.isFinite, x > 0 else { break }
            return .seconds(x * unit.seconds)
        }
        throw EvaluationError.invalidOption(option: "tune", value: text, requirement: requirement)
    }

    public var description: String {
        switch self {
        case let .seconds(s): return s.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(s) / 60) min" : String(format: "%g s", s)
        case let .trials(n): return "\(n) trials"
        }
    }
}
