import Foundation

/// The JSON bodies the server accepts, and their decoding: a body that is not valid JSON, or lacks
/// a field, or has one of the wrong type, is a 400 ``ServingError`` naming the field
/// (`history[2].value`). Public so that the fuzz targets decode exactly what the server decodes.
public enum ServingRequest {
    /// `POST /v1/recommend`: the history of a new or anonymous user.
    public struct History: Decodable, Sendable {
        public struct Entry: Decodable, Sendable { public var item: String; public var value: Float }
        public var history: [Entry]
        public var n: Int?
        public var policy: String?
        public var excludeSeen: Bool?
        public var seed: UInt64?
    }

    /// `POST /v1/recommend/batch`.
    public struct Batch: Decodable, Sendable {
        public var users: [String]
        public var n: Int?
        public var policy: String?
        public var excludeSeen: Bool?
        public var seed: UInt64?
    }

    /// `POST /v1/feedback`, decoded once: `{"events": [...]}`, or one event.
    public struct Feedback: Decodable, Sendable {
        public var events: [FeedbackEvent]
        enum Keys: String, CodingKey { case events }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            events = c.contains(.events) ? try c.decode([FeedbackEvent].self, forKey: .events) : [try FeedbackEvent(from: decoder)]
        }
    }

    /// Decodes JSON `T` (snake_case keys), with a decoding error turned into a 400 naming the field.
    public static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: data)
        } catch let DecodingError.typeMismatch(expected, c) {
            throw ServingError(status: 400, field: path(c.codingPath), "expected \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, c) {
            throw ServingError(status: 400, field: path(c.codingPath), "expected \(describe(expected)), got null")
        } catch let DecodingError.keyNotFound(key, c) {
            throw ServingError(status: 400, field: path(c.codingPath + [key]), "is required")
        } catch let DecodingError.dataCorrupted(c) {
            throw ServingError(status: 400, field: c.codingPath.isEmpty ? "body" : path(c.codingPath), "not valid JSON or not a valid value: \(c.debugDescription)")
        } catch {
            throw ServingError(status: 400, field: "body", "not valid JSON: \(error)")
        }
    }

    /// `history[2].value` for the coding path of a field.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\(snake($0.stringValue))" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }

    static func snake(_ s: String) -> String {
        s.reduce(into: "") { out, c in if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) } }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Float.Type, is Double.Type: return "a number"
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
