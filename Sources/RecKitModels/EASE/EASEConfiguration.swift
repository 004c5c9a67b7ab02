import RecKitLinearAlgebra

/// The configuration of `ease` (``EASERecommender``). λ was chosen by NDCG@10 on validation splits
/// of ML-100k's ua/ub.base (docs/results.md).
public struct EASEConfiguration: ModelConfiguration {
    /// λ, the L2 penalty on the item weights.
    public var regularization = 500.0
    /// Treat every interaction as 1 (else use the rating values).
    public var binary = true
    /// The precision of the Gram matrix and its inverse.
    public var precision = DType.double

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .real("regularization", \.regularization, range: 1e-9...1e12, scale: .logarithmic, help: "λ on the item weights"),
            .flag("binary", \.binary, help: "interactions as 1s (else rating values)"),
            .choice("precision", \.precision, aliases: ["dtype", "double"], help: "the precision of the Gram matrix and its inverse"),
        ]
    }
}
