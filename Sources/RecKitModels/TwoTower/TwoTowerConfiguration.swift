import RecKitAlgorithms

/// The configuration of `two-tower` (``TwoTowerRecommender``).
public struct TwoTowerConfiguration: ModelConfiguration {
    /// Width of the id and attribute embeddings.
    public var embedding = 32
    /// Each tower's hidden width.
    public var hidden = 64
    /// The towers' output width (the score space).
    public var factors = 32
    /// Chance an id is hidden in training, so the towers learn to serve from attributes (cold start).
    public var idDropout = 0.1
    /// Passes over the interactions.
    public var epochs = 20
    /// Interactions per batch (the batch's other items are each row's negatives).
    public var batchSize = 256
    /// Adam's step size.
    public var learningRate = 0.002
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("embedding", \.embedding, range: 1...100_000, scale: .logarithmic, help: "id and attribute embedding width"),
            .integer("hidden", \.hidden, range: 1...100_000, scale: .logarithmic, help: "each tower's hidden width"),
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "the towers' output width"),
            .real("id-dropout", \.idDropout, range: 0...0.99, help: "chance an id is hidden in training (cold-start skill)"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "passes over the interactions"),
            .integer("batch-size", \.batchSize, range: 2...1_000_000, scale: .logarithmic, help: "interactions per batch (in-batch negatives)"),
            .real("learning-rate", \.learningRate, range: 1e-9...10, scale: .logarithmic, help: "Adam's step size"),
            .seed(\.seed, help: "initial weights, batches and id dropout"),
        ]
    }

    public var options: TwoTowerOptions {
        TwoTowerOptions(embedding: embedding, hidden: hidden, factors: factors, idDropout: idDropout, epochs: epochs, batchSize: batchSize,
                        learningRate: learningRate, seed: seed)
    }
}
