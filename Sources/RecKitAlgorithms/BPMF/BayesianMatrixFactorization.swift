import Foundation
import RecKitData
import RecKitKernels
import RecKitLinearAlgebra

extension Seeds.Stream {
    // MARK: Bayesian MF
    public static let bpmfInitial = Seeds.Stream(offset: 17)
    public static let bpmfHyperparameters = Seeds.Stream(offset: 19, stride: 7_919)
    /// One generator per (sweep, user) and (sweep, item): rows draw the same numbers however the
    /// threads split them.
    public static let bpmfUserRows = Seeds.Stream(offset: 1 << 48, stride: 1 << 32)
    public static let bpmfItemRows = Seeds.Stream(offset: 1 << 49, stride: 1 << 32)
}

/// Bayesian probabilistic matrix factorisation (Salakhutdinov & Mnih, ICML 2008) by Gibbs sampling,
/// optionally with biases:
/// ```
/// r_ui ~ N(μ + b_u + b_i + u_uᵀv_i, (α·τ_u·κ_i)⁻¹)
/// u_u ~ N(μ_U, Λ_U⁻¹),  (μ_U, Λ_U) ~ Normal–Wishart(0, β₀, I, D)     (items alike)
/// b_u ~ N(0, λ_bu⁻¹),   λ_bu ~ Gamma(1, 1)                             (items alike)
/// α ~ Gamma(1, 1)   (or fixed by ``BPMFOptions/noisePrecision``)
/// τ_u, κ_i ~ Gamma(a, a)   (robust noise, ``BPMFOptions/noiseScales``; without it τ = κ = 1)
/// ```
/// `μ` is the training mean. Each sweep draws the hyperparameters given the factors, then every
/// user given the items, then every item given the users, then the biases' and the noise's
/// precisions and scales. A row's conditional is Gaussian with precision `A = Λ + α·Σ v vᵀ` over its ratings:
/// the sampler gathers the row's partners, forms `A` by the back end's `syrk`, factors it
/// (`potrf`), solves for the mean (`potrs`) and adds `L⁻ᵀz`, `z ~ N(0, I)` — a batch of small
/// Cholesky solves, parallel over rows. Predictions are the mean over the sweeps after the burn-in
/// (clipped to the training range by the model layer).
///
/// **Determinism.** Each row draws from its own generator, seeded by (seed, sweep, row); sums over
/// rows are taken in a fixed order. A seed gives the same result for any thread count and run; the
/// back ends agree to their rounding (their `syrk`/`potrf` differ in the last bits).
///
/// Layout: factors row-major (`users × D`, `items × D`) in ``BPMFOptions/dtype``; ratings Float.
public enum BayesianMatrixFactorization {
    static let name = "Bayesian MF"

    /// Fits the posterior to the observed entries of a `users × items` rating matrix.
    /// - Parameters:
    ///   - probe: held-out ratings in the same `users × items` index space, whose RMSE the trace
    ///     reports per sweep; they never affect the draws.
    ///   - progress: after each sweep.
    /// - Throws: ``AlgorithmError`` for bad options, empty or non-finite ratings, a probe entry out
    ///   of range.
    public static func fit(_ ratings: CSRMatrix<Float>, probe: CSRMatrix<Float>? = nil, options: BPMFOptions,
                           context: ExecutionContext = .current, progress: ((BPMFSample) -> Void)? = nil) throws -> BPMFPosterior {
        try options.validate()
        guard ratings.nonZeroCount > 0 else { throw AlgorithmError.emptyInput(algorithm: name, details: "no ratings") }
        if let bad = ratings.values.firstIndex(where: { !$0.isFinite }) {
            let row = ratings.rowOffsets.lastIndex { $0 <= bad }!
            throw AlgorithmError.nonFiniteInput(algorithm: name, row: row, column: Int(ratings.columnIndices[bad]))
        }
        if let probe, probe.rows != ratings.rows || probe.columns != ratings.columns {
            throw AlgorithmError.shapeMismatch(algorithm: name, details: "probe \(probe.shapeDescription), training \(ratings.shapeDescription)")
        }
        switch options.dtype {
        case .float:
            var sampler = try GibbsSampler<Float>(ratings, probe: probe, options: options, context: context)
            return try sampler.run(progress)
        case .double:
            var sampler = try GibbsSampler<Double>(ratings, probe: probe, options: options, context: context)
            return try sampler.run(progress)
        }
    }
}

/// The posterior ``BayesianMatrixFactorization/fit(_:probe:options:context:progress:)`` returns:
/// the kept sweeps, laid side by side so that one dot product is the posterior mean prediction.
///
/// `users` is `rows × (S·D)`: sweep `s`'s user factors in columns `s·D..<(s+1)·D`, scaled by
/// `1/√S` (`items` alike), so `usersᵢ · itemsⱼ = (1/S) Σ_s u_uˢ·v_iˢ`. Biases are the means over
/// the kept sweeps.
public struct BPMFPosterior: Sendable {
    public var users: Matrix<Float>
    public var items: Matrix<Float>
    public var userBias: [Float]
    public var itemBias: [Float]
    public var globalMean: Float
    /// Per kept sweep: the user hyperparameters, noise precision and user-bias precision — what a
    /// new user's conditional needs (``foldIn(items:ratings:seed:)``).
    public var userPriors: [BPMFUserPrior]
    /// Every sweep, burn-in included.
    public var trace: [BPMFSample]
    public var factors: Int
    public var kept: Int { userPriors.count }

    public init(users: Matrix<Float>, items: Matrix<Float>, userBias: [Float], itemBias: [Float], globalMean: Float,
                userPriors: [BPMFUserPrior], trace: [BPMFSample], factors: Int) {
        self.users = users
        self.items = items
        self.userBias = userBias
        self.itemBias = itemBias
        self.globalMean = globalMean
        self.userPriors = userPriors
        self.trace = trace
        self.factors = factors
    }
}

/// What a kept sweep knew about users in general.
public struct BPMFUserPrior: Sendable, Codable, Equatable {
    public var mean: [Double]
    /// Row-major `D × D`.
    public var precision: [Double]
    public var noisePrecision: Double
    /// Precision of the user biases (0 without biases).
    public var biasPrecision: Double

    public init(mean: [Double], precision: [Double], noisePrecision: Double, biasPrecision: Double) {
        self.mean = mean
        self.precision = precision
        self.noisePrecision = noisePrecision
        self.biasPrecision = biasPrecision
    }
}

extension BPMFPosterior {
    /// Gibbs passes a fold-in makes per kept sweep (factors given the bias, then the bias given the
    /// factors).
    static let foldInPasses = 3

    /// A new user's factors and bias, sampled from the user's conditional: for each kept sweep,
    /// ``foldInPasses`` alternating draws of the factors (given that sweep's item factors and
    /// priors) and the bias; the last draws laid side by side (scaled as ``users``), the bias
    /// averaged. Item biases are the posterior means (a sweep's own are not kept).
    /// - Parameters: items and ratings of the user's history (items < `items.rows`).
    public func foldIn(items history: [Int32], ratings: [Float], seed: UInt64) -> (factors: [Float], bias: Float) {
        let d = factors, s = kept, root = Double(s).squareRoot()
        var out = [Float](repeating: 0, count: d * s)
        var biasSum = 0.0
        for (k, prior) in userPriors.enumerated() {
            var rng = SeededGenerator(seed: seed &+ UInt64(k))
            let partners = history.map { item in (0..<d).map { Double(items[Int(item), k * d + $0]) * root } }
            let offsets = history.map { Double(globalMean) + Double(itemBias[Int($0)]) }
            var bias = 0.0, x = [Double](repeating: 0, count: d)
            for _ in 0..<Self.foldInPasses {
                var a = prior.precision
                var b = (0..<d).map { r in (0..<d).reduce(0.0) { $0 + prior.precision[r * d + $1] * prior.mean[$1] } }
                for (q, v) in partners.enumerated() {
                    let t = Double(ratings[q]) - offsets[q] - bias
                    for r in 0..<d {
                        b[r] += prior.noisePrecision * t * v[r]
                        for c in 0...r { a[r * d + c] += prior.noisePrecision * v[r] * v[c] }
                    }
                }
                _ = SmallCholesky.factor(&a, d)
                // mean = A⁻¹b (forward then back substitution); draw = mean + L⁻ᵀz.
                SmallCholesky.solve(a, d, &b)
                var z = (0..<d).map { _ in rng.nextGaussian() }
                SmallCholesky.solveUpperTransposed(a, d, &z)
                x = zip(b, z).map { $0 + $1 }
                guard prior.biasPrecision > 0 else { break }
                var sum = 0.0
                for (q, v) in partners.enumerated() { sum += Double(ratings[q]) - offsets[q] - zip(x, v).reduce(0) { $0 + $1.0 * $1.1 } }
                let precision = prior.biasPrecision + prior.noisePrecision * Double(partners.count)
                bias = prior.noisePrecision * sum / precision + rng.nextGaussian() / precision.squareRoot()
            }
            biasSum += bias
            for t in 0..<d { out[k * d + t] = Float(x[t] / root) }
        }
        return (out, Float(biasSum / Double(Swift.max(s, 1))))
    }
}
