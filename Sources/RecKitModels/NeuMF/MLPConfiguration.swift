import RecKitAlgorithms

/// The configuration of `mlp`: a multi-layer perceptron over user and item embeddings (He et al. 2017).
public struct MLPConfiguration: NCFConfiguration {
    public static let modelName = "mlp"
    public static let summary = "neural CF: an MLP over user and item embeddings (implicit feedback)"
    /// The tower's first width (the concatenated embeddings), halved per layer.
    public var layers = 64
    /// Tower layers, counting the input width.
    public var depth = 3
    public var negativeSamples = 4
    public var epochs = 20
    public var batchSize = 256
    public var learningRate = 0.001
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("layers", \.layers, range: 2...100_000, scale: .logarithmic, help: "the MLP tower's first width (halved per layer)"),
            .integer("depth", \.depth, range: 1...10, help: "MLP tower layers, counting the input width"),
        ] + trainingFields
    }

    public var options: NCFOptions {
        NCFOptions(mode: .mlp, factors: 8, layers: Self.tower(first: layers, depth: depth), negatives: negativeSamples, epochs: epochs,
                   batchSize: batchSize, learningRate: learningRate, seed: seed)
    }
}
