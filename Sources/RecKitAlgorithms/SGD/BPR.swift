#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CReckitShim
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
            var loss = [Double](repeating: 0, count: blocks * blocks), correct = [Int](repeating: 0, count: blocks * blocks)
            var rounds = Array(0..<blocks)
            var roundOrder = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 7_919)
            rounds.shuffle(using: &roundOrder)
            params.withPointers { p, q, _, bi in
                strata.entries.withUnsafeMutableBufferPointer { all in
                    loss.withUnsafeMutableBufferPointer { lb in
                        correct.withUnsafeMutableBufferPointer { cb in
                            for round in rounds {
                                Parallel.forEachPart(blocks, threads: threads) { userBlock in
                                    let itemBlockIndex = (userBlock + round) % blocks
                                    let b = userBlock * blocks + itemBlockIndex
                                    let block = UnsafeMutableBufferPointer(rebasing: all[strata.offsets[b]..<strata.offsets[b + 1]])
                                    var rng = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64(b))
                                    SGDRatings.shuffle(block, using: &rng)
                                    let negatives = blockStart[itemBlockIndex]..<blockStart[itemBlockIndex + 1]
                                    (lb[b], cb[b]) = epochBlock(UnsafeBufferPointer(block), negatives: negatives, seen: seen, p, q, bi,
                                                                stride: stride, lr: lr, reg: reg, rng: &rng)
                                }
                            }
                        }
                    }
                }
            }
            accuracy.append(Double(correct.reduce(0, +)) / Double(Swift.max(1, strata.entries.count)))
            return loss.reduce(0, +) + params.penalty(reg: reg, regBias: reg)
        }
        return BPRFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items),
                          itemBias: strata.items.map { params.itemBias[Int($0)] }, losses: run.losses, accuracy: accuracy, secondsPerEpoch: run.seconds)
    }

    /// SGD over one stratum's positives, negatives drawn from `negatives`; returns the loss and the
    /// number of triples ranked correctly before their update.
    static func epochBlock(_ entries: UnsafeBufferPointer<reckit_rating>, negatives: Range<Int>, seen: [[Int32]],
                           _ p: UnsafeMutablePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ bi: UnsafeMutablePointer<Float>,
                           stride: Int, lr: Float, reg: Float, rng: inout SeededGenerator) -> (Double, Int) {
        guard !negatives.isEmpty else { return (0, 0) }
        var loss = 0.0, correct = 0
        let keep = SIMD8<Float>(repeating: 1 - lr * reg)
        for e in entries {
            let u = Int(e.user), i = Int(e.item)
            var j = -1
            for _ in 0..<16 {
                let c = negatives.lowerBound + Int(rng.next().multipliedFullWidth(by: UInt64(negatives.count)).high)
                if !binaryContains(seen[u], Int32(c)) { j = c; break }
            }
            if j < 0 { continue }
            let pu = p + u * stride, qi = q + i * stride, qj = q + j * stride
            var acc = SIMD8<Float>()
            var t = 0
            while t < stride { acc = acc.addingProduct(SIMDRow.load(pu + t), SIMDRow.load(qi + t) - SIMDRow.load(qj + t)); t += 8 }
            let x = acc.sum() + bi[i] - bi[j]
            if x > 0 { correct += 1 }
            // ln(1 + e^{−x}) and σ(−x), computed stably
            loss += Double(x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x)))
            let z: Float = x > 0 ? exp(-x) / (1 + exp(-x)) : 1 / (1 + exp(x))
            bi[i] += lr * (z - reg * bi[i])
            bi[j] += lr * (-z - reg * bi[j])
            let lz = SIMD8<Float>(repeating: lr * z)
            t = 0
            while t < stride {
                let a = SIMDRow.load(pu + t), b = SIMDRow.load(qi + t), c = SIMDRow.load(qj + t)
                SIMDRow.store((keep * a).addingProduct(lz, b - c), pu + t)
                SIMDRow.store((keep * b).addingProduct(lz, a), qi + t)
                SIMDRow.store((keep * c).addingProduct(-lz, a), qj + t)
                t += 8
            }
        }
        return (loss, correct)
    }

    static func binaryContains(_ sorted: [Int32], _ x: Int32) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo < sorted.count && sorted[lo] == x
    }
}
