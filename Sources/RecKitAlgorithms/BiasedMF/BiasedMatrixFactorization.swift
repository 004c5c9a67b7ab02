import RecKitData
import RecKitLinearAlgebra

/// Biased matrix factorisation (Funk; Koren, Bell & Volinsky 2009) trained by stochastic gradient
/// descent:
///
/// ```
/// min Σ_(u,i) (r_ui − μ − b_u − b_i − p_uᵀq_i)² + λ(‖p_u‖² + ‖q_i‖²) + λ_b(b_u² + b_i²)
/// ```
/// Every epoch visits the ratings in a fresh random order and, for each, steps `b_u`, `b_i`, `p_u`
/// and `q_i` along the negative gradient of its term (Surprise's `SVD` update, so the settings
/// carry over). `μ` is the mean rating. Factors start near-normal with standard deviation σ
/// (a sum of four uniforms), biases 0.
///
/// **Parallel scheme.** The users and the items are each cut into `B` blocks of near-equal rating
/// counts (`B` a multiple of the thread count `T`, large enough for one block pair's factor rows to
/// stay in L2), making `B × B` strata. An epoch runs the `B` rounds in a random order; in round `s`
/// the strata `(b, (b + s) mod B)` share no user or item, so the `T` threads train them side by
/// side without locks, each free thread taking the round's next stratum (stratified SGD, Gemulla
/// et al. 2011); each stratum's ratings are shuffled every epoch with its own seeded generator.
/// The result is deterministic for a seed and thread count.
///
/// **Back ends.** ``Backend/blas`` runs the shim's C kernel (AVX2+FMA when the CPU has it),
/// ``Backend/swift`` the same update in Swift SIMD. Float throughout; factor rows are padded to a
/// multiple of 8 floats internally.
public enum BiasedMatrixFactorization {
    /// Fits the model to the observed entries of a `users × items` rating matrix.
    /// - Parameter progress: after each epoch: the objective and, with early stopping, the validation RMSE.
    /// - Throws: ``AlgorithmError`` for impossible options or NaN/∞ ratings (naming the entry), and
    ///   ``AlgorithmError/diverged(algorithm:epoch:loss:hint:)`` when the loss becomes NaN/∞ or grows
    ///   a hundredfold — the learning rate is too large.
    public static func fit(_ ratings: CSRMatrix<Float>, options: SGDOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> SGDFactors {
        try options.validate("biased MF")
        try SGDRatings.checkInput(ratings, "biased MF")
        let f = options.factors, stride = SGDParameters.stride(for: f), seeds = Seeds(options.seed)
        let split = SGDRatings.holdOut(ratings, fraction: options.validationFraction, seed: seeds(.validationHoldout))
        let threads = Swift.max(1, Swift.min(context.threads, ratings.rows, ratings.columns))
        let blocks = SGDRatings.blockCount(threads: threads, rows: ratings.rows, columns: ratings.columns, stride: stride)
        var strata = SGDRatings.strata(split.train, blocks: blocks, rows: ratings.rows, columns: ratings.columns)
        let validationEntries = split.validation.map {
            RatingEntry(user: strata.users[Int($0.user)], item: strata.items[Int($0.item)], rating: $0.rating)
        }
        let mu = Float(ratings.values.reduce(0.0) { $0 + Double($1) } / Double(ratings.nonZeroCount))
        let scale = (ratings.values.min() ?? 0)...(ratings.values.max() ?? 0)
        var params = SGDParameters(users: ratings.rows, items: ratings.columns, factors: f, stride: stride,
                                   deviation: options.initialStandardDeviation, seed: options.seed)
        let reg = Float(options.regularization), regBias = Float(options.biasRegularization ?? options.regularization)
        var lr = options.learningRate
        let run = try EpochRunner.run("biased MF", epochs: options.epochs, state: &params, divergence: options.divergence(),
                                      validation: options.validation { $0.rmse(validationEntries, mu: mu, clip: scale) },
                                      progress: progress) { epoch, params in
            var rounds = Array(0..<blocks)
            var roundOrder = seeds.generator(.roundOrder, epoch)
            rounds.shuffle(using: &roundOrder)
            // The strata (b, (b + round) mod B) of a round share no user or item block.
            let (squared, _) = SGDKernels.stratifiedEpoch(
                entries: &strata.entries, offsets: strata.offsets, blocks: blocks, roundOrder: rounds,
                shuffleSeed: { seeds(.epochShuffle, epoch, $0) }, parameters: &params,
                update: .biased(mu: mu, lr: Float(lr), reg: reg, regBias: regBias), context: context.with(threads: threads))
            lr *= options.learningRateDecay
            return .init(loss: squared + params.penalty(reg: reg, regBias: regBias))
        }
        return SGDFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items), globalMean: mu,
                          userBias: strata.users.map { params.userBias[Int($0)] }, itemBias: strata.items.map { params.itemBias[Int($0)] },
                          losses: run.losses, validationRMSE: run.validation, bestEpoch: run.bestEpoch, secondsPerEpoch: run.seconds)
    }
}
