import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `bpmf`: Bayesian probabilistic matrix factorisation by Gibbs sampling
/// (``BayesianMatrixFactorization``). Predictions are the posterior mean over the kept sweeps,
/// `μ + b̄_u + b̄_i + (1/S) Σ_s u_uˢ·v_iˢ`, clipped to the training rating range; scoring and
/// ranking use one factor model whose rows are the kept sweeps side by side (`S·D` columns).
///
/// Beyond the ``Recommender`` protocol: the per-sweep trace (``trace``), fold-in of a new user by
/// sampling from its conditional under each kept sweep (``foldIn(items:ratings:)``).
public struct BPMFRecommender: FoldingIn {
    public static let name = "bpmf"
    public static let summary = "Bayesian matrix factorisation by Gibbs sampling (no learning rate or λ to tune)"
    public static let predictsRatings = true

    public let configuration: BPMFConfiguration
    public private(set) var factorModel: FactorModel?
    public private(set) var scale: ClosedRange<Float> = 0...0
    /// Every sweep of the fit, burn-in included.
    public private(set) var trace: [BPMFSample] = []
    private var posterior: BPMFPosterior?

    public init(_ configuration: BPMFConfiguration = BPMFConfiguration()) { self.configuration = configuration }

    public var training: RatingDataset? { factorModel?.training }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        try fit(train, probe: nil, context: context, progress: progress)
    }

    /// ``fit(_:context:progress:)`` with a probe set (the same index space as `train`) whose RMSE
    /// the trace reports per sweep — the paper's figure; the probe never affects the draws.
    public mutating func fit(_ train: RatingDataset, probe: RatingDataset?, context: ExecutionContext,
                             progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration(for: train, context: context).options
        let sweeps = options.burnIn + options.samples
        let posterior = try translatingErrors(train) {
            try BayesianMatrixFactorization.fit(train.ratings, probe: probe?.ratings, options: options, context: context) { s in
                var measures = ["log_likelihood": s.logLikelihood, "noise_precision": s.noisePrecision, "train_rmse": s.trainRMSE]
                if let r = s.probeRMSE { measures["probe_rmse"] = r }
                if let r = s.averagedProbeRMSE { measures["averaged_probe_rmse"] = r }
                progress?(TrainingProgress(epoch: s.index, epochs: sweeps, loss: -s.logLikelihood, seconds: s.seconds, measures: measures))
            }
        }
        try adopt(posterior, training: train)
    }

    private mutating func adopt(_ posterior: BPMFPosterior, training: RatingDataset) throws {
        factorModel = try FactorModel(userFactors: posterior.users, itemFactors: posterior.items, userBias: posterior.userBias,
                                      itemBias: posterior.itemBias, globalBias: posterior.globalMean, training: training)
        scale = training.ratingScale
        trace = posterior.trace
        self.posterior = posterior
    }

    public func predict(user: Int, item: Int) -> Float {
        guard let factorModel else { return 0 }
        return scale.clamping(factorModel.predict(user: user, item: item))
    }

    /// Samples the new user's factors and bias from their conditional under each kept sweep
    /// (seeded by the configuration's seed, so a history always folds in the same way).
    public func foldIn(items: [Int32], ratings: [Float]) throws -> FoldedInUser {
        let (_, items, ratings) = try validatedFoldIn(items: items, ratings: ratings)
        guard let posterior else { throw ModelError.notFitted(model: Self.name) }
        let drawn = posterior.foldIn(items: items, ratings: ratings, seed: configuration.seed)
        return FoldedInUser(factors: drawn.factors, bias: drawn.bias, items: items)
    }

    public func archive() throws -> ModelArchive {
        guard let factorModel, let posterior else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        factorModel.storeParameters(in: &a)
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.doubles["prior_mean"] = posterior.userPriors.flatMap(\.mean)
        a.doubles["prior_precision"] = posterior.userPriors.flatMap(\.precision)
        a.doubles["prior_noise_precision"] = posterior.userPriors.map(\.noisePrecision)
        a.doubles["prior_bias_precision"] = posterior.userPriors.map(\.biasPrecision)
        a.doubles["log_likelihood"] = trace.map(\.logLikelihood)
        a.doubles["train_rmse"] = trace.map(\.trainRMSE)
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let d = configuration.factors, s = configuration.samples
        let model = try FactorModel(parametersIn: a, factors: d * s)
        let means = try a.doubles("prior_mean", count: s * d), precisions = try a.doubles("prior_precision", count: s * d * d)
        let noise = try a.doubles("prior_noise_precision", count: s), bias = try a.doubles("prior_bias_precision", count: s)
        guard (means + precisions + noise + bias).allSatisfy(\.isFinite), noise.allSatisfy({ $0 > 0 }), bias.allSatisfy({ $0 >= 0 }) else {
            throw ModelError.invalidArchive(file: Self.name + " model", reason: "a sampled prior is not finite or not positive")
        }
        let priors = (0..<s).map { k in
            BPMFUserPrior(mean: Array(means[(k * d)..<((k + 1) * d)]), precision: Array(precisions[(k * d * d)..<((k + 1) * d * d)]),
                          noisePrecision: noise[k], biasPrecision: bias[k])
        }
        let posterior = BPMFPosterior(users: model.userFactors, items: model.itemFactors, userBias: model.userBias, itemBias: model.itemBias,
                                      globalMean: model.globalBias, userPriors: priors, trace: [], factors: d)
        factorModel = model
        scale = try a.range("scale")
        self.posterior = posterior
        trace = []
    }
}
