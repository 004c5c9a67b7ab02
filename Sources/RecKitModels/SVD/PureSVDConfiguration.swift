/// The configuration of `pure-svd` (``PureSVD``).
public struct PureSVDConfiguration: ModelConfiguration {
    /// Rank k of the decomposition, chosen by NDCG@10 on validation splits of ML-100k's ua/ub.base
    /// (Cremonesi et al. report 50 on their MovieLens setting).
    public var factors = 20
    /// The truncated-SVD solver.
    public var solver = SVDSolver.lanczos
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "rank of the SVD"),
            .choice("solver", \.solver, help: "truncated-SVD solver"),
            .seed(\.seed, help: "the start vector (Lanczos) or test matrix (randomized)"),
        ]
    }
}
