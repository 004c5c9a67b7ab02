import RecKitAlgorithms

/// What the neural collaborative filtering models (`gmf`, `mlp`, `neumf`) share: sampled negatives
/// and mini-batch Adam training. Each model's configuration declares these with its defaults.
public protocol NCFConfiguration: ModelConfiguration {
    /// The registered name of the model this configures.
    static var modelName: String { get }
    static var summary: String { get }
    /// Sampled negatives per positive.
    var negativeSamples: Int { get set }
    /// Passes over the interactions.
    var epochs: Int { get set }
    /// Mini-batch size.
    var batchSize: Int { get set }
    /// Adam's step size.
    var learningRate: Double { get set }
    var seed: UInt64 { get set }
    /// The algorithm's options.
    var options: NCFOptions { get }
}

extension NCFConfiguration {
    /// The shared fields.
    static var trainingFields: [ConfigurationField<Self>] {
        [
            .integer("negative-samples", \.negativeSamples, range: 1...1000, aliases: ["negatives"], help: "sampled negatives per positive"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "passes over the interactions"),
            .integer("batch-size", \.batchSize, range: 1...10_000_000, scale: .logarithmic, help: "mini-batch size"),
            .real("learning-rate", \.learningRate, range: 1e-9...10, scale: .logarithmic, help: "Adam's step size"),
            .seed(\.seed, help: "initial weights and sampling"),
        ]
    }

    /// The MLP tower's widths: the first, halved `depth − 1` times (64, 32, 16 for 64 and 3).
    static func tower(first: Int, depth: Int) -> [Int] { (0..<Swift.max(1, depth)).map { Swift.max(1, first >> $0) } }
}
