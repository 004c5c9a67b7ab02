/// The bodies the server answers with (encoded with snake_case keys; docs/openapi.yaml).
public struct RecommendResponse: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var item: String
        public var score: Float
        public var position: Int
        /// The probability the policy had of showing this item at this position, given the items
        /// above it (1 for deterministic policies).
        public var propensity: Double

        public init(item: String, score: Float, position: Int, propensity: Double) {
            self.item = item
            self.score = score
            self.position = position
            self.propensity = propensity
        }
    }
    /// The user id, or nil for an anonymous history.
    public var user: String?
    public var items: [Item]
    public var modelVersion: String
    public var requestId: String
    public var policy: String
    public var propensityMethod: String
    /// Whether the user's factors include feedback received online.
    public var online: Bool

    public init(user: String?, items: [Item], modelVersion: String, requestId: String, policy: String, propensityMethod: String, online: Bool) {
        self.user = user
        self.items = items
        self.modelVersion = modelVersion
        self.requestId = requestId
        self.policy = policy
        self.propensityMethod = propensityMethod
        self.online = online
    }
}

public struct SimilarResponse: Codable, Sendable {
    public struct Item: Codable, Sendable { public var item: String; public var score: Float; public var position: Int }
    public var item: String
    public var items: [Item]
    public var modelVersion: String
}

public struct ExplainResponse: Codable, Sendable {
    public var user: String
    public var item: String
    public var score: Float
    public var modelVersion: String
}

public struct FeedbackResponse: Codable, Sendable {
    /// Events written to the event log (durable) and applied.
    public var accepted: Int
    /// Users whose factors were refitted.
    public var usersUpdated: Int
    /// Events of this request naming new items: logged, and learned from at the next refit.
    public var newItemEvents: Int
    public var modelVersion: String
}

public struct ReloadResponse: Codable, Sendable {
    public var modelVersion: String
    public var previousVersion: String
    public var onlineUsers: Int
}

/// What `POST /v1/admin/refit` started and `GET /v1/admin/refit` reports.
public struct RefitStatus: Codable, Sendable, Equatable {
    /// `idle` (none yet), `running`, `succeeded` or `failed`.
    public var state: String
    /// The model the refit started from, and the one it produced.
    public var fromVersion: String?
    public var modelVersion: String?
    /// Where the refitted model was written.
    public var path: String?
    public var ratings: Int?
    public var users: Int?
    public var items: Int?
    public var seconds: Double?
    public var error: String?

    public static let idle = RefitStatus(state: "idle")
}
