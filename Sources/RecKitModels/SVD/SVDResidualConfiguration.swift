/// The configuration of `svd-residual` (``SVDResidual``): a baseline and the rank of its residuals'
/// SVD. The rank was chosen on validation splits of ML-100k's u1…u5.base (docs/results.md).
public struct SVDResidualConfiguration: ModelConfiguration {
    /// Rank of the residual decomposition.
    public var factors = 8
    public var solver = SVDSolver.lanczos
    public var seed: UInt64 = 0
    /// The baseline fitted first.
    public var baseline = BaselineConfiguration()

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "rank of the residual SVD"),
            .choice("solver", \.solver, help: "truncated-SVD solver"),
            .seed(\.seed, help: "the start vector (Lanczos) or test matrix (randomized)"),
            .integer("epochs", \.baseline.epochs, range: 1...10_000, help: "baseline sweeps"),
            .real("regularization-user", \.baseline.regularizationUser, range: 0...1e6, help: "baseline λ of the user biases"),
            .real("regularization-item", \.baseline.regularizationItem, range: 0...1e6, help: "baseline λ of the item biases"),
        ]
    }
}
