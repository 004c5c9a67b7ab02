import RecKitKernels

/// The options of ``BayesianMatrixFactorization``. There is no learning rate and no λ: the factor
/// distributions' means and precisions, the biases' precisions and (by default) the rating noise
/// are sampled from their posteriors.
public struct BPMFOptions: Sendable, Equatable, Codable {
    /// Latent dimension `D`.
    public var factors = 10
    /// Gibbs sweeps discarded before predictions are averaged.
    public var burnIn = 20
    /// Gibbs sweeps kept after the burn-in; predictions are the mean over them.
    public var samples = 80
    /// A user and an item bias each (with their own sampled precisions) beside the factors.
    public var biases = true
    /// The rating noise precision `α`; nil samples it (Gamma(1, 1) prior). The paper fixes 2.
    public var noisePrecision: Double? = nil
    /// Robust noise (after Lakshminarayanan, Bouchard & Archambeau 2011): a rating's noise
    /// precision is `α·τ_u·κ_i` with per-user and per-item scales `τ_u, κ_i ~ Gamma(a, a)`, this
    /// `a` (Student-t noise as a scale mixture: users and items that rate or are rated
    /// inconsistently weigh less); nil: one noise level for all (the 2008 paper's model). 50 was
    /// chosen by validation RMSE on ML-100k's u1…u5.base (docs/results.md).
    public var noiseScales: Double? = 50
    /// `β₀` of the Normal–Wishart hyperpriors (the paper's 2).
    public var beta0 = 2.0
    /// Standard deviation of the initial factors.
    public var initialScale = 0.1
    /// Precision of the factors and of the sampler's arithmetic (the hyperparameters are always Double).
    public var dtype: DType = .float
    public var seed: UInt64 = 0

    public init() {}

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)``.
    func validate() throws {
        let check = OptionCheck(algorithm: BayesianMatrixFactorization.name)
        try check.atLeast(1, ["factors": factors, "samples": samples])
        try check.atLeast(0, ["burnIn": burnIn])
        try check.positive(["beta0": beta0, "initialScale": initialScale])
        if let noisePrecision { try check.positive(["noisePrecision": noisePrecision]) }
        if let noiseScales { try check.positive(["noiseScales": noiseScales]) }
    }
}

/// One Gibbs sweep of ``BayesianMatrixFactorization``, as the trace reports it.
public struct BPMFSample: Sendable, Equatable, Codable {
    /// 1-based sweep number; sweeps up to ``BPMFOptions/burnIn`` are burn-in.
    public var index: Int
    public var burnIn: Bool
    /// `log p(R | U, V, α)` of the training ratings at this sweep's parameters.
    public var logLikelihood: Double
    /// The noise precision `α` of this sweep.
    public var noisePrecision: Double
    /// Training RMSE of this sweep's own predictions.
    public var trainRMSE: Double
    /// Probe RMSE of this sweep's own predictions (nil without a probe set).
    public var probeRMSE: Double?
    /// Probe RMSE of the posterior predictive mean over the kept sweeps so far (nil in burn-in).
    public var averagedProbeRMSE: Double?
    public var seconds: Double
}
