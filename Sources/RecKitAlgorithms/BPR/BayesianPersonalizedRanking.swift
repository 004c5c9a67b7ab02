import RecKitData
import RecKitLinearAlgebra

/// Bayesian personalised ranking (Rendle et al. 2009) for implicit feedback, trained by SGD on
/// sampled triples:
///
/// ```
/// max Σ_(u,i,j) ln σ(x_uij) − λ(‖P‖² + ‖Q‖² + ‖b‖²),   x_uij = p_u·(q_i − q_j) + b_i − b_j
/// ```
/// with `i` an item `u` interacted with and `j` one they did not (drawn uniformly; a draw that hits
/// one of `u`'s items is redrawn). Each epoch samples as many triples as there are interactions,
/// one per interaction in shuffled order.
///
/// **Parallel scheme.** As ``BiasedMatrixFactorization``: users and items in `B` blocks, `B` rounds per
/// epoch, the strata of a round trained side by side. Within stratum `(b_u, b_i)` the negative `j`
/// is drawn from item block `b_i`, so no two threads touch the same row; over an epoch every item
/// block serves as negatives for every user block, in proportion to its interactions. Deterministic
/// for a seed and thread count. One kernel (Swift SIMD) serves both back ends.
public enum BayesianPersonalizedRanking {
    /// - Parameters:
    ///   - interactions: `users × items`; every stored entry is a positive (values are ignored).
    ///   - options: factors, epochs, learning rate (and decay), λ (``SGDOptions/regularization``),
    ///     initial deviation, seed; early stopping is not used.
    ///   - progress: after each epoch, with the share of sampled triples ranked correctly (`accuracy`).
    /// - Throws: ``AlgorithmError`` for impossible options or input;
    ///   ``AlgorithmError/diverged(algorithm:epoch:loss:hint:)`` when the loss becomes NaN/∞.
    public static func fit(_ interactions: CSRMatrix<Float>, options: SGDOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> BPRFactors {
        try options.validate("BPR")
        try SGDRatings.checkInput(interactions, "BPR")
        guard interactions.columns >= 2 else {
            throw AlgorithmError.invalidInput(algorithm: "BPR", row: nil, column: nil, reason: "needs at least 2 items to rank, got \(interactions.columns)")
        }
        let f = options.factors, stride = SGDParameters.stride(for: f), seeds = Seeds(options.seed)
        let threads = Swift.max(1, Swift.min(context.threads, interactions.rows, interactions.columns))
        let blocks = SGDRatings.blockCount(threads: threads, rows: interactions.rows, columns: interactions.columns, stride: stride)
        var strata = SGDRatings.strata(SGDRatings.entries(interactions), blocks: blocks, rows: interactions.rows, columns: interactions.columns)
        // Each user's items in the internal numbering, sorted, to reject positives as negatives.
        var seen = [[Int32]](repeating: [], count: interactions.rows)
        for e in strata.entries { seen[Int(e.user)].append(e.item) }
        for u in seen.indices { seen[u].sort() }
        // Item block b holds the internal items blockStart[b]..<blockStart[b + 1].
        let blockStart = strata.itemBlockStarts
        var params = SGDParameters(users: interactions.rows, items: interactions.columns, factors: f, stride: stride,
                                   deviation: options.initialStandardDeviation, seed: options.seed)
        let reg = Float(options.regularization)
        var lr = options.learningRate
        let run = try EpochRunner.run("BPR", epochs: options.epochs, state: &params, divergence: options.divergence(),
                                      progress: progress) { epoch, params in
            var rounds = Array(0..<blocks)
            var roundOrder = seeds.generator(.roundOrder, epoch)
            rounds.shuffle(using: &roundOrder)
            let (loss, correct) = SGDKernels.stratifiedEpoch(
                entries: &strata.entries, offsets: strata.offsets, blocks: blocks, roundOrder: rounds,
                shuffleSeed: { seeds(.epochShuffle, epoch, $0) }, parameters: &params,
                update: .bpr(lr: Float(lr), reg: reg, seen: seen, itemBlockStarts: blockStart), context: context.with(threads: threads))
            lr *= options.learningRateDecay
            return .init(loss: loss + params.penalty(reg: reg, regBias: reg),
                         measures: ["accuracy": Double(correct) / Double(Swift.max(1, strata.entries.count))])
        }
        return BPRFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items),
                          itemBias: strata.items.map { params.itemBias[Int($0)] }, losses: run.losses, accuracy: run.measures.map { $0["accuracy"] ?? 0 }, secondsPerEpoch: run.seconds)
    }
}
