/// The configuration of `bpr` (``BPRRecommender``).
public struct BPRConfiguration: SGDConfiguration {
    public var factors = 64
    public var epochs = 100
    public var learningRate = 0.01
    public var learningRateDecay = 1.0
    /// λ of the factors and the item biases.
    public var regularization = 0.01
    public var initStd = 0.1
    public var seed: UInt64 = 0
    /// Only interactions with a value ≥ this are positives (0: all).
    public var minimumRating = 0.0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        sgdFields + [.real("minimum-rating", \.minimumRating, range: -1e9...1e9, help: "positives: ratings ≥ this")]
    }
}
