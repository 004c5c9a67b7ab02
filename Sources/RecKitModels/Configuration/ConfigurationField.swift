/// One field of a ``ModelConfiguration``: its name, help, kind (with range and scale) and key path.
///
/// Build fields with the static constructors `integer`, `real`, `flag`, `choice`, `optionalInteger`
/// and `seed`.
public struct ConfigurationField<Configuration: ModelConfiguration>: Sendable {
    /// The name on the command line, in experiment files and in saved models (`learning-rate`).
    public let name: String
    /// One line saying what the field does.
    public let help: String
    /// The values it takes.
    public let kind: FieldKind
    /// Older spellings still accepted (with a deprecation warning).
    public let aliases: [String]
    /// The value a configuration saved before the field existed had; nil: such a configuration is
    /// refused (the model must be retrained).
    public var whenAbsent: FieldValue? = nil
    let read: @Sendable (Configuration) -> FieldValue
    let write: @Sendable (inout Configuration, FieldValue) -> Void

    /// The field's value in `configuration`.
    public func value(in configuration: Configuration) -> FieldValue { read(configuration) }

    /// The field's value in ``ModelConfiguration/init()``.
    public var defaultValue: FieldValue { read(Configuration()) }

    /// Sets the field to `value` after checking it against the field's kind and range.
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)``.
    public func set(_ value: FieldValue, in configuration: inout Configuration, model: String) throws {
        try check(value, model: model)
        write(&configuration, value)
    }

    /// Parses `text` (`0.05`, `true`, `cg`, `auto`) and sets the field.
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)``.
    public func set(parsing text: String, in configuration: inout Configuration, model: String) throws {
        try set(try kind.parse(text, field: name, model: model), in: &configuration, model: model)
    }

    /// Assigns without checking (a decoded value of the right kind).
    func assign(_ value: FieldValue, to configuration: inout Configuration) { write(&configuration, value) }

    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)`` when `value`
    ///   is of another kind or out of range.
    func check(_ value: FieldValue, model: String) throws {
        if let problem = kind.problem(with: value) {
            throw ModelError.invalidConfiguration(model: model, field: name, value: value.description, requirement: problem)
        }
    }

    /// The field's description without its configuration type, for help texts and searches.
    public var description: FieldDescription {
        FieldDescription(name: name, help: help, kind: kind, aliases: aliases, defaultValue: defaultValue, whenAbsent: whenAbsent)
    }
}

extension ConfigurationField {
    /// A whole number in `range`.
    public static func integer(_ name: String, _ path: WritableKeyPath<Configuration, Int>, range: ClosedRange<Int>,
                               scale: FieldScale = .linear, aliases: [String] = [], help: String) -> Self {
        let box = KeyPathBox(path)
        return Self(name: name, help: help, kind: .integer(range, scale), aliases: aliases,
             read: { .integer($0[keyPath: box.path]) }, write: { if case let .integer(v) = $1 { $0[keyPath: box.path] = v } })
    }

    /// A whole number in `range`, or none (`none` says what that means, e.g. "as --epochs").
    public static func optionalInteger(_ name: String, _ path: WritableKeyPath<Configuration, Int?>, range: ClosedRange<Int>,
                                       none: String, help: String) -> Self {
        let box = KeyPathBox(path)
        return Self(name: name, help: help, kind: .optionalInteger(range, none: none), aliases: [],
             read: { $0[keyPath: box.path].map { .integer($0) } ?? .none },
             write: { c, v in
                 if case let .integer(n) = v { c[keyPath: box.path] = n } else if case .none = v { c[keyPath: box.path] = nil }
             })
    }

    /// A finite real number in `range`; `scale` says how a search spreads its trials. `whenAbsent`:
    /// the value of configurations saved before the field existed.
    public static func real(_ name: String, _ path: WritableKeyPath<Configuration, Double>, range: ClosedRange<Double>,
                            scale: FieldScale = .linear, aliases: [String] = [], whenAbsent: Double? = nil, help: String) -> Self {
        let box = KeyPathBox(path)
        return Self(name: name, help: help, kind: .real(range, scale), aliases: aliases, whenAbsent: whenAbsent.map { .real($0) },
             read: { .real($0[keyPath: box.path]) },
             write: { c, v in
                 if case let .real(x) = v { c[keyPath: box.path] = x } else if case let .integer(n) = v { c[keyPath: box.path] = Double(n) }
             })
    }

    /// On or off (`--name`, `--no-name`, `--name true|false`).
    public static func flag(_ name: String, _ path: WritableKeyPath<Configuration, Bool>, aliases: [String] = [], help: String) -> Self {
        let box = KeyPathBox(path)
        return Self(name: name, help: help, kind: .flag, aliases: aliases,
             read: { .flag($0[keyPath: box.path]) }, write: { if case let .flag(b) = $1 { $0[keyPath: box.path] = b } })
    }

    /// One of an enumeration's cases, by its raw value. `whenAbsent`: the case of configurations
    /// saved before the field existed.
    public static func choice<Choice: ConfigurationChoice>(_ name: String, _ path: WritableKeyPath<Configuration, Choice>,
                                                          aliases: [String] = [], whenAbsent: Choice? = nil, help: String) -> Self {
        let box = KeyPathBox(path)
        return Self(name: name, help: help, kind: .choice(Choice.allCases.map(\.rawValue)), aliases: aliases,
             whenAbsent: whenAbsent.map { .choice($0.rawValue) },
             read: { .choice($0[keyPath: box.path].rawValue) },
             write: { if case let .choice(s) = $1, let v = Choice(rawValue: s) { $0[keyPath: box.path] = v } })
    }

    /// The seed every random choice of the model derives from.
    public static func seed(_ path: WritableKeyPath<Configuration, UInt64>,
                            help: String = "the seed of every random choice (initial values, shuffles, samples)") -> Self {
        let box = KeyPathBox(path)
        return Self(name: "seed", help: help, kind: .seed, aliases: [],
             read: { .seed($0[keyPath: box.path]) },
             write: { c, v in
                 if case let .seed(s) = v { c[keyPath: box.path] = s } else if case let .integer(n) = v, n >= 0 { c[keyPath: box.path] = UInt64(n) }
             })
    }
}

/// An enumeration a configuration field chooses from; its raw values are what the command line,
/// experiment files and saved models write.
public protocol ConfigurationChoice: RawRepresentable<String>, CaseIterable, Codable, Sendable, Equatable {}

/// A field without its configuration type: what help texts, searches and reports need.
public struct FieldDescription: Sendable, Equatable {
    public let name: String
    public let help: String
    public let kind: FieldKind
    public let aliases: [String]
    public let defaultValue: FieldValue
    /// The value of configurations saved before the field existed (nil: they are refused).
    public let whenAbsent: FieldValue?
}

/// A key path shared between threads: key paths are immutable once formed.
struct KeyPathBox<Root, Value>: @unchecked Sendable {
    let path: WritableKeyPath<Root, Value>
    init(_ path: WritableKeyPath<Root, Value>) { self.path = path }
}
