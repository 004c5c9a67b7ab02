/// Why a serving request was refused: the field at fault, a message, and the HTTP status a server
/// answers with (4xx: the request is wrong; 5xx: the server could not do it).
public struct ServingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// The request field at fault (`user`, `n`, `body`, `events[3].value`, …); nil for the whole request.
    public var field: String?
    public var message: String

    public init(status: Int, field: String?, _ message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    public var description: String { (field.map { "\($0): " } ?? "") + message }

    static func badRequest(_ field: String?, _ message: String) -> ServingError { ServingError(status: 400, field: field, message) }
    static func notFound(_ field: String, _ message: String) -> ServingError { ServingError(status: 404, field: field, message) }
    static func unprocessable(_ field: String?, _ message: String) -> ServingError { ServingError(status: 422, field: field, message) }
}
