import Foundation

/// One interaction reported to the server: `value` is a rating (explicit models) or a confidence
/// weight such as a click count (implicit ALS). A later event for the same user and item replaces
/// the earlier value. In JSON (requests and the event log) the keys are snake_case: `request_id`.
public struct FeedbackEvent: Codable, Sendable, Equatable {
    public var user: String
    public var item: String
    public var value: Float
    /// The `request_id` of the answer that showed the item, when the client knows it.
    public var requestId: String?
    /// Seconds since 1970 (the server's clock when absent).
    public var timestamp: Double?
    /// `new_item: true` accepts an item the model does not know: it is logged and kept for the next
    /// refit (`POST /v1/admin/refit`), which gives it factors; until then it has none (for ALS the
    /// same as zero factors: it does not move the user's). Without it, an unknown item is refused
    /// (a typo must not become an item).
    public var newItem: Bool?

    public init(user: String, item: String, value: Float, requestId: String? = nil, timestamp: Double? = nil, newItem: Bool? = nil) {
        self.user = user
        self.item = item
        self.value = value
        self.requestId = requestId
        self.timestamp = timestamp
        self.newItem = newItem
    }

    /// Checks what JSON decoding cannot: non-empty ids and a finite value.
    func validated(at field: String) throws -> FeedbackEvent {
        guard !user.isEmpty else { throw ServingError.badRequest("\(field)user", "must not be empty") }
        guard !item.isEmpty else { throw ServingError.badRequest("\(field)item", "must not be empty") }
        guard value.isFinite else { throw ServingError.badRequest("\(field)value", "must be a finite number, got \(value)") }
        if let timestamp, !timestamp.isFinite { throw ServingError.badRequest("\(field)timestamp", "must be a finite number") }
        return self
    }
}
