import RecKitData

/// A registered model: its name, summary, capabilities and configuration fields, and how to build,
/// configure and restore it — all derived from the model type, so that registering a type is all a
/// model needs to be reachable from the command line, the search, experiment files and the
/// conformance suite.
public struct ModelSpec: Sendable {
    public let name: String
    public let summary: String
    /// Whether the model estimates ratings with its default configuration.
    public let predictsRatings: Bool
    /// Whether the model tells users apart when ranking (``Recommender/personalized``).
    public let personalized: Bool
    /// Whether training needs timestamps (``Recommender/needsTimestamps``).
    public let needsTimestamps: Bool
    /// Whether the model folds in new users (``FoldingIn``).
    public let foldsIn: Bool
    /// The configuration's fields, in their declared order.
    public let fields: [FieldDescription]
    /// What `--tune` searches (``TuningSpace/none`` for models that are not tuned).
    public let tuning: TuningSpace
    let configure: @Sendable ([(name: String, value: String)]) throws -> [String: FieldValue]
    let build: @Sendable ([String: FieldValue], SideInformation) throws -> any Recommender
    let restoreArchive: @Sendable (ModelArchive) throws -> any Recommender
    let decode: @Sendable (ModelArchive) throws -> [String: FieldValue]

    /// The registry entry of model type `M`.
    public init<M: Recommender>(_ type: M.Type) {
        name = M.name
        summary = M.summary
        predictsRatings = M(M.Configuration()).ratingPredictor
        personalized = M.personalized
        needsTimestamps = M.needsTimestamps
        foldsIn = M.self is any FoldingIn.Type
        fields = M.Configuration.fields.map(\.description)
        tuning = M.Configuration.tuning
        configure = { settings in
            var configuration = M.Configuration()
            for (name, text) in settings {
                guard let field = M.Configuration.field(named: name) else {
                    throw ModelError.unknownField(model: M.name, field: name, known: M.Configuration.fields.map(\.name))
                }
                if field.name != name {
                    ConfigurationWarnings.emit("\(M.name): --\(name) is deprecated; write --\(field.name)")
                }
                try field.set(parsing: text, in: &configuration, model: M.name)
            }
            try configuration.validate(model: M.name)
            return configuration.values
        }
        build = { values, side in
            var configuration = M.Configuration()
            for field in M.Configuration.fields {
                if let v = values[field.name] { try field.set(v, in: &configuration, model: M.name) }
            }
            try configuration.validate(model: M.name)
            var model = M(configuration)
            model.use(side)
            return model
        }
        restoreArchive = { try M(archive: $0) }
        decode = { try $0.configuration(M.Configuration.self).values }
    }

    /// The configuration stored in an archive of this model, decoded with the model's configuration
    /// type: every field must be present and valid.
    /// - Throws: ``ModelError/invalidArchive(file:reason:)`` naming the missing or bad field.
    public func configuration(in archive: ModelArchive) throws -> [String: FieldValue] { try decode(archive) }

    /// The field called `name` (or a deprecated alias of it).
    public func field(named name: String) -> FieldDescription? {
        fields.first { $0.name == name } ?? fields.first { $0.aliases.contains(name) }
    }

    /// The complete configuration (every field) with `settings` — field names and their values as
    /// text, e.g. `[("factors", "64"), ("solver", "cg")]`, later ones winning — applied over the
    /// defaults and validated.
    /// - Throws: ``ModelError/unknownField(model:field:known:)`` or
    ///   ``ModelError/invalidConfiguration(model:field:value:requirement:)``.
    public func configuration(settings: [(name: String, value: String)]) throws -> [String: FieldValue] {
        try configure(settings)
    }

    /// ``configuration(settings:)`` for a literal: `spec.configuration(["factors": "64"])`.
    public func configuration(_ settings: KeyValuePairs<String, String> = [:]) throws -> [String: FieldValue] {
        try configure(settings.map { ($0.key, $0.value) })
    }

    /// An unfitted model with `settings` applied over the default configuration.
    public func makeModel(settings: [(name: String, value: String)], side: SideInformation = SideInformation()) throws -> any Recommender {
        try build(try configure(settings), side)
    }

    /// ``makeModel(settings:side:)`` for a literal: `spec.makeModel(["factors": "16", "implicit": "true"])`.
    public func makeModel(_ settings: KeyValuePairs<String, String> = [:], side: SideInformation = SideInformation()) throws -> any Recommender {
        try build(try configure(settings.map { ($0.key, $0.value) }), side)
    }

    /// An unfitted model with a complete or partial configuration (missing fields keep their defaults).
    public func makeModel(configuration values: [String: FieldValue], side: SideInformation = SideInformation()) throws -> any Recommender {
        try build(values, side)
    }

    /// A model restored from an archive of this model.
    public func restore(_ archive: ModelArchive) throws -> any Recommender { try restoreArchive(archive) }
}
