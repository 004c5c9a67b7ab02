/// What ``ALSRecommender/explain(user:item:count:context:)`` returns.
public struct ALSExplanation: Sendable {
    /// The exact score of the item for the user (`base + Σ contributions` over all interactions).
    public var score: Double
    /// The part of the score no interaction explains (`μ + b_i` with biases, else 0).
    public var base: Double
    /// The user's items with their shares of the score, largest first (at most the count asked).
    public var contributions: [(item: Int, contribution: Double)]
}
