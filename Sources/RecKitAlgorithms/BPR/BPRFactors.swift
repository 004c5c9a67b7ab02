import RecKitLinearAlgebra

/// Factors fitted by ``BayesianPersonalizedRanking``: scores `p_u·q_i + b_i`.
public struct BPRFactors: Sendable {
    public var users: Matrix<Float>
    public var items: Matrix<Float>
    public var itemBias: [Float]
    /// `Σ ln(1 + e^{−x_uij})` over the epoch's sampled triples plus the penalty, per epoch.
    public var losses: [Double]
    /// Share of sampled triples already ranked correctly (`x_uij > 0`) in each epoch.
    public var accuracy: [Double]
    public var secondsPerEpoch: [Double]
}
