import RecKitAlgorithms
import RecKitKernels

/// The configuration of `bpmf` (``BPMFRecommender``). There is nothing to tune for accuracy: the
/// regularisation and the noise are sampled. The defaults (10 factors, 30 burn-in sweeps, 120
/// kept, robust noise with a = 50) were chosen by validation RMSE on ML-100k's u1…u5.base
/// (docs/results.md).
public struct BPMFConfiguration: ModelConfiguration {
    public var factors = 10
    public var burnIn = 30
    public var samples = 120
    public var biases = true
    /// 0: sampled.
    public var noisePrecision = 0.0
    /// 0: one noise level for all ratings.
    public var robustNoise = 50.0
    public var beta0 = 2.0
    public var initStd = 0.1
    public var precision: DType = .float
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...1_000, scale: .logarithmic, help: "latent factors D"),
            .integer("burn-in", \.burnIn, range: 0...100_000, help: "Gibbs sweeps discarded before averaging"),
            .integer("samples", \.samples, range: 1...100_000, scale: .logarithmic, help: "Gibbs sweeps averaged after the burn-in"),
            .flag("biases", \.biases, help: "a user and an item bias beside the factors"),
            .real("noise-precision", \.noisePrecision, range: 0...1e6, help: "the rating noise precision α (0: sampled)"),
            .real("robust-noise", \.robustNoise, range: 0...1e6, help: "per-user and per-item noise scales ~ Gamma(a, a) with this a (0: off)"),
            .real("beta0", \.beta0, range: 1e-6...1e6, scale: .logarithmic, help: "β₀ of the Normal–Wishart hyperpriors"),
            .real("init-std", \.initStd, range: 1e-6...100, scale: .logarithmic, help: "standard deviation of the initial factors"),
            .choice("precision", \.precision, help: "the precision the factors are sampled in"),
            .seed(\.seed, help: "every draw of the sampler"),
        ]
    }

    var options: BPMFOptions {
        var o = BPMFOptions()
        o.factors = factors
        o.burnIn = burnIn
        o.samples = samples
        o.biases = biases
        o.noisePrecision = noisePrecision > 0 ? noisePrecision : nil
        o.noiseScales = robustNoise > 0 ? robustNoise : nil
        o.beta0 = beta0
        o.initialScale = initStd
        o.dtype = precision
        o.seed = seed
        return o
    }
}
