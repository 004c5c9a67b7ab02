import Foundation

/// The value of one configuration field. In JSON it is a number, a boolean, a string (a choice) or
/// null (an optional field left unset).
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case integer(Int)
    case real(Double)
    case flag(Bool)
    case choice(String)
    case seed(UInt64)
    /// An optional field without a value.
    case none

    public var description: String {
        switch self {
        case let .integer(n): return "\(n)"
        case let .real(x): return "\(x)"
        case let .flag(b): return "\(b)"
        case let .choice(s): return s
        case let .seed(s): return "\(s)"
        case .none: return "none"
        }
    }

    /// The value as a Double, for numeric fields (searches, reports).
    public var number: Double? {
        switch self {
        case let .integer(n): return Double(n)
        case let .real(x): return x
        case let .seed(s): return Double(s)
        default: return nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .integer(n): try c.encode(n)
        case let .real(x): try c.encode(x)
        case let .flag(b): try c.encode(b)
        case let .choice(s): try c.encode(s)
        case let .seed(s): try c.encode(s)
        case .none: try c.encodeNil()
        }
    }

    /// Whole numbers decode as `.integer` (or `.seed` when above `Int.max`), others as `.real`; a
    /// field's kind converts them where it must (when the configuration is set from them).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .none }
        else if let b = try? c.decode(Bool.self) { self = .flag(b) }
        else if let n = try? c.decode(Int.self) { self = .integer(n) }
        else if let s = try? c.decode(UInt64.self) { self = .seed(s) }
        else if let x = try? c.decode(Double.self) { self = .real(x) }
        else { self = .choice(try c.decode(String.self)) }
    }
}

/// How a search spreads its trials over a numeric field's range.
public enum FieldScale: String, Sendable, Equatable {
    /// Evenly (epochs, dropout).
    case linear
    /// Evenly in the logarithm (learning rates, regularisation, factors).
    case logarithmic
}

/// The values a field takes.
public enum FieldKind: Sendable, Equatable, CustomStringConvertible {
    case integer(ClosedRange<Int>, FieldScale)
    case optionalInteger(ClosedRange<Int>, none: String)
    case real(ClosedRange<Double>, FieldScale)
    case flag
    case choice([String])
    case seed

    /// `1…100000`, `true|false`, `cg|cholesky`, as help texts print the kind.
    public var description: String {
        switch self {
        case let .integer(r, _): return "\(r.lowerBound)…\(r.upperBound)"
        case let .optionalInteger(r, none): return "\(r.lowerBound)…\(r.upperBound) or auto (\(none))"
        case let .real(r, _): return "\(Self.format(r.lowerBound))…\(Self.format(r.upperBound))"
        case .flag: return "true|false"
        case let .choice(options): return options.joined(separator: "|")
        case .seed: return "integer ≥ 0"
        }
    }

    /// `5`, `0.05`, `1e9`, `1e-12`: short forms for help texts.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e6 { return "\(Int(x))" }
        let exponent = x == 0 ? 0 : Int(Foundation.log10(abs(x)).rounded())
        if x != 0, abs(x - Foundation.pow(10, Double(exponent)) * (x < 0 ? -1 : 1)) <= abs(x) * 1e-12 { return (x < 0 ? "-" : "") + "1e\(exponent)" }
        return "\(x)"
    }

    /// Whether `value` is of this kind (before range checks); integers count as reals.
    func accepts(_ value: FieldValue) -> Bool {
        switch (self, value) {
        case (.integer, .integer), (.real, .real), (.real, .integer), (.flag, .flag), (.choice, .choice), (.seed, .seed), (.seed, .integer),
             (.optionalInteger, .integer), (.optionalInteger, .none): return true
        default: return false
        }
    }

    /// What a value of this kind must be, as error messages say it: `an integer in 1…100000`,
    /// `one of automatic, cholesky, cg`.
    public var requirement: String {
        switch self {
        case let .integer(r, _): return "an integer in \(r.lowerBound)…\(r.upperBound)"
        case let .optionalInteger(r, none): return "an integer in \(r.lowerBound)…\(r.upperBound), or auto (\(none))"
        case let .real(r, _): return "a finite number in \(Self.format(r.lowerBound))…\(Self.format(r.upperBound))"
        case .flag: return "true or false"
        case let .choice(options): return "one of \(options.joined(separator: ", "))"
        case .seed: return "an integer ≥ 0"
        }
    }

    /// Why `value` is not allowed, or nil.
    func problem(with value: FieldValue) -> String? {
        switch (self, value) {
        case let (.integer(r, _), .integer(n)), let (.optionalInteger(r, _), .integer(n)): return r.contains(n) ? nil : requirement
        case (.optionalInteger, .none), (.flag, .flag), (.seed, .seed): return nil
        case let (.real(r, _), .real(x)): return x.isFinite && r.contains(x) ? nil : requirement
        case let (.real(r, _), .integer(n)): return r.contains(Double(n)) ? nil : requirement
        case let (.seed, .integer(n)): return n >= 0 ? nil : requirement
        case let (.choice(options), .choice(s)): return options.contains(s) ? nil : requirement
        default: return requirement
        }
    }

    /// The value `text` spells for this kind. A choice may also be given by its position in the
    /// list (0, 1, …: the number codes of RecKit 0.1, deprecated).
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)``.
    func parse(_ text: String, field: String, model: String) throws -> FieldValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        func bad() -> ModelError { .invalidConfiguration(model: model, field: field, value: text, requirement: requirement) }
        switch self {
        case .integer:
            if let n = Int(t) { return .integer(n) }
            // 1e3 or 64.0 from a search grid or an old file: accepted when whole
            if let x = Double(t), x == x.rounded(), abs(x) < 1e15 { return .integer(Int(x)) }
            throw bad()
        case .optionalInteger:
            if ["auto", "none", ""].contains(t.lowercased()) { return .none }
            if let n = Int(t) { return .integer(n) }
            throw bad()
        case .real:
            guard let x = Double(t) else { throw bad() }
            return .real(x)
        case .flag:
            switch t.lowercased() {
            case "true", "yes", "on", "1": return .flag(true)
            case "false", "no", "off", "0": return .flag(false)
            default: throw bad()
            }
        case let .choice(options):
            if options.contains(t) { return .choice(t) }
            if let match = options.first(where: { $0.lowercased() == t.lowercased() }) { return .choice(match) }
            if let x = Double(t), x == x.rounded(), x >= 0, Int(x) < options.count {
                ConfigurationWarnings.emit("\(model): --\(field) \(t) (a number code) is deprecated; write --\(field) \(options[Int(x)])")
                return .choice(options[Int(x)])
            }
            throw bad()
        case .seed:
            if let s = UInt64(t) { return .seed(s) }
            if let x = Double(t), x >= 0, x == x.rounded(), x < 1.8e19 { return .seed(UInt64(x)) }
            throw bad()
        }
    }
}

/// Literals for configurations written in code: `["factors": 64, "alpha": 0.5, "implicit": true, "solver": "cg"]`.
extension FieldValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(stringLiteral value: String) { self = .choice(value) }
}
