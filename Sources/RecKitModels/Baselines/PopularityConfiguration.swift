/// The configuration of `popularity` (``Popularity``).
public struct PopularityConfiguration: ModelConfiguration {
    /// Count only interactions rated at least this.
    public var minimumRating = 0.0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [.real("minimum-rating", \.minimumRating, range: -1e9...1e9, help: "count only ratings ≥ this")]
    }
}
