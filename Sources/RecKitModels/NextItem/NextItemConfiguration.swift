import RecKitAlgorithms

/// What the next-item models (`gru4rec`, `sasrec`) share. Each model's configuration declares these
/// with its defaults.
public protocol NextItemConfiguration: ModelConfiguration {
    /// The registered name of the model this configures.
    static var modelName: String { get }
    static var summary: String { get }
    /// Embedding and hidden width.
    var factors: Int { get set }
    /// The latest items kept of each history.
    var maxLength: Int { get set }
    var dropout: Double { get set }
    /// The most passes over the users' sequences.
    var epochs: Int { get set }
    /// Sequences (users) per mini-batch.
    var batchSize: Int { get set }
    /// Adam's step size.
    var learningRate: Double { get set }
    /// Early stopping: epochs without a better validation NDCG@10 of each user's latest item (0: no validation).
    var patience: Int { get set }
    var seed: UInt64 { get set }
    /// The algorithm's options.
    var options: NextItemOptions { get }
}

extension NextItemConfiguration {
    static var widthFields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "embedding and hidden width"),
            .integer("max-length", \.maxLength, range: 2...100_000, help: "latest items kept of each history"),
        ]
    }

    static var trainingFields: [ConfigurationField<Self>] {
        [
            .real("dropout", \.dropout, range: 0...0.99, help: "dropout rate"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "most passes over the users' sequences"),
            .integer("batch-size", \.batchSize, range: 1...10_000_000, scale: .logarithmic, help: "sequences per mini-batch"),
            .real("learning-rate", \.learningRate, range: 1e-9...10, scale: .logarithmic, help: "Adam's step size"),
            .integer("patience", \.patience, range: 0...100_000,
                     help: "stop after this many epochs without a better validation NDCG@10 (each user's latest item); 0: no validation"),
            .seed(\.seed, help: "initial weights, dropout and batch order"),
        ]
    }
}
