import RecKit

/// `reckit evaluate --json`: the first model's mean figures at the top level, every model below.
struct EvaluationDocument: Encodable {
    var protocolName: String
    var k: Int?
    var results: [ModelResult]

    enum Keys: String, CodingKey { case `protocol`, k, model, models }
    struct Dynamic: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(protocolName, forKey: .protocol)
        try c.encodeIfPresent(k, forKey: .k)
        try c.encode(results.first?.model, forKey: .model)
        try c.encode(results, forKey: .models)
        var d = encoder.container(keyedBy: Dynamic.self)
        for (key, value) in results.first?.mean ?? [:] { try d.encode(value, forKey: Dynamic(stringValue: key)) }
    }
}
