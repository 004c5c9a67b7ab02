import RecKitData
import RecKitLinearAlgebra

/// SVD++ (Koren 2008): biased matrix factorisation whose user vector also sums implicit factors of
/// every item the user rated, trained by SGD:
///
/// ```
/// r̂_ui = μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^{-1/2} Σ_{j∈N(u)} y_j)
/// min Σ (r_ui − r̂_ui)² + λ(‖p_u‖² + ‖q_i‖²) + λ_y Σ_j ‖y_j‖² + λ_b(b_u² + b_i²)
/// ```
/// `N(u)` is the set of items `u` rated in the training data.
///
/// **Per-user caching.** The naive update costs `O(|N(u)|·f)` per rating (recompute the implicit sum,
/// step every `y_j`). Here an epoch visits the users in random order and each user's ratings in
/// random order: the implicit sum `z_u = |N(u)|^{-1/2} Σ y_j` is computed once per user, the `y`
/// gradient `Σ e·|N(u)|^{-1/2}·q_i` is accumulated over the user's ratings, and every `y_j` of the
/// user takes one step at the end (with the penalty's shrinkage `(1 − lr·λ)^m` for the user's `m`
/// ratings) — `O((|N(u)| + |R(u)|)·f)` per user instead of `O(|N(u)|·|R(u)|·f)`. Single-threaded,
/// Swift SIMD (`y` is shared across users, so blocks would not be independent).
public enum SVDPlusPlus {
    /// Fits SVD++ to the observed entries of a `users × items` rating matrix (Float).
    /// - Throws: as ``BiasedMatrixFactorization/fit(_:options:context:progress:)``.
    public static func fit(_ ratings: CSRMatrix<Float>, options: SGDOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> SVDPlusPlusFactors {
        try options.validate("SVD++")
        try SGDRatings.checkInput(ratings, "SVD++")
        let f = options.factors, stride = SGDParameters.stride(for: f), seeds = Seeds(options.seed)
        let split = SGDRatings.holdOut(ratings, fraction: options.validationFraction, seed: seeds(.validationHoldout))
        // The training ratings by user (CSR), positions shuffled per user each epoch.
        let train = try CSRMatrix<Float>.fromTriplets(rows: ratings.rows, columns: ratings.columns, rowIndices: split.train.map(\.user),
                                                      columnIndices: split.train.map(\.item), values: split.train.map(\.rating)).matrix
        let mu = Float(ratings.values.reduce(0.0) { $0 + Double($1) } / Double(ratings.nonZeroCount))
        let scale = (ratings.values.min() ?? 0)...(ratings.values.max() ?? 0)
        var params = PlusParameters(base: SGDParameters(users: ratings.rows, items: ratings.columns, factors: f, stride: stride,
                                                        deviation: options.initialStandardDeviation, seed: options.seed),
                                    y: SGDParameters.initial(rows: ratings.columns, factors: f, stride: stride,
                                                             deviation: options.initialStandardDeviation, seed: seeds(.implicitFactors)))
        let reg = Float(options.regularization), regBias = Float(options.biasRegularization ?? options.regularization)
        let regImplicit = Float(options.implicitRegularization ?? options.regularization)
        var lr = options.learningRate
        let run = try EpochRunner.run("SVD++", epochs: options.epochs, state: &params, divergence: options.divergence(),
                                      validation: options.validation { $0.rmse(split.validation, train: train, mu: mu, clip: scale) },
                                      progress: progress) { epoch, params in
            var rng = seeds.generator(.epochShuffle, epoch)
            var users = Array(0..<train.rows)
            users.shuffle(using: &rng)
            let squared = SGDKernels.svdPlusPlusEpoch(offsets: train.rowOffsets, indices: train.columnIndices, values: train.values, users: users,
                                                      rng: &rng, parameters: &params.base, implicitFactors: &params.y,
                                                      mu: mu, lr: Float(lr), reg: reg, regBias: regBias, regImplicit: regImplicit)
            lr *= options.learningRateDecay
            return .init(loss: squared + params.base.penalty(reg: reg, regBias: regBias) + Double(regImplicit) * params.implicitNorm())
        }
        // Scores use p_u + z_u.
        let combined = SGDKernels.svdPlusPlusUserVectors(offsets: train.rowOffsets, indices: train.columnIndices, p: params.base.p,
                                                         y: params.y, stride: stride)
        let identityUsers = (0..<Int32(ratings.rows)).map { $0 }, identityItems = (0..<Int32(ratings.columns)).map { $0 }
        let base = params.base
        let factors = SGDFactors(users: base.factors(combined, order: identityUsers), items: base.factors(base.q, order: identityItems),
                                 globalMean: mu, userBias: base.userBias, itemBias: base.itemBias, losses: run.losses,
                                 validationRMSE: run.validation, bestEpoch: run.bestEpoch, secondsPerEpoch: run.seconds)
        return SVDPlusPlusFactors(factors: factors, explicitUsers: base.factors(base.p, order: identityUsers),
                                  implicitItems: base.factors(params.y, order: identityItems))
    }
}
