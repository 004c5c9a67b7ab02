/// Which side of a factorisation a row belongs to: the users (rows of the rating matrix) or the
/// items (its columns).
public enum FactorSide: String, Sendable, Equatable, CustomStringConvertible {
    case user, item

    public var description: String { rawValue }
}
