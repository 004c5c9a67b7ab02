/// Errors from RecKit's dense linear algebra. Every case says what failed and, where there is
/// one, what to try.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Operand shapes do not fit together; `details` names every shape involved.
    case shapeMismatch(operation: String, details: String)
    /// An operand has no rows or no columns where the operation needs elements.
    case emptyMatrix(operation: String, shape: String)
    /// An input holds NaN or ±infinity where the operation needs finite values.
    case nonFinite(operation: String, argument: String, row: Int, column: Int, batchIndex: Int?)
    /// Cholesky found a leading minor that is not positive definite.
    case notPositiveDefinite(operation: String, order: Int, batchIndex: Int?)
    /// A LAPACK routine (or its pure-Swift counterpart) returned `info ≠ 0`.
    case factorizationFailed(operation: String, info: Int, hint: String)
    /// An iterative method did not converge within its iteration limit.
    case noConvergence(operation: String, iterations: Int)
    /// An argument is out of range (negative size, unknown option, …).
    case invalidArgument(String)
    /// An iterative trainer's loss became NaN/∞ or blew up; `hint` says which setting to change.
    case diverged(operation: String, iteration: Int, loss: Double, hint: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, details):
            return "\(op): shape mismatch: \(details)"
        case let .emptyMatrix(op, shape):
            return "\(op): the matrix is empty (\(shape)); it needs at least one row and one column"
        case let .nonFinite(op, arg, r, c, b):
            let batch = b.map { " of batch item \($0)" } ?? ""
            return "\(op): \(arg) holds a NaN or infinity at row \(r), column \(c)\(batch); clean the input first"
        case let .notPositiveDefinite(op, order, b):
            let batch = b.map { " (batch item \($0))" } ?? ""
            return "\(op): the matrix\(batch) is not positive definite: its leading minor of order \(order) is not positive. "
                + "If it is a regularised Gram matrix, increase the regularisation."
        case let .factorizationFailed(op, info, hint):
            return "\(op) failed (info = \(info)). \(hint)"
        case let .noConvergence(op, it):
            return "\(op) did not converge in \(it) iterations; the input may be badly scaled or hold NaN"
        case let .invalidArgument(message):
            return message
        case let .diverged(op, it, loss, hint):
            return "\(op) diverged: the training loss is \(loss) after epoch \(it). \(hint)"
        }
    }
}
