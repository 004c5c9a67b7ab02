/// Options of ``BiasedMatrixFactorization`` (and of ``SVDPlusPlus``, which adds its own).
public struct SGDOptions: Sendable {
    public var factors = 100
    public var epochs = 20
    /// The step size of the first epoch.
    public var learningRate = 0.005
    /// The step size is multiplied by this after every epoch (1: constant, Surprise's schedule).
    public var learningRateDecay = 1.0
    /// λ of the factors.
    public var regularization = 0.02
    /// λ of the biases (nil: ``regularization``).
    public var biasRegularization: Double? = nil
    /// SVD++ only: λ of the implicit factors `y` (nil: ``regularization``).
    public var implicitRegularization: Double? = nil
    /// Standard deviation of the normal initial factors (biases start at 0).
    public var initialStandardDeviation = 0.1
    /// Early stopping: this share of the ratings (chosen at random) is held out, its RMSE measured
    /// after every epoch, and training stops when it has not improved for ``patience`` epochs; the
    /// best epoch's parameters are kept. 0 (the default): every epoch runs on all the ratings.
    public var validationFraction = 0.0
    public var patience = 3
    public var seed: UInt64 = 0

    public init(factors: Int = 100, epochs: Int = 20, learningRate: Double = 0.005, learningRateDecay: Double = 1,
                regularization: Double = 0.02, biasRegularization: Double? = nil, initialStandardDeviation: Double = 0.1,
                validationFraction: Double = 0, patience: Int = 3, seed: UInt64 = 0) {
        self.factors = factors
        self.epochs = epochs
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.regularization = regularization
        self.biasRegularization = biasRegularization
        self.initialStandardDeviation = initialStandardDeviation
        self.validationFraction = validationFraction
        self.patience = patience
        self.seed = seed
    }

    /// Checks every option.
    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming it.
    public func validate(_ algorithm: String) throws {
        let check = OptionCheck(algorithm: algorithm)
        try check.atLeast(1, ["factors": factors, "epochs": epochs])
        try check.positive(["learningRate": learningRate])
        guard learningRateDecay.isFinite, learningRateDecay > 0, learningRateDecay <= 1 else { throw check.fail("learningRateDecay", learningRateDecay, "in (0, 1]") }
        try check.nonNegative(["regularization": regularization, "biasRegularization": biasRegularization ?? 0,
                               "implicitRegularization": implicitRegularization ?? 0, "initialStandardDeviation": initialStandardDeviation])
        try check.fraction("validationFraction", validationFraction)
        try check.atLeast(1, ["patience": patience])
    }

    /// The epoch runner's rules for these options: divergence (NaN/∞, or a hundredfold growth over
    /// the first epoch's loss) with a hint about the learning rate, and early stopping on validation
    /// RMSE when ``validationFraction`` > 0.
    func divergence() -> EpochRunner.Divergence {
        .init(growthLimit: 100, hint: "The learning rate \(learningRate) is too large for this data; lower it (e.g. to \(learningRate / 10)) or raise the regularization.")
    }

    func validation<State>(_ rmse: @escaping (State) -> Double) -> EpochRunner.Validation<State>? {
        validationFraction > 0 ? .init(metric: "RMSE", higherIsBetter: false, patience: patience, measure: rmse) : nil
    }
}
