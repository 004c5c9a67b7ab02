import RecKitAlgorithms

/// The configuration of `gmf`: generalised matrix factorisation (He et al. 2017).
public struct GMFConfiguration: NCFConfiguration {
    public static let modelName = "gmf"
    public static let summary = "neural CF: generalised matrix factorisation (implicit feedback, BCE with sampled negatives)"
    /// Embedding size (the predictive factors).
    public var factors = 8
    public var negativeSamples = 4
    public var epochs = 20
    public var batchSize = 256
    public var learningRate = 0.001
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [.integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "GMF embedding size")] + trainingFields
    }

    public var options: NCFOptions {
        NCFOptions(mode: .gmf, factors: factors, layers: Self.tower(first: 64, depth: 3), negatives: negativeSamples, epochs: epochs,
                   batchSize: batchSize, learningRate: learningRate, seed: seed)
    }
}
