/// What `recommend` may return.
public struct RecommendationFilter: Sendable {
    /// Leave out items the user interacted with in training.
    public var excludeTrainingItems = true
    /// Only these items may be recommended (nil: all).
    public var allowed: Set<Int32>? = nil
    /// These items are never recommended.
    public var denied: Set<Int32> = []

    public init(excludeTrainingItems: Bool = true, allowed: Set<Int32>? = nil, denied: Set<Int32> = []) {
        self.excludeTrainingItems = excludeTrainingItems
        self.allowed = allowed
        self.denied = denied
    }
}
