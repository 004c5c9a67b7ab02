import RecKitAlgorithms

/// The configuration of `neumf`: GMF and MLP fused into one output (He et al. 2017). The paper's
/// pretrained start with a short plain-SGD fine-tune was chosen by leave-one-out NDCG@10 on
/// validation splits of u.data's training part (docs/neural.md).
public struct NeuMFConfiguration: NCFConfiguration {
    public static let modelName = "neumf"
    public static let summary = "NeuMF: GMF and MLP fused into one output (He et al. 2017)"
    /// GMF embedding size.
    public var factors = 8
    /// The MLP tower's first width, halved per layer.
    public var layers = 64
    /// MLP tower layers, counting the input width.
    public var depth = 3
    public var negativeSamples = 4
    public var epochs = 20
    public var batchSize = 256
    public var learningRate = 0.001
    public var seed: UInt64 = 0
    /// Start from GMF and MLP trained alone.
    public var pretrain = true
    /// With pretraining: the fused model's epochs (nil: ``epochs``; 0: the blend as it starts).
    public var fineTuneEpochs: Int? = 3
    /// With pretraining: 0 fine-tunes with Adam, above 0 with plain SGD at this step.
    public var fineTuneRate = 0.05

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "GMF embedding size"),
            .integer("layers", \.layers, range: 2...100_000, scale: .logarithmic, help: "the MLP tower's first width (halved per layer)"),
            .integer("depth", \.depth, range: 1...10, help: "MLP tower layers, counting the input width"),
        ] + trainingFields + [
            .flag("pretrain", \.pretrain, help: "start from GMF and MLP trained alone"),
            .optionalInteger("fine-tune-epochs", \.fineTuneEpochs, range: 0...100_000, none: "as --epochs",
                             help: "with pretrain: the fused model's epochs (0: the blend)"),
            .real("fine-tune-rate", \.fineTuneRate, range: 0...100, help: "with pretrain: 0 fine-tunes with Adam, above 0 with plain SGD at this step"),
        ]
    }

    public var options: NCFOptions {
        var o = NCFOptions(mode: .neumf, factors: factors, layers: Self.tower(first: layers, depth: depth), negatives: negativeSamples, epochs: epochs,
                           batchSize: batchSize, learningRate: learningRate, seed: seed)
        o.pretrain = pretrain
        o.fineTuneEpochs = fineTuneEpochs
        o.fineTuneRate = fineTuneRate
        return o
    }
}
