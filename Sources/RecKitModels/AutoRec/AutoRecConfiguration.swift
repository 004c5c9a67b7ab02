import RecKitAlgorithms

/// The configuration of `autorec` (``AutoRecRecommender``). λ, epochs and the step size were chosen
/// by validation RMSE on u1.base (docs/neural.md has the searches).
public struct AutoRecConfiguration: ModelConfiguration {
    /// Hidden units (the paper's 500).
    public var hidden = 500
    /// λ of the L2 penalty on the weights.
    public var regularization = 200.0
    /// Passes over the items.
    public var epochs = 100
    /// Items per mini-batch.
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate = 0.0003
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("hidden", \.hidden, range: 1...100_000, scale: .logarithmic, help: "hidden units"),
            .real("regularization", \.regularization, range: 0...1e9, scale: .logarithmic, help: "λ of the L2 penalty on the weights"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "passes over the items"),
            .integer("batch-size", \.batchSize, range: 1...10_000_000, scale: .logarithmic, help: "items per mini-batch"),
            .real("learning-rate", \.learningRate, range: 1e-9...10, scale: .logarithmic, help: "Adam's step size"),
            .seed(\.seed, help: "initial weights and batch order"),
        ]
    }

    /// Around the paper's 500 hidden units and this model's step and λ.
    public static var tuning: TuningSpace {
        TuningSpace([
            ("hidden", .integer(100...1000, .logarithmic)),
            ("regularization", .real(10...1000, .logarithmic)),
            ("learning-rate", .real(0.0001...0.003, .logarithmic)),
            ("batch-size", .integer(16...256, .logarithmic)),
        ], resource: "epochs")
    }

    public var options: AutoRecOptions {
        AutoRecOptions(hidden: hidden, regularization: regularization, epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed)
    }
}
