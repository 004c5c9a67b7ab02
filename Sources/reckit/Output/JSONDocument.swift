/// A `--json` document: the schema it follows (`reckit-COMMAND/VERSION`, documented in
/// docs/cli.md) and the command's fields beside it.
struct JSONDocument<Body: Encodable>: Encodable {
    var schema: String
    var body: Body

    enum Keys: String, CodingKey { case schema }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(schema, forKey: .schema)
        try body.encode(to: encoder)
    }
}
