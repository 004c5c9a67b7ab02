import RecKitAlgorithms

/// The hyperparameters the SGD-trained models share (`biased-mf`, `svd++`, `bpr`), with their
/// fields described once. Each model's configuration declares these properties with its own
/// defaults and lists ``sgdFields`` among its fields.
public protocol SGDConfiguration: ModelConfiguration {
    /// Latent factors.
    var factors: Int { get set }
    /// Passes over the ratings.
    var epochs: Int { get set }
    /// The SGD step size of the first epoch.
    var learningRate: Double { get set }
    /// The step size is multiplied by this after each epoch (1: constant).
    var learningRateDecay: Double { get set }
    /// λ of the factors.
    var regularization: Double { get set }
    /// Standard deviation of the initial factors.
    var initStd: Double { get set }
    var seed: UInt64 { get set }
}

extension SGDConfiguration {
    /// The fields of the shared hyperparameters.
    static var sgdFields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "latent factors"),
            .integer("epochs", \.epochs, range: 1...100_000, help: "passes over the ratings"),
            .real("learning-rate", \.learningRate, range: 1e-12...1e6, scale: .logarithmic, help: "SGD step size of the first epoch"),
            .real("learning-rate-decay", \.learningRateDecay, range: 1e-6...1, help: "step size × this after each epoch"),
            .real("regularization", \.regularization, range: 0...1e6, scale: .logarithmic, help: "λ of the factors"),
            .real("init-std", \.initStd, range: 0...100, help: "standard deviation of the initial factors"),
            .seed(\.seed, help: "the initial factors and the shuffles"),
        ]
    }

    /// The algorithm's options for these settings (no early stopping).
    var baseOptions: SGDOptions {
        SGDOptions(factors: factors, epochs: epochs, learningRate: learningRate, learningRateDecay: learningRateDecay,
                   regularization: regularization, initialStandardDeviation: initStd, seed: seed)
    }
}

/// Early stopping on a validation split of the ratings, for the SGD models that predict ratings.
public protocol EarlyStoppingConfiguration: SGDConfiguration {
    /// λ of the biases.
    var regularizationBias: Double { get set }
    /// The share of ratings held out to stop early (0: off).
    var earlyStopping: Double { get set }
    /// Early stopping: epochs without improvement.
    var patience: Int { get set }
    /// Ratings are divided by this before fitting (0: the training ratings' spread ÷ 4), so the
    /// hyperparameters are stated for a 1–5 scale (``RatingUnit``).
    var ratingUnit: Double { get set }
}

extension EarlyStoppingConfiguration {
    static var ratingFields: [ConfigurationField<Self>] {
        sgdFields + [
            .real("regularization-bias", \.regularizationBias, range: 0...1e6, scale: .logarithmic, help: "λ of the biases"),
            .real("early-stopping", \.earlyStopping, range: 0...0.9, help: "share of ratings held out to stop early (0: off)"),
            .integer("patience", \.patience, range: 1...1000, help: "early stopping: epochs without improvement"),
            .real("rating-unit", \.ratingUnit, range: 0...1e12, help: "ratings are divided by this before fitting (0: their spread ÷ 4, so settings are for a 1–5 scale; 1: raw)"),
        ]
    }

    /// The ranges `--tune` searches for the rating models (`biased-mf`, `svd++`).
    static var ratingSearch: [(name: String, range: TuningSpace.Range)] {
        [
            ("factors", .integer(10...400, .logarithmic)),
            ("learning-rate", .real(0.001...0.03, .logarithmic)),
            ("learning-rate-decay", .real(0.9...1, .linear)),
            ("regularization", .real(0.005...0.3, .logarithmic)),
            ("regularization-bias", .real(0.001...0.3, .logarithmic)),
            ("init-std", .real(0.01...0.2, .logarithmic)),
        ]
    }

    /// The unit this configuration fits ratings in, for training ratings spanning `range`.
    func ratingUnit(for range: ClosedRange<Float>) -> RatingUnit { RatingUnit(setting: ratingUnit, range: range) }

    /// The unit `fit` was made in (the raw ratings before a fit).
    func unit(of fit: RatingFactorFit?) -> RatingUnit { fit.map { ratingUnit(for: $0.scale) } ?? .raw }

    var ratingOptions: SGDOptions {
        var o = baseOptions
        o.biasRegularization = regularizationBias
        o.validationFraction = earlyStopping
        o.patience = patience
        return o
    }
}
