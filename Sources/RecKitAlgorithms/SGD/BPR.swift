import RecKitData
import RecKitLinearAlgebra

/// Factors fitted by ``BayesianPersonalizedRanking``: scores `p_u·q_i + b_i`.
public struct BPRFactors: Sendable {
    public var users: Matrix<Float>
    public var items: Matrix<Float>
    public var itemBias: [Float]
    /// `Σ ln(1 + e^{−x_uij})` over the epoch's sampled triples plus the penalty, per epoch.
    public var losses: [Double]
    /// Share of sampled triples already ranked correctly (`x_uij > 0`) in each epoch.
    public var accuracy: [Double]
    public var secondsPerEpoch: [Double]
}

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
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options;
    ///   ``LinearAlgebraError/diverged(operation:iteration:loss:hint:)`` when the loss becomes NaN/∞.
    public static func fit(_ interactions: CSRMatrix<Float>, options: SGDOptions, context: ExecutionContext = .current,
                           progress: ((_ epoch: Int, _ loss: Double, _ accuracy: Double, _ seconds: Double) -> Void)? = nil) throws -> BPRFactors {
        try options.validate("BPR")
        try SGDRatings.checkInput(interactions, "BPR")
        guard interactions.columns >= 2 else { throw LinearAlgebraError.invalidArgument("BPR: needs at least 2 items to rank, got \(interactions.columns)") }
        let f = options.factors, stride = (f + 7) / 8 * 8
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
        var accuracy: [Double] = []
        let run = try SGDSchedule.run(&params, options: options, name: "BPR", validating: false,
                                      progress: { e, loss, _, s in progress?(e, loss, accuracy.last ?? 0, s) },
                                      validate: { _ in 0 }) { epoch, lr, params in
            var rounds = Array(0..<blocks)
            var roundOrder = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 7_919)
            rounds.shuffle(using: &roundOrder)
            let (loss, correct) = SGDKernels.stratifiedEpoch(
                entries: &strata.entries, offsets: strata.offsets, blocks: blocks, roundOrder: rounds,
                shuffleSeed: { options.seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64($0) }, parameters: &params,
                update: .bpr(lr: lr, reg: reg, seen: seen, itemBlockStarts: blockStart), context: context.with(threads: threads))
            accuracy.append(Double(correct) / Double(Swift.max(1, strata.entries.count)))
            return loss + params.penalty(reg: reg, regBias: reg)
        }
        return BPRFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items),
                          itemBias: strata.items.map { params.itemBias[Int($0)] }, losses: run.losses, accuracy: accuracy, secondsPerEpoch: run.seconds)
    }
}
