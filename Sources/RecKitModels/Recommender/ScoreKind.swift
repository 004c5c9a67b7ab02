/// What a model's recommendation scores are, so that a list can say what its numbers mean.
public enum ScoreKind: String, Sendable, Codable, CaseIterable {
    /// An estimated rating on the training data's scale (shown clipped to its range).
    case predictedRating = "predicted_rating"
    /// The item's bias `b_i` of a baseline: how far above the mean the item is rated.
    case itemBias = "item_bias"
    /// How many training interactions the item has.
    case count
    /// The cosine of two items' or two users' factors (`reckit similar`).
    case similarity
    /// A ranking score with no unit (a logit, a dot product, a sum of similarities): only its order
    /// means something.
    case relevance
}
