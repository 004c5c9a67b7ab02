import RecKitLinearAlgebra

/// Factors fitted by ALS, and how the fit went.
public struct ALSFactors<T: Scalar>: Sendable {
    /// `users × f`, row-major.
    public var users: Matrix<T>
    /// `items × f`, row-major.
    public var items: Matrix<T>
    /// `μ`, `b_u`, `b_i` with ``ALSOptions/biases`` (0 and empty otherwise).
    public var globalMean: T = 0
    public var userBias: [T] = []
    public var itemBias: [T] = []
    /// The objective after each iteration (see ``ALSFeedback``).
    public var losses: [Double]
    /// Wall seconds of each iteration (both half-sweeps).
    public var secondsPerIteration: [Double]

    public init(users: Matrix<T>, items: Matrix<T>, globalMean: T = 0, userBias: [T] = [], itemBias: [T] = [],
                losses: [Double] = [], secondsPerIteration: [Double] = []) {
        self.users = users
        self.items = items
        self.globalMean = globalMean
        self.userBias = userBias
        self.itemBias = itemBias
        self.losses = losses
        self.secondsPerIteration = secondsPerIteration
    }
}
