import RecKit

/// `reckit evaluate --json` (schema reckit-evaluate/1): the protocol, the list length, the first
/// model's mean figures at the top level, and every model's folds, means and deviations below.
struct EvaluationDocument: Encodable {
    var protocolName: String
    var n: Int?
    var results: [ModelResult]

    enum Keys: String, CodingKey { case `protocol`, n, model, models }
    struct Dynamic: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(protocolName, forKey: .protocol)
        try c.encodeIfPresent(n, forKey: .n)
        try c.encode(results.first?.model, forKey: .model)
        try c.encode(results, forKey: .models)
        var d = encoder.container(keyedBy: Dynamic.self)
        for (key, value) in results.first?.mean ?? [:] { try d.encode(value, forKey: Dynamic(stringValue: key)) }
    }
}

/// `reckit evaluate --config --json` (schema reckit-evaluate-config/1): one row per protocol,
/// model and seed.
struct ConfigDocument: Encodable {
    var rows: [ExperimentConfig.Row]
}
