/// A model's hyperparameters as one typed value: the single home of their defaults.
///
/// A configuration is a struct whose stored properties carry the defaults (``init()`` builds it with
/// every field at its default) and whose ``fields`` describe each property once — its name on the
/// command line (`learning-rate`), its help, its range and scale, its key path. Everything that
/// reads or writes hyperparameters goes through that description: the command line's flags and
/// `--set`, `--help`, the hyperparameter search, experiment files and saved models (which store the
/// configuration as fitted, every field present, so that restoring never substitutes a default).
///
/// ```swift
/// var als = ALSRecommender(ALSConfiguration { $0.factors = 32; $0.implicit = true })
/// ```
public protocol ModelConfiguration: Codable, Sendable, Equatable {
    /// Every field at its default.
    init()

    /// Each field, described once, in the order help texts list them.
    static var fields: [ConfigurationField<Self>] { get }

    /// Checks that fields agree with each other; each field's own range is checked from its
    /// description first. The default checks nothing.
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)``.
    func checkRelations(model: String) throws

    /// The ranges `--tune` searches and the field it grows by rung; ``TuningSpace/none`` (the
    /// default) when the model is not tuned.
    static var tuning: TuningSpace { get }
}

extension ModelConfiguration {
    /// The defaults with `configure` applied: `ALSConfiguration { $0.factors = 32 }`.
    public init(_ configure: (inout Self) -> Void) {
        self.init()
        configure(&self)
    }

    public func checkRelations(model: String) throws {}

    public static var tuning: TuningSpace { .none }

    /// Checks every field against its range, then the relations between fields.
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)`` naming the field.
    public func validate(model: String) throws {
        for field in Self.fields { try field.check(field.value(in: self), model: model) }
        try checkRelations(model: model)
    }

    /// The field called `name` (or one of its deprecated aliases).
    public static func field(named name: String) -> ConfigurationField<Self>? {
        fields.first { $0.name == name } ?? fields.first { $0.aliases.contains(name) }
    }

    /// Every field's value by name.
    public var values: [String: FieldValue] {
        Dictionary(uniqueKeysWithValues: Self.fields.map { ($0.name, $0.value(in: self)) })
    }

    /// Encoded as a JSON object of field names and values (`{"factors": 64, "solver": "cg"}`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        for field in Self.fields { try container.encode(field.value(in: self), forKey: FieldKey(field.name)) }
    }

    /// Decoded from a JSON object holding every field: a missing or unknown field is an error,
    /// never a default.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: FieldKey.self)
        let known = Set(Self.fields.map(\.name))
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(forKey: unknown, in: container,
                                                   debugDescription: "no field '\(unknown.stringValue)'; the fields are \(Self.fields.map(\.name).joined(separator: ", "))")
        }
        for field in Self.fields {
            let key = FieldKey(field.name)
            guard container.contains(key) else {
                if let value = field.whenAbsent {
                    field.assign(value, to: &self)
                    continue
                }
                throw DecodingError.keyNotFound(key, .init(codingPath: container.codingPath, debugDescription: "the configuration has no '\(field.name)'"))
            }
            let value = try container.decode(FieldValue.self, forKey: key)
            guard field.kind.accepts(value) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(field.name)' cannot be \(value)")
            }
            field.assign(value, to: &self)
        }
    }
}

/// A JSON key named by a field.
struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
