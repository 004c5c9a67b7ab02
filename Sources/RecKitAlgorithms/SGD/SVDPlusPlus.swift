import CReckitShim
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
            var squared = 0.0
            var z = [Float](repeating: 0, count: stride), g = [Float](repeating: 0, count: stride)
            var order: [Int] = []
            params.withPointers { p, q, bu, bi, y in
                z.withUnsafeMutableBufferPointer { zb in
                    g.withUnsafeMutableBufferPointer { gb in
                        let z = zb.baseAddress!, g = gb.baseAddress!
                        for u in users {
                            let row = train.range(ofRow: u)
                            guard !row.isEmpty else { continue }
                            let norm = 1 / Float(row.count).squareRoot()
                            implicitSum(train, row, y, stride: stride, norm: norm, into: z)
                            g.update(repeating: 0, count: stride)
                            order = Array(row)
                            order.shuffle(using: &rng)
                            let pu = p + u * stride
                            for k in order {
                                let i = Int(train.columnIndices[k]), qi = q + i * stride
                                var dot = SIMD8<Float>()
                                var t = 0
                                while t < stride { dot = dot.addingProduct(SIMDRow.load(qi + t), SIMDRow.load(pu + t) + SIMDRow.load(z + t)); t += 8 }
                                let err = train.values[k] - (mu + bu[u] + bi[i] + dot.sum())
                                squared += Double(err) * Double(err)
                                bu[u] += lr * (err - regBias * bu[u])
                                bi[i] += lr * (err - regBias * bi[i])
                                let le = SIMD8<Float>(repeating: lr * err), keep = SIMD8<Float>(repeating: 1 - lr * reg)
                                let en = SIMD8<Float>(repeating: err * norm)
                                t = 0
                                while t < stride {
                                    let a = SIMDRow.load(pu + t), b = SIMDRow.load(qi + t), c = SIMDRow.load(z + t)
                                    SIMDRow.store((keep * a).addingProduct(le, b), pu + t)
                                    SIMDRow.store((keep * b).addingProduct(le, a + c), qi + t)
                                    SIMDRow.store(SIMDRow.load(g + t).addingProduct(en, b), g + t)
                                    t += 8
                                }
                            }
                            // One step for every y_j of the user: y ← (1 − lr·λ)^m·y + lr·g.
                            let shrink = SIMD8<Float>(repeating: pow(1 - lr * regImplicit, order.count)), lrv = SIMD8<Float>(repeating: lr)
                            for k in row {
                                let yj = y + Int(train.columnIndices[k]) * stride
                                var t = 0
                                while t < stride { SIMDRow.store((shrink * SIMDRow.load(yj + t)).addingProduct(lrv, SIMDRow.load(g + t)), yj + t); t += 8 }
                            }
                        }
                    }
                }
            }
            return squared + params.base.penalty(reg: reg, regBias: regBias) + Double(regImplicit) * params.implicitNorm()
        }
        // Scores use p_u + z_u.
        var combined = params.base.p
        params.withPointers { _, _, _, _, y in
            combined.withUnsafeMutableBufferPointer { cb in
                var z = [Float](repeating: 0, count: stride)
                for u in 0..<train.rows where !train.range(ofRow: u).isEmpty {
                    z.withUnsafeMutableBufferPointer { implicitSum(train, train.range(ofRow: u), y, stride: stride, norm: 1 / Float(train.count(ofRow: u)).squareRoot(), into: $0.baseAddress!) }
                    for t in 0..<stride { cb[u * stride + t] += z[t] }
                }
            }
        }
        let identityUsers = (0..<Int32(ratings.rows)).map { $0 }, identityItems = (0..<Int32(ratings.columns)).map { $0 }
        let base = params.base
        let factors = SGDFactors(users: base.factors(combined, order: identityUsers), items: base.factors(base.q, order: identityItems),
                                 globalMean: mu, userBias: base.userBias, itemBias: base.itemBias, losses: run.losses,
                                 validationRMSE: run.validation, bestEpoch: run.bestEpoch, secondsPerEpoch: run.seconds)
        return SVDPlusPlusFactors(factors: factors, explicitUsers: base.factors(base.p, order: identityUsers),
                                  implicitItems: base.factors(params.y, order: identityItems))
    }

    /// `z = norm · Σ_{k∈row} y_{col(k)}` over padded rows.
    static func implicitSum(_ r: CSRMatrix<Float>, _ row: Range<Int>, _ y: UnsafeMutablePointer<Float>, stride: Int, norm: Float,
                            into z: UnsafeMutablePointer<Float>) {
        z.update(repeating: 0, count: stride)
        for k in row {
            let yj = y + Int(r.columnIndices[k]) * stride
            var t = 0
            while t < stride { SIMDRow.store(SIMDRow.load(z + t) + SIMDRow.load(yj + t), z + t); t += 8 }
        }
        let n = SIMD8<Float>(repeating: norm)
        var t = 0
        while t < stride { SIMDRow.store(SIMDRow.load(z + t) * n, z + t); t += 8 }
    }

    static func pow(_ x: Float, _ n: Int) -> Float {
        var result: Float = 1, base = x, e = n
        while e > 0 { if e & 1 == 1 { result *= base }; base *= base; e >>= 1 }
        return result
    }
}

/// SVD++'s parameters: those of biased MF plus the padded implicit factors `y`.
struct PlusParameters {
    var base: SGDParameters
    var y: [Float]

    mutating func withPointers<R>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                           UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
        y.withUnsafeMutableBufferPointer { yb in base.withPointers { p, q, bu, bi in body(p, q, bu, bi, yb.baseAddress!) } }
    }

    func implicitNorm() -> Double { y.reduce(0.0) { $0 + Double($1) * Double($1) } }

    func rmse(_ entries: [reckit_rating], train: CSRMatrix<Float>, mu: Float, clip: ClosedRange<Float>) -> Double {
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
