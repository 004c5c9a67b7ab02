import RecKitLinearAlgebra

/// A model fitted by stochastic gradient descent, `r̂_ui = μ + b_u + b_i + p_u·q_i`, and how the
/// fit went.
public struct SGDFactors: Sendable {
    /// `users × f` and `items × f`, row-major.
    public var users: Matrix<Float>
    public var items: Matrix<Float>
    public var globalMean: Float
    public var userBias: [Float]
    public var itemBias: [Float]
    /// The objective after each epoch: the squared errors met during the epoch plus the penalty.
    public var losses: [Double]
    /// With early stopping, the validation RMSE after each epoch (else empty).
    public var validationRMSE: [Double]
    /// The epoch whose parameters were kept (the last one without early stopping).
    public var bestEpoch: Int
    public var secondsPerEpoch: [Double]
}
