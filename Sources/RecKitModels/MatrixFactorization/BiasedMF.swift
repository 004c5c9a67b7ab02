import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `biased-mf`: biased matrix factorisation trained by SGD (``BiasedMatrixFactorization``),
/// `r̂_ui = μ + b_u + b_i + p_u·q_i`, predictions clipped to the training rating range.
///
/// Parallel across threads by stratified blocks; both back ends (the shim's C kernel or Swift
/// SIMD). Beyond the ``Recommender`` protocol: fold-in of new users (``foldIn(items:ratings:)``),
/// similar items and users (``FoldingIn``), early stopping on a validation split
/// (``SGDOptions/validationFraction``).
public struct BiasedMF: FoldingIn {
    public static let name = "biased-mf"
    public static let predictsRatings = true

    public var options: SGDOptions
    public private(set) var factorModel: FactorModel?
    /// The training rating range predictions are clipped to.
    public private(set) var scale: ClosedRange<Float> = 0...0
    /// The objective after each epoch of the last fit; validation RMSE per epoch with early stopping.
    public private(set) var losses: [Double] = []
    public private(set) var validationRMSE: [Double] = []
    public private(set) var secondsPerEpoch: [Double] = []

    public init(options: SGDOptions = SGDOptions()) { self.options = options }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        let total = options.epochs
        let fit = try ModelError.translating(train) {
            try BiasedMatrixFactorization.fit(train.ratings, options: options, context: context) { epoch, loss, _, seconds in
                progress?(FitProgress(iteration: epoch, iterations: total, loss: loss, seconds: seconds))
            }
        }
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items, userBias: fit.userBias, itemBias: fit.itemBias,
                                      globalBias: fit.globalMean, training: train)
        scale = SGDModels.scale(of: train)
        losses = fit.losses
        validationRMSE = fit.validationRMSE
        secondsPerEpoch = fit.secondsPerEpoch
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// The user's factors and bias solved exactly (ridge regression on the fitted items, λ scaled by
    /// the user's rating count as SGD's per-rating penalty is), without refitting.
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (model, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        return try SGDModels.ridgeFoldIn(model, items: items, ratings: ratings, regularization: options.regularization)
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel else { throw ModelError.notFitted(Self.name) }
        var a = try factorModel.archive()
        a.model = Self.name
        a.hyperparameters.merge(SGDModels.hyperparameters(options)) { _, new in new }
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.doubles["losses"] = losses
        a.doubles["validation_rmse"] = validationRMSE
        return a
    }

    public init(archive a: ModelArchive) throws {
        factorModel = try FactorModel(archive: a, savedAs: Self.name)
        options = SGDModels.options(a.hyperparameters)
        let s = try a.floats("scale", count: 2)
        scale = s[0]...s[1]
        losses = a.doubles["losses"] ?? []
        validationRMSE = a.doubles["validation_rmse"] ?? []
    }
}

/// What the SGD-trained models share: hyperparameters, error translation, fold-in.
enum SGDModels {
    /// The registry's hyperparameters of an SGD model with these defaults.
    static func hyperparameters(factors: Double, epochs: Double, learningRate: Double, decay: Double, regularization: Double,
                                biasRegularization: Double, deviation: Double) -> [Hyperparameter] {
        [
            Hyperparameter(name: "factors", defaultValue: factors, help: "latent factors", range: 1...100_000),
            Hyperparameter(name: "epochs", defaultValue: epochs, help: "passes over the ratings", range: 1...100_000),
            Hyperparameter(name: "learning-rate", defaultValue: learningRate, help: "SGD step size of the first epoch", range: 1e-12...1e6),
            Hyperparameter(name: "learning-rate-decay", defaultValue: decay, help: "step size × this after each epoch", range: 1e-6...1),
            Hyperparameter(name: "regularization", defaultValue: regularization, help: "λ of the factors", range: 0...1e6),
            Hyperparameter(name: "regularization-bias", defaultValue: biasRegularization, help: "λ of the biases", range: 0...1e6),
            Hyperparameter(name: "init-std", defaultValue: deviation, help: "standard deviation of the initial factors", range: 0...100),
            Hyperparameter(name: "early-stopping", defaultValue: 0, help: "share of ratings held out to stop early (0: off)", range: 0...0.9),
            Hyperparameter(name: "patience", defaultValue: 3, help: "early stopping: epochs without improvement", range: 1...1000),
            Hyperparameter(name: "seed", defaultValue: 0, help: "initial factors and shuffles", range: 0...1e15),
        ]
    }

    static func options(_ h: [String: Double]) -> SGDOptions {
        var o = SGDOptions(factors: Int(h["factors"] ?? 100), epochs: Int(h["epochs"] ?? 20), learningRate: h["learning-rate"] ?? 0.005,
                   learningRateDecay: h["learning-rate-decay"] ?? 1, regularization: h["regularization"] ?? 0.02,
                   biasRegularization: h["regularization-bias"], initialStandardDeviation: h["init-std"] ?? 0.1,
                   validationFraction: h["early-stopping"] ?? 0, patience: Int(h["patience"] ?? 3), seed: UInt64(h["seed"] ?? 0))
        o.implicitRegularization = h["regularization-implicit"]
        return o
    }

    static func hyperparameters(_ o: SGDOptions) -> [String: Double] {
        ["factors": Double(o.factors), "epochs": Double(o.epochs), "learning-rate": o.learningRate, "learning-rate-decay": o.learningRateDecay,
         "regularization": o.regularization, "regularization-bias": o.biasRegularization ?? o.regularization,
         "init-std": o.initialStandardDeviation, "early-stopping": o.validationFraction, "patience": Double(o.patience), "seed": Double(o.seed)]
            .merging(o.implicitRegularization.map { ["regularization-implicit": $0] } ?? [:]) { _, new in new }
    }

    static func scale(of train: RatingDataset) -> ClosedRange<Float> {
        (train.ratings.values.min() ?? 0)...(train.ratings.values.max() ?? 0)
    }

    /// Ridge fold-in with biases: `[p, b_u]` minimising `Σ (r − μ − b_i − b_u − p·q_i)² + λ·n·(‖p‖² + b_u²)`.
    static func ridgeFoldIn(_ model: FactorModel, items: [Int32], ratings: [Float], regularization: Double) throws -> FoldedInUser {
        let f = model.itemFactors.columns
        let fitted = ALSFactors(users: Matrix<Float>(rows: 1, columns: f), items: model.itemFactors, globalMean: model.globalBias,
                                userBias: [0], itemBias: model.itemBias)
        let options = ALSOptions(factors: f, regularization: regularization, iterations: 1, feedback: .explicit, solver: .cholesky, biases: true)
        let row = try CSRMatrix<Float>(rows: 1, columns: model.itemFactors.rows, rowOffsets: [0, items.count], columnIndices: items, values: ratings)
        let (x, bias) = try AlternatingLeastSquares.userFactors(for: row, fitted: fitted, options: options, context: .current)
        return FoldedInUser(factors: x.storage, bias: bias[0], items: items)
    }
}
