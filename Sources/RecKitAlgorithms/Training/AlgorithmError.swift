import RecKitLinearAlgebra

/// Errors from RecKit's algorithms (ALS, SGD, truncated SVD, item similarities, the neural
/// toolkit). Every case carries what failed as fields — the algorithm, the option, the row or
/// user/item index, the precision — so that callers (the model layer, the command line) can name
/// the user or item by its id and say what to change, without reading the message.
public enum AlgorithmError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An option is out of range or contradicts another: `option` names it as the algorithm's
    /// options do (`factors`, `learningRate`), `requirement` says what it must be.
    case invalidOption(algorithm: String, option: String, value: String, requirement: String)
    /// The input has nothing to learn from (no rows, columns or entries).
    case emptyInput(algorithm: String, details: String)
    /// An input value is NaN or ±∞ at (`row`, `column`) of the input matrix.
    case nonFiniteInput(algorithm: String, row: Int, column: Int)
    /// An input value or structure the algorithm cannot take (a negative implicit value, an id
    /// outside its range, a missing timestamp); `row` and `column` where one entry is at fault.
    case invalidInput(algorithm: String, row: Int?, column: Int?, reason: String)
    /// Operand shapes do not fit together.
    case shapeMismatch(algorithm: String, details: String)
    /// The least-squares system of one user or item is not positive definite in `precision`: its
    /// Cholesky factorisation failed at leading minor `minor` of `order`.
    case singularSystem(algorithm: String, side: FactorSide, index: Int, entries: Int, minor: Int, order: Int,
                        precision: DType, hint: String)
    /// A whole matrix the algorithm factors is not positive definite (e.g. EASE's `XᵀX + λI`).
    case notPositiveDefinite(algorithm: String, matrix: String, minor: Int, precision: DType, hint: String)
    /// The factors of one user or item became NaN or ±∞.
    case nonFiniteFactors(algorithm: String, side: FactorSide, index: Int, hint: String)
    /// The training loss became NaN or ±∞, or grew past the divergence limit, after `epoch`.
    case diverged(algorithm: String, epoch: Int, loss: Double, hint: String)

    public var description: String {
        switch self {
        case let .invalidOption(algorithm, option, value, requirement):
            return "\(algorithm): \(option) must be \(requirement), got \(value)"
        case let .emptyInput(algorithm, details):
            return "\(algorithm): nothing to learn from (\(details))"
        case let .nonFiniteInput(algorithm, row, column):
            return "\(algorithm): the value at row \(row), column \(column) is not finite (NaN or ∞); clean the input first"
        case let .invalidInput(algorithm, row, column, reason):
            let at = row.map { r in column.map { " (row \(r), column \($0))" } ?? " (row \(r))" } ?? ""
            return "\(algorithm): \(reason)\(at)"
        case let .shapeMismatch(algorithm, details):
            return "\(algorithm): shape mismatch: \(details)"
        case let .singularSystem(algorithm, side, index, entries, minor, order, precision, hint):
            return Self.singularMessage(algorithm: algorithm, who: "\(side) \(index)", entries: entries, minor: minor, order: order,
                                        precision: precision, hint: hint)
        case let .notPositiveDefinite(algorithm, matrix, minor, precision, hint):
            return "\(algorithm): \(matrix) is not positive definite in \(precision) (leading minor \(minor)); \(hint)"
        case let .nonFiniteFactors(algorithm, side, index, hint):
            return "\(algorithm): the factors of \(side) \(index) became non-finite; \(hint)"
        case let .diverged(algorithm, epoch, loss, hint):
            return "\(algorithm) diverged: the training loss is \(loss) after epoch \(epoch). \(hint)"
        }
    }

    /// The message of ``singularSystem(algorithm:side:index:entries:minor:order:precision:hint:)`` for
    /// `who` (an index, or an id the model layer knows): what is at fault and the remedy first, the
    /// linear-algebra detail last.
    public static func singularMessage(algorithm: String, who: String, entries: Int, minor: Int, order: Int,
                                       precision: DType, hint: String) -> String {
        "\(algorithm): \(who) has \(entries) rating(s), too few to determine its factors without more regularization; "
            + "\(hint) (its least-squares system, of order \(order) with padding, is singular in \(precision): Cholesky failed at leading minor \(minor))"
    }

    /// The same error with `index` (of a user or item, counted in the algorithm's input) and the
    /// algorithm's own name left as they are; for the model layer, which maps indexes to ids.
    public var factorIndex: (side: FactorSide, index: Int)? {
        switch self {
        case let .singularSystem(_, side, index, _, _, _, _, _), let .nonFiniteFactors(_, side, index, _): return (side, index)
        default: return nil
        }
    }
}
