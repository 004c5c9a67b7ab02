import RecKitData
import RecKitLinearAlgebra

/// A model fitted by ``SVDPlusPlus``: ``SGDFactors`` whose user vectors are the combined
/// `p_u + |N(u)|^{-1/2} Σ_{j∈N(u)} y_j` (what scores use; its fields read through, e.g. `fit.users`),
/// plus the explicit part and the implicit item factors.
@dynamicMemberLookup
public struct SVDPlusPlusFactors: Sendable {
    public var factors: SGDFactors
    /// `users × f`: the explicit part `p_u` alone.
    public var explicitUsers: Matrix<Float>
    /// `items × f`: `y_j`, what rating item `j` at all says about a user.
    public var implicitItems: Matrix<Float>

    public subscript<V>(dynamicMember path: KeyPath<SGDFactors, V>) -> V { factors[keyPath: path] }
}

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
                           progress: ((_ epoch: Int, _ loss: Double, _ validationRMSE: Double?, _ seconds: Double) -> Void)? = nil) throws -> SVDPlusPlusFactors {
        try options.validate("SVD++")
        try SGDRatings.checkInput(ratings, "SVD++")
        let f = options.factors, stride = (f + 7) / 8 * 8
        let split = SGDRatings.holdOut(ratings, fraction: options.validationFraction, seed: options.seed &+ 11)
        // The training ratings by user (CSR), positions shuffled per user each epoch.
        let train = try CSRMatrix<Float>.fromTriplets(rows: ratings.rows, columns: ratings.columns, rowIndices: split.train.map(\.user),
                                                      columnIndices: split.train.map(\.item), values: split.train.map(\.rating)).matrix
        let mu = Float(ratings.values.reduce(0.0) { $0 + Double($1) } / Double(ratings.nonZeroCount))
        let scale = (ratings.values.min() ?? 0)...(ratings.values.max() ?? 0)
        var params = PlusParameters(base: SGDParameters(users: ratings.rows, items: ratings.columns, factors: f, stride: stride,
                                                        deviation: options.initialStandardDeviation, seed: options.seed),
                                    y: SGDParameters.initial(rows: ratings.columns, factors: f, stride: stride,
                                                             deviation: options.initialStandardDeviation, seed: options.seed &+ 3))
        let reg = Float(options.regularization), regBias = Float(options.biasRegularization ?? options.regularization)
        let regImplicit = Float(options.implicitRegularization ?? options.regularization)
        let run = try SGDSchedule.run(&params, options: options, name: "SVD++", validating: !split.validation.isEmpty, progress: progress,
                                      validate: { $0.rmse(split.validation, train: train, mu: mu, clip: scale) }) { epoch, lr, params in
            var rng = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 1_000_003)
            var users = Array(0..<train.rows)
            users.shuffle(using: &rng)
            let squared = SGDKernels.svdPlusPlusEpoch(offsets: train.rowOffsets, indices: train.columnIndices, values: train.values, users: users,
                                                      rng: &rng, parameters: &params.base, implicitFactors: &params.y,
                                                      mu: mu, lr: lr, reg: reg, regBias: regBias, regImplicit: regImplicit)
            return squared + params.base.penalty(reg: reg, regBias: regBias) + Double(regImplicit) * params.implicitNorm()
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

/// SVD++'s parameters: those of biased MF plus the padded implicit factors `y`.
struct PlusParameters {
    var base: SGDParameters
    var y: [Float]

    func implicitNorm() -> Double { y.reduce(0.0) { $0 + Double($1) * Double($1) } }

    func rmse(_ entries: [RatingEntry], train: CSRMatrix<Float>, mu: Float, clip: ClosedRange<Float>) -> Double {
        let s = base.stride, f = base.factors
        var sum = 0.0
        for e in entries {
            let u = Int(e.user), i = Int(e.item), row = train.range(ofRow: u)
            let norm = row.isEmpty ? 0 : 1 / Float(row.count).squareRoot()
            var pred = mu + base.userBias[u] + base.itemBias[i]
            for t in 0..<f {
                var z: Float = 0
                for k in row { z += y[Int(train.columnIndices[k]) * s + t] }
                pred += base.q[i * s + t] * (base.p[u * s + t] + norm * z)
            }
            let r = Swift.min(clip.upperBound, Swift.max(clip.lowerBound, pred))
            sum += Double(e.rating - r) * Double(e.rating - r)
        }
        return (sum / Double(Swift.max(1, entries.count))).squareRoot()
    }
}
