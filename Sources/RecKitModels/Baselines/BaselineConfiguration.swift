/// The configuration of `baseline` (``BiasBaseline``), also the baseline part of `svd-residual` and
/// `item-knn`. Defaults were chosen on validation splits of ML-100k's u1…u5.base (docs/results.md
/// has the search); Surprise's BaselineOnly uses 10 epochs and λ 15 / 10.
public struct BaselineConfiguration: ModelConfiguration {
    /// Alternating sweeps (items, then users).
    public var epochs = 30
    /// λ of the user biases.
    public var regularizationUser = 5.0
    /// λ of the item biases.
    public var regularizationItem = 2.0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("epochs", \.epochs, range: 1...10_000, help: "alternating sweeps"),
            .real("regularization-user", \.regularizationUser, range: 0...1e6, help: "λ of the user biases"),
            .real("regularization-item", \.regularizationItem, range: 0...1e6, help: "λ of the item biases"),
        ]
    }
}
