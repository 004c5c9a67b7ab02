import RecKitAlgorithms

extension AutoRecOptimizer: ConfigurationChoice {}

/// The configuration of `autorec` (``AutoRecRecommender``). The optimiser, λ and the epochs were
/// chosen by validation RMSE on 10 % splits of ML-100k's u1…u5.base (docs/neural.md has the
/// searches); the step size and batch size apply to Adam only.
public struct AutoRecConfiguration: ModelConfiguration {
    /// Hidden units (the paper's 500).
    public var hidden = 500
    /// λ of the L2 penalty on the weights.
    public var regularization = 250.0
    /// L-BFGS iterations (Adam: passes over the items).
    public var epochs = 200
    /// Items per mini-batch (Adam).
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate = 0.0003
    /// Full-batch L-BFGS (the default: 0.005 lower validation RMSE than Adam's best), or Adam on mini-batches.
    public var optimizer = AutoRecOptimizer.lbfgs
    /// Ratings are divided by this before fitting (0: the training ratings' spread ÷ 4), so λ and
    /// the sigmoid's working range are those of a 1–5 scale (``RatingUnit``).
    public var ratingUnit = 0.0
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("hidden", \.hidden, range: 1...100_000, scale: .logarithmic, help: "hidden units"),
            .real("regularization", \.regularization, range: 0...1e9, scale: .logarithmic, help: "λ of the L2 penalty on the weights"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "L-BFGS iterations, or Adam's passes over the items"),
            .integer("batch-size", \.batchSize, range: 1...10_000_000, scale: .logarithmic, help: "items per mini-batch (Adam)"),
            .real("learning-rate", \.learningRate, range: 1e-9...10, scale: .logarithmic, help: "Adam's step size"),
            .choice("optimizer", \.optimizer, whenAbsent: .adam, help: "adam (mini-batches) or lbfgs (full batch; an epoch is one iteration)"),
            // Models saved before the rule were fitted on the raw ratings.
            .real("rating-unit", \.ratingUnit, range: 0...1e12, whenAbsent: 1,
                  help: "ratings are divided by this before fitting (0: their spread ÷ 4, so settings are for a 1–5 scale; 1: raw)"),
            .seed(\.seed, help: "initial weights and batch order"),
        ]
    }

    /// Around the paper's 500 hidden units and this model's λ; the iterations are the resource.
    /// Adam's step and batch size are not searched (L-BFGS, the default, has neither); to tune
    /// Adam, `--set optimizer=adam --tune-range 'learning-rate=0.0001..0.003;batch-size=16..256'`.
    public static var tuning: TuningSpace {
        TuningSpace([
            ("hidden", .integer(100...1000, .logarithmic)),
            ("regularization", .real(50...1000, .logarithmic)),
        ], resource: "epochs")
    }

    public var options: AutoRecOptions {
        AutoRecOptions(hidden: hidden, regularization: regularization, epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimizer: optimizer, seed: seed)
    }
}
