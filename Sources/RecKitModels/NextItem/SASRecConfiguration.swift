import RecKitAlgorithms

/// The configuration of `sasrec`: causal self-attention over each user's time-ordered history
/// (Kang & McAuley 2018).
public struct SASRecConfiguration: NextItemConfiguration {
    public static let modelName = "sasrec"
    public static let summary = "SASRec: causal self-attention over each user's time-ordered history (Kang & McAuley 2018)"
    public var factors = 64
    public var maxLength = 50
    /// Self-attention blocks.
    public var blocks = 2
    /// Attention heads (they divide the factors).
    public var heads = 1
    public var dropout = 0.2
    public var epochs = 200
    public var batchSize = 64
    public var learningRate = 0.001
    public var patience = 10
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        widthFields + [
            .integer("blocks", \.blocks, range: 1...100, help: "self-attention blocks"),
            .integer("heads", \.heads, range: 1...100, help: "attention heads (divide factors)"),
        ] + trainingFields
    }

    public func checkRelations(model: String) throws {
        guard factors % heads == 0 else {
            throw ModelError.invalidConfiguration(model: model, field: "heads", value: "\(heads)", requirement: "a divisor of --factors (\(factors))")
        }
    }

    public var options: NextItemOptions {
        NextItemOptions(encoder: .selfAttention, factors: factors, maxLength: maxLength, blocks: blocks, heads: heads, dropout: dropout,
                        epochs: epochs, batchSize: batchSize, learningRate: learningRate, patience: patience, seed: seed)
    }
}
