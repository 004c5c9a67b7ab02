/// Checks an algorithm's options, throwing ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)``
/// that names the first one out of range and what it must be.
struct OptionCheck {
    let algorithm: String

    func fail(_ option: String, _ value: Any, _ requirement: String) -> AlgorithmError {
        .invalidOption(algorithm: algorithm, option: option, value: "\(value)", requirement: requirement)
    }

    /// Each value ≥ `minimum`.
    func atLeast(_ minimum: Int, _ options: KeyValuePairs<String, Int>) throws {
        for (option, value) in options where value < minimum { throw fail(option, value, "≥ \(minimum)") }
    }

    /// Each value finite and > 0.
    func positive(_ options: KeyValuePairs<String, Double>) throws {
        for (option, value) in options where !(value.isFinite && value > 0) { throw fail(option, value, "a finite number > 0") }
    }

    /// Each value finite and ≥ 0.
    func nonNegative(_ options: KeyValuePairs<String, Double>) throws {
        for (option, value) in options where !(value.isFinite && value >= 0) { throw fail(option, value, "a finite number ≥ 0") }
    }

    /// A share in [0, 1).
    func fraction(_ option: String, _ value: Double) throws {
        guard value >= 0, value < 1 else { throw fail(option, value, "in [0, 1)") }
    }
}
