import RecKitAlgorithms
import RecKitData

/// Errors from models. Every case carries what failed as fields — the model, the configuration
/// field, the user or item by its id, the algorithm's own error — so that nothing needs to read the
/// message.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The model has not been fitted (or loaded) yet.
    case notFitted(model: String)
    /// No model is registered under `name`.
    case unknownModel(name: String, available: [String])
    /// The model's configuration has no field `field`.
    case unknownField(model: String, field: String, known: [String])
    /// A configuration field holds a value it does not allow (out of range, or contradicting
    /// another field); `requirement` says what it must be.
    case invalidConfiguration(model: String, field: String, value: String, requirement: String)
    /// A user the model does not know (an id, or an index outside the training data).
    case unknownUser(model: String, user: String)
    /// An item the model does not know.
    case unknownItem(model: String, item: String)
    /// Input to a model call is malformed (a fold-in history, features, a request).
    case invalidInput(model: String, operation: String, reason: String)
    /// The model cannot do `operation`; `hint` says which models can or what to do instead.
    case unsupported(model: String, operation: String, hint: String)
    /// The training data does not suit the model (no ratings, no timestamps, …).
    case unsuitableData(model: String, reason: String)
    /// The algorithm failed while fitting; `user` and `item` are the training ids of the user or
    /// item it names, if any.
    case fitFailed(model: String, cause: AlgorithmError, user: String?, item: String?)
    /// A model file is unreadable, corrupted, or does not hold what it should.
    case invalidArchive(file: String, reason: String)

    public var description: String {
        switch self {
        case let .notFitted(model):
            return "\(model): the model is not fitted yet; call fit or load a saved model"
        case let .unknownModel(name, available):
            return "unknown model '\(name)'; available: \(available.joined(separator: ", "))"
        case let .unknownField(model, field, known):
            return "model '\(model)' has no setting --\(field)" + (known.isEmpty ? " (it has none)" : "; its settings: \(known.map { "--" + $0 }.joined(separator: ", "))")
        case let .invalidConfiguration(model, field, value, requirement):
            return "\(model): --\(field) must be \(requirement), got \(value)"
        case let .unknownUser(model, user):
            return "\(model): unknown user \(user)"
        case let .unknownItem(model, item):
            return "\(model): unknown item \(item)"
        case let .invalidInput(model, operation, reason):
            return "\(model) \(operation): \(reason)"
        case let .unsupported(model, operation, hint):
            return "'\(model)' cannot \(operation); \(hint)"
        case let .unsuitableData(model, reason):
            return "\(model): \(reason)"
        case let .fitFailed(model, cause, user, item):
            return "\(model): " + Self.describe(cause, user: user, item: item)
        case let .invalidArchive(file, reason):
            return "\(file): \(reason)"
        }
    }

    /// The algorithm's error, with the user or item it names given by id.
    static func describe(_ cause: AlgorithmError, user: String?, item: String?) -> String {
        func who(_ side: FactorSide, _ index: Int) -> String {
            let id = side == .user ? user : item
            return id.map { "\(side) '\($0)' (index \(index))" } ?? "\(side) \(index)"
        }
        switch cause {
        case let .singularSystem(algorithm, side, index, entries, minor, order, precision, hint):
            return AlgorithmError.singularMessage(algorithm: algorithm, who: who(side, index), entries: entries, minor: minor,
                                                  order: order, precision: precision, hint: hint)
        case let .nonFiniteFactors(algorithm, side, index, hint):
            return "\(algorithm): the factors of \(who(side, index)) became non-finite; \(hint)"
        case let .nonFiniteInput(algorithm, _, _) where user != nil && item != nil:
            return "\(algorithm): the rating of user '\(user!)', item '\(item!)' is not finite (NaN or ∞)"
        default:
            return cause.description
        }
    }

    /// The model error for an algorithm's `cause` during a fit on `train`, naming the user or item
    /// at fault by its training id (the algorithm counts users as rows and items as columns).
    static func fitFailed(model: String, cause: AlgorithmError, in train: RatingDataset) -> ModelError {
        var user: String?, item: String?
        func userID(_ u: Int) -> String? { u >= 0 && u < train.userCount ? train.userIDs.externalID(u) : nil }
        func itemID(_ i: Int) -> String? { i >= 0 && i < train.itemCount ? train.itemIDs.externalID(i) : nil }
        switch cause {
        case let .singularSystem(_, side, index, _, _, _, _, _), let .nonFiniteFactors(_, side, index, _):
            if side == .user { user = userID(index) } else { item = itemID(index) }
        case let .nonFiniteInput(_, row, column):
            user = userID(row); item = itemID(column)
        case let .invalidInput(_, row, column, _):
            user = row.flatMap(userID); item = column.flatMap(itemID)
        default: break
        }
        return .fitFailed(model: model, cause: cause, user: user, item: item)
    }
}
