/// The configuration of `item-knn` (``ItemKNN``): KNNBaseline's defaults for rating prediction
/// (Pearson-baseline, k 40, shrinkage 100); docs/results.md has the top-N settings.
public struct ItemKNNConfiguration: ModelConfiguration {
    /// How two items' columns are compared (over the users who rated both, except `cosine-whole-column`).
    public enum Similarity: String, ConfigurationChoice {
        /// Cosine of the raw ratings.
        case cosine
        /// Cosine of the ratings minus each user's mean.
        case adjustedCosine = "adjusted-cosine"
        /// Pearson correlation.
        case pearson
        /// Cosine of the baseline residuals `r − b_ui` (Surprise's `pearson_baseline`).
        case pearsonBaseline = "pearson-baseline"
        /// Cosine of whole item columns (not just co-ratings): for implicit feedback and top-N.
        case cosineWholeColumn = "cosine-whole-column"
    }

    /// Neighbours per prediction, and per item for top-N.
    public var neighbors = 40
    public var similarity = Similarity.pearsonBaseline
    /// Shrinks each similarity by `(n − 1)/(n − 1 + shrinkage)` for `n` co-ratings.
    public var shrinkage = 100.0
    /// Least co-ratings for a similarity.
    public var minimumSupport = 1
    /// Predict around the baseline `b_ui` (KNNBaseline) instead of from raw ratings.
    public var useBaseline = true
    /// Compare interactions (1s) instead of rating values.
    public var binary = false
    /// The baseline (also the residuals of `pearson-baseline`).
    public var baseline = BaselineConfiguration()

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("neighbors", \.neighbors, range: 1...1_000_000_000, scale: .logarithmic, aliases: ["k"], help: "neighbours per prediction / per item for top-N"),
            .choice("similarity", \.similarity, help: "how two items are compared"),
            .real("shrinkage", \.shrinkage, range: 0...1e9, help: "shrink s by (n−1)/(n−1+shrinkage)"),
            .integer("min-support", \.minimumSupport, range: 1...1_000_000_000, help: "least co-ratings for a similarity"),
            .flag("baseline", \.useBaseline, help: "predict around μ + b_u + b_i"),
            .flag("binary", \.binary, help: "compare interactions (1s) instead of ratings"),
            .integer("epochs", \.baseline.epochs, range: 1...10_000, help: "baseline sweeps"),
            .real("regularization-user", \.baseline.regularizationUser, range: 0...1e6, help: "baseline λ of the user biases"),
            .real("regularization-item", \.baseline.regularizationItem, range: 0...1e6, help: "baseline λ of the item biases"),
        ]
    }
}
