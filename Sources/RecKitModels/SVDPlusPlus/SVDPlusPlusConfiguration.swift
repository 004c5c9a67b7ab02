import RecKitAlgorithms

/// The configuration of `svd++` (``SVDPlusPlusRecommender``). Chosen on validation splits of
/// ML-100k's u1…u5.base (docs/results.md has the searches); Surprise's SVDpp defaults are 20
/// factors, 20 epochs, step 0.007, 0.02 for every λ and σ 0.1.
public struct SVDPlusPlusConfiguration: EarlyStoppingConfiguration {
    public var factors = 200
    public var epochs = 80
    public var learningRate = 0.005
    public var learningRateDecay = 1.0
    public var regularization = 0.1
    public var regularizationBias = 0.02
    /// λ of the implicit factors `y`.
    public var regularizationImplicit = 0.01
    public var initStd = 0.05
    public var earlyStopping = 0.0
    public var patience = 3
    public var ratingUnit = 0.0
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        ratingFields + [.real("regularization-implicit", \.regularizationImplicit, range: 0...1e6, scale: .logarithmic, help: "λ of the implicit factors y")]
    }

    public static var tuning: TuningSpace {
        TuningSpace(ratingSearch + [("regularization-implicit", .real(0.001...0.3, .logarithmic))], resource: "epochs")
    }

    var options: SGDOptions {
        var o = ratingOptions
        o.implicitRegularization = regularizationImplicit
        return o
    }
}
