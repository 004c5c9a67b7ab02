import Foundation
import RecKitData
import RecKitKernels
import RecKitLinearAlgebra

/// The state and sweeps of ``BayesianMatrixFactorization``, in the factors' precision `T`.
struct GibbsSampler<T: Scalar> {
    let ratings: CSRMatrix<Float>
    let byItem: CSRMatrix<Float>
    /// The probe ratings as (user, item, rating).
    let probe: [(user: Int, item: Int, rating: Float)]
    let options: BPMFOptions
    let context: ExecutionContext
    let d: Int
    let mu: Double
    let scale: ClosedRange<Double>
    let seeds: Seeds
    let prior: NormalWishart
    var users: [T]
    var items: [T]
    var userBias: [Double]
    var itemBias: [Double]
    var alpha: Double
    var userBiasPrecision = 1.0
    var itemBiasPrecision = 1.0
    /// Robust noise (``BPMFOptions/noiseScales``): a rating's precision is `α·τ_u·κ_i`; nil: `α`.
    var userScale: [Double]?
    var itemScale: [Double]?

    init(_ ratings: CSRMatrix<Float>, probe: CSRMatrix<Float>?, options: BPMFOptions, context: ExecutionContext) throws {
        self.ratings = ratings
        byItem = ratings.transposed()
        self.probe = probe.map { p in (0..<p.rows).flatMap { u in p.range(ofRow: u).map { (u, Int(p.columnIndices[$0]), p.values[$0]) } } } ?? []
        self.options = options
        self.context = context
        d = options.factors
        mu = ratings.values.reduce(0.0) { $0 + Double($1) } / Double(ratings.nonZeroCount)
        scale = Double(ratings.values.min()!)...Double(ratings.values.max()!)
        seeds = Seeds(options.seed)
        prior = NormalWishart(dimension: d, beta0: options.beta0)
        var rng = seeds.generator(.bpmfInitial)
        let initial = { (count: Int) in (0..<count).map { _ in T(rng.nextGaussian() * options.initialScale) } }
        users = initial(ratings.rows * d)
        items = initial(ratings.columns * d)
        userBias = [Double](repeating: 0, count: ratings.rows)
        itemBias = [Double](repeating: 0, count: ratings.columns)
        alpha = options.noisePrecision ?? 2
        userScale = options.noiseScales.map { _ in [Double](repeating: 1, count: ratings.rows) }
        itemScale = options.noiseScales.map { _ in [Double](repeating: 1, count: ratings.columns) }
    }

    mutating func run(_ progress: ((BPMFSample) -> Void)?) throws -> BPMFPosterior {
        let kept = options.samples, sweeps = options.burnIn + kept
        let root = Float(Double(kept).squareRoot())
        var keptUsers = Matrix<Float>(rows: ratings.rows, columns: kept * d)
        var keptItems = Matrix<Float>(rows: ratings.columns, columns: kept * d)
        var userBiasSum = [Double](repeating: 0, count: ratings.rows), itemBiasSum = [Double](repeating: 0, count: ratings.columns)
        var probeSum = [Double](repeating: 0, count: probe.count)
        var priors: [BPMFUserPrior] = [], trace: [BPMFSample] = []
        for sweep in 1...sweeps {
            let start = DispatchTime.now().uptimeNanoseconds
            var hyperRNG = seeds.generator(.bpmfHyperparameters, sweep)
            let userPrior = users.withUnsafeBufferPointer { prior.posteriorDraw($0, rows: ratings.rows, using: &hyperRNG) }
            let itemPrior = items.withUnsafeBufferPointer { prior.posteriorDraw($0, rows: ratings.columns, using: &hyperRNG) }
            let usedAlpha = alpha, usedUserBiasPrecision = userBiasPrecision
            // The side being drawn is moved out of `self` while the sweep reads the rest of it.
            var side = Self.take(&users), sideBias = Self.take(&userBias)
            try sampleRows(ratings, fixed: items, fixedBias: itemBias, into: &side, bias: &sideBias, prior: userPrior,
                           biasPrecision: userBiasPrecision, rowWeights: userScale, partnerWeights: itemScale, side: .user, stream: .bpmfUserRows, sweep: sweep)
            (users, userBias) = (side, sideBias)
            side = Self.take(&items)
            sideBias = Self.take(&itemBias)
            try sampleRows(byItem, fixed: users, fixedBias: userBias, into: &side, bias: &sideBias, prior: itemPrior,
                           biasPrecision: itemBiasPrecision, rowWeights: itemScale, partnerWeights: userScale, side: .item, stream: .bpmfItemRows, sweep: sweep)
            (items, itemBias) = (side, sideBias)
            // Per user Σ_i κ_i e²: weighted by τ_u, the sum α's posterior needs.
            let errors = squaredErrors(ratings, rows: users, columns: items, rowBias: userBias, columnBias: itemBias, columnWeights: itemScale)
            let perUser = errors.map(\.weighted)
            let squares = userScale.map { zip(perUser, $0).reduce(0) { $0 + $1.0 * $1.1 } } ?? perUser.reduce(0, +)
            let n = Double(ratings.nonZeroCount)
            // log p(R | U, V, α, τ, κ) at the parameters that drew this sweep's factors.
            var logLikelihood = n / 2 * Foundation.log(alpha / (2 * Double.pi)) - alpha * squares / 2
            for (matrix, scale) in [(ratings, userScale), (byItem, itemScale)] {
                guard let scale else { continue }
                for r in 0..<matrix.rows { logLikelihood += Double(matrix.range(ofRow: r).count) / 2 * Foundation.log(scale[r]) }
            }
            guard squares.isFinite else {
                throw AlgorithmError.diverged(algorithm: BayesianMatrixFactorization.name, epoch: sweep, loss: squares,
                                              hint: "the factors became non-finite; check the ratings' scale")
            }
            if options.noisePrecision == nil {
                alpha = Gamma.precision(count: ratings.nonZeroCount, squares: squares, priorShape: 1, priorRate: 1, using: &hyperRNG)
            }
            if let a = options.noiseScales {
                // τ_u ~ Gamma(a + n_u/2, a + α Σ_i κ_i e²/2), then κ_i alike given the new τ: a
                // Student-t noise per user and per item, as scale mixtures.
                userScale = (0..<ratings.rows).map { u in
                    Gamma.precision(count: ratings.range(ofRow: u).count, squares: alpha * perUser[u], priorShape: a, priorRate: a, using: &hyperRNG)
                }
                let perItem = squaredErrors(byItem, rows: items, columns: users, rowBias: itemBias, columnBias: userBias, columnWeights: userScale)
                    .map(\.weighted)
                itemScale = (0..<ratings.columns).map { i in
                    Gamma.precision(count: byItem.range(ofRow: i).count, squares: alpha * perItem[i], priorShape: a, priorRate: a, using: &hyperRNG)
                }
            }
            if options.biases {
                userBiasPrecision = Gamma.precision(count: ratings.rows, squares: userBias.reduce(0) { $0 + $1 * $1 },
                                                    priorShape: 1, priorRate: 1, using: &hyperRNG)
                itemBiasPrecision = Gamma.precision(count: ratings.columns, squares: itemBias.reduce(0) { $0 + $1 * $1 },
                                                    priorShape: 1, priorRate: 1, using: &hyperRNG)
            }
            var sample = BPMFSample(index: sweep, burnIn: sweep <= options.burnIn, logLikelihood: logLikelihood,
                                    noisePrecision: alpha, trainRMSE: (errors.reduce(0) { $0 + $1.plain } / n).squareRoot(), probeRMSE: nil, averagedProbeRMSE: nil, seconds: 0)
            let probePredictions = probe.map { predict(user: $0.user, item: $0.item) }
            if !probe.isEmpty { sample.probeRMSE = rmse(probePredictions) }
            if sweep > options.burnIn {
                let k = sweep - options.burnIn - 1
                for r in 0..<ratings.rows { for t in 0..<d { keptUsers[r, k * d + t] = Float(users[r * d + t].doubleValue) / root } }
                for r in 0..<ratings.columns { for t in 0..<d { keptItems[r, k * d + t] = Float(items[r * d + t].doubleValue) / root } }
                for r in 0..<ratings.rows { userBiasSum[r] += userBias[r] }
                for r in 0..<ratings.columns { itemBiasSum[r] += itemBias[r] }
                priors.append(BPMFUserPrior(mean: userPrior.mean, precision: userPrior.precision, noisePrecision: usedAlpha,
                                            biasPrecision: options.biases ? usedUserBiasPrecision : 0))
                if !probe.isEmpty {
                    for q in probe.indices { probeSum[q] += probePredictions[q] }
                    sample.averagedProbeRMSE = rmse(probeSum.map { $0 / Double(k + 1) })
                }
            }
            sample.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            trace.append(sample)
            progress?(sample)
        }
        return BPMFPosterior(users: keptUsers, items: keptItems, userBias: userBiasSum.map { Float($0 / Double(kept)) },
                             itemBias: itemBiasSum.map { Float($0 / Double(kept)) }, globalMean: Float(mu), userPriors: priors,
                             trace: trace, factors: d)
    }

    static func take<E>(_ array: inout [E]) -> [E] {
        var out: [E] = []
        swap(&out, &array)
        return out
    }

    /// One sweep's prediction for a pair, clipped to the training range.
    func predict(user u: Int, item i: Int) -> Double {
        var dot = 0.0
        for t in 0..<d { dot += users[u * d + t].doubleValue * items[i * d + t].doubleValue }
        return Swift.min(Swift.max(mu + userBias[u] + itemBias[i] + dot, scale.lowerBound), scale.upperBound)
    }

    func rmse(_ predictions: [Double]) -> Double {
        var sum = 0.0
        for (p, entry) in zip(predictions, probe) { let e = p - Double(entry.rating); sum += e * e }
        return (sum / Double(Swift.max(probe.count, 1))).squareRoot()
    }

    /// Per row of `csr`, `Σ_j w_j e²` and `Σ_j e²` over its entries, `e = r − μ − b_row − b_j −
    /// x_row·y_j` (`w` = 1 without weights); each row's sums in column order, so the same for any
    /// thread count. Users × items, or items × users with the sides swapped.
    func squaredErrors(_ csr: CSRMatrix<Float>, rows x: [T], columns y: [T], rowBias: [Double], columnBias: [Double],
                       columnWeights: [Double]?) -> [(weighted: Double, plain: Double)] {
        let parts = Swift.min(csr.rows, 64)
        return Parallel.map(parts, threads: context.threads) { p in
            Parallel.chunk(p, of: parts, count: csr.rows).map { r in
                var sum = 0.0, plain = 0.0
                for q in csr.range(ofRow: r) {
                    let j = Int(csr.columnIndices[q])
                    var dot = T.zero
                    for t in 0..<d { dot += x[r * d + t] * y[j * d + t] }
                    let e = Double(csr.values[q]) - mu - rowBias[r] - columnBias[j] - dot.doubleValue
                    sum += (columnWeights?[j] ?? 1) * e * e
                    plain += e * e
                }
                return (sum, plain)
            }
        }.flatMap { $0 }
    }

    /// Draws every row of `x` (and its bias) from its conditional given the `fixed` side.
    /// Row `r`'s ratings are row `r` of `csr`, whose columns index `fixed`. A rating's noise
    /// precision is `α·w`, `w` the product of its row's and its partner's weights (1 when absent):
    /// its partner row and target enter the sums scaled by `√w`.
    func sampleRows(_ csr: CSRMatrix<Float>, fixed: [T], fixedBias: [Double], into x: inout [T], bias: inout [Double],
                    prior draw: NormalWishart.Draw, biasPrecision: Double, rowWeights: [Double]?, partnerWeights: [Double]?,
                    side: FactorSide, stream: Seeds.Stream, sweep: Int) throws {
        let d = self.d, mu = self.mu, alpha = self.alpha, seeds = self.seeds, biases = options.biases
        let kernels = context.kernels
        let precision = draw.precision.map { T($0) }
        let shift = (0..<d).map { r in T((0..<d).reduce(0.0) { $0 + draw.precision[r * d + $1] * draw.mean[$1] }) }
        let parts = Swift.min(csr.rows, 16 * context.threads)
        var failures = [Int?](repeating: nil, count: parts)
        fixed.withUnsafeBufferPointer { F in
            fixedBias.withUnsafeBufferPointer { FB in
                x.withUnsafeMutableBufferPointer { X in
                    bias.withUnsafeMutableBufferPointer { B in
                        failures.withUnsafeMutableBufferPointer { failed in
                            Parallel.forEachPart(parts, threads: context.threads) { p in kernels.withSingleThreadedCalls {
                                let rows = Parallel.chunk(p, of: parts, count: csr.rows)
                                let longest = rows.reduce(0) { Swift.max($0, csr.rowOffsets[$1 + 1] - csr.rowOffsets[$1]) }
                                var gathered = [T](repeating: 0, count: Swift.max(longest * d, 1))
                                var targets = [T](repeating: 0, count: Swift.max(longest, 1))
                                var roots = [T](repeating: 1, count: Swift.max(longest, 1))
                                var a = [T](repeating: 0, count: d * d), b = [T](repeating: 0, count: d), z = [T](repeating: 0, count: d)
                                for r in rows {
                                    var rng = seeds.generator(stream, sweep, r)
                                    let range = csr.range(ofRow: r), n = range.count
                                    let rowBias = biases ? B[r] : 0
                                    let rowWeight = rowWeights?[r] ?? 1
                                    var weightSum = 0.0
                                    for (q, e) in range.enumerated() {
                                        let j = Int(csr.columnIndices[e])
                                        let w = rowWeight * (partnerWeights?[j] ?? 1)
                                        weightSum += w
                                        let root = T(w.squareRoot())
                                        for t in 0..<d { gathered[q * d + t] = F[j * d + t] * root }
                                        targets[q] = T(Double(csr.values[e]) - mu - rowBias - FB[j]) * root
                                        roots[q] = root
                                    }
                                    for t in 0..<(d * d) { a[t] = precision[t] }
                                    for t in 0..<d { b[t] = shift[t] }
                                    gathered.withUnsafeBufferPointer { G in
                                        targets.withUnsafeBufferPointer { y in
                                            if n > 0 {
                                                kernels.syrkLower(trans: true, n: d, k: n, alpha: T(alpha), a: G.baseAddress!, lda: d,
                                                                  beta: 1, c: &a, ldc: d, threads: 1)
                                                kernels.gemv(trans: true, m: n, n: d, alpha: T(alpha), a: G.baseAddress!, lda: d,
                                                             x: y.baseAddress!, beta: 1, y: &b, threads: 1)
                                            }
                                        }
                                    }
                                    let info = kernels.choleskyFactor(n: d, a: &a, lda: d, threads: 1)
                                    guard info == 0 else { failed[p] = r; return }
                                    _ = kernels.choleskySolve(n: d, nrhs: 1, l: a, ldl: d, b: &b, ldb: 1, threads: 1)
                                    // b + L⁻ᵀz: back substitution with the lower factor's transpose.
                                    for t in 0..<d { z[t] = T(rng.nextGaussian()) }
                                    for i in stride(from: d - 1, through: 0, by: -1) {
                                        var s = z[i]
                                        for t in (i + 1)..<d { s -= a[t * d + i] * z[t] }
                                        z[i] = s / a[i * d + i]
                                    }
                                    for t in 0..<d { X[r * d + t] = b[t] + z[t] }
                                    guard biases else { continue }
                                    // Σ w·(r − μ − b_j − x·f_j), from the √w-scaled rows and targets.
                                    var residual = 0.0
                                    for q in 0..<n {
                                        var dot = T.zero
                                        for t in 0..<d { dot += X[r * d + t] * gathered[q * d + t] }
                                        let root = roots[q].doubleValue
                                        residual += root * ((targets[q] - dot).doubleValue + root * rowBias)
                                    }
                                    let posterior = biasPrecision + alpha * weightSum
                                    B[r] = alpha * residual / posterior + rng.nextGaussian() / posterior.squareRoot()
                                }
                            } }
                        }
                    }
                }
            }
        }
        if let row = failures.lazy.compactMap({ $0 }).first {
            throw AlgorithmError.notPositiveDefinite(algorithm: BayesianMatrixFactorization.name,
                                                     matrix: "the conditional precision of \(side) \(row)", minor: 0, precision: T.dtype,
                                                     hint: "the sampled prior precision is not positive definite; use --dtype double")
        }
    }
}
