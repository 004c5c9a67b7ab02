import RecKitAlgorithms

/// The configuration of `gru4rec`: a GRU over each user's time-ordered history (Hidasi et al. 2016).
public struct GRU4RecConfiguration: NextItemConfiguration {
    public static let modelName = "gru4rec"
    public static let summary = "GRU4Rec: a GRU over each user's time-ordered history predicts the next item (Hidasi et al. 2016)"
    public var factors = 64
    public var maxLength = 50
    public var dropout = 0.2
    public var epochs = 200
    public var batchSize = 64
    public var learningRate = 0.001
    public var patience = 10
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] { widthFields + trainingFields }

    public var options: NextItemOptions {
        NextItemOptions(encoder: .gru, factors: factors, maxLength: maxLength, dropout: dropout, epochs: epochs, batchSize: batchSize,
                        learningRate: learningRate, patience: patience, seed: seed)
    }
}
