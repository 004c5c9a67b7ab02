/// The configuration of `biased-mf` (``BiasedMF``). Chosen on validation splits of ML-100k's
/// u1…u5.base (docs/results.md has the searches); Surprise's SVD defaults are 100 factors, 20
/// epochs, λ 0.02 and σ 0.1.
public struct BiasedMFConfiguration: EarlyStoppingConfiguration {
    public var factors = 300
    public var epochs = 80
    public var learningRate = 0.005
    public var learningRateDecay = 1.0
    public var regularization = 0.1
    public var regularizationBias = 0.02
    public var initStd = 0.05
    public var earlyStopping = 0.0
    public var patience = 3
    public var ratingUnit = 0.0
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] { ratingFields }

    /// Around Surprise's and this model's defaults, each a decade or more either side.
    public static var tuning: TuningSpace { TuningSpace(ratingSearch, resource: "epochs") }
}
