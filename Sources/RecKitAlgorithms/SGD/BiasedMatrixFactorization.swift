import RecKitData
import RecKitLinearAlgebra

/// Options of ``BiasedMatrixFactorization`` (and of ``SVDPlusPlus``, which adds its own).
public struct SGDOptions: Sendable {
    public var factors = 100
    public var epochs = 20
    /// The step size of the first epoch.
    public var learningRate = 0.005
    /// The step size is multiplied by this after every epoch (1: constant, Surprise's schedule).
    public var learningRateDecay = 1.0
    /// λ of the factors.
    public var regularization = 0.02
    /// λ of the biases (nil: ``regularization``).
    public var biasRegularization: Double? = nil
    /// SVD++ only: λ of the implicit factors `y` (nil: ``regularization``).
    public var implicitRegularization: Double? = nil
    /// Standard deviation of the normal initial factors (biases start at 0).
    public var initialStandardDeviation = 0.1
    /// Early stopping: this share of the ratings (chosen at random) is held out, its RMSE measured
    /// after every epoch, and training stops when it has not improved for ``patience`` epochs; the
    /// best epoch's parameters are kept. 0 (the default): every epoch runs on all the ratings.
    public var validationFraction = 0.0
    public var patience = 3
    public var seed: UInt64 = 0

    public init(factors: Int = 100, epochs: Int = 20, learningRate: Double = 0.005, learningRateDecay: Double = 1,
                regularization: Double = 0.02, biasRegularization: Double? = nil, initialStandardDeviation: Double = 0.1,
                validationFraction: Double = 0, patience: Int = 3, seed: UInt64 = 0) {
        self.factors = factors
        self.epochs = epochs
        self.learningRate = learningRate
        self.learningRateDecay = learningRateDecay
        self.regularization = regularization
        self.biasRegularization = biasRegularization
        self.initialStandardDeviation = initialStandardDeviation
        self.validationFraction = validationFraction
        self.patience = patience
        self.seed = seed
    }

    func validate(_ name: String) throws {
        func fail(_ m: String) -> LinearAlgebraError { .invalidArgument("\(name): \(m)") }
        guard factors >= 1 else { throw fail("factors must be ≥ 1, got \(factors)") }
        guard epochs >= 1 else { throw fail("epochs must be ≥ 1, got \(epochs)") }
        guard learningRate.isFinite, learningRate > 0 else { throw fail("the learning rate must be a finite number > 0, got \(learningRate)") }
        guard learningRateDecay.isFinite, learningRateDecay > 0, learningRateDecay <= 1 else {
            throw fail("the learning-rate decay must be in (0, 1], got \(learningRateDecay)")
        }
        for (label, v) in [("regularization", regularization), ("bias regularization", biasRegularization ?? 0),
                           ("implicit regularization", implicitRegularization ?? 0)] {
            guard v.isFinite, v >= 0 else { throw fail("\(label) must be a finite number ≥ 0, got \(v)") }
        }
        guard initialStandardDeviation.isFinite, initialStandardDeviation >= 0 else {
            throw fail("the initial standard deviation must be ≥ 0, got \(initialStandardDeviation)")
        }
        guard validationFraction >= 0, validationFraction < 1 else { throw fail("the validation fraction must be in [0, 1), got \(validationFraction)") }
        guard patience >= 1 else { throw fail("patience must be ≥ 1, got \(patience)") }
    }
}

/// A model fitted by stochastic gradient descent, `r̂_ui = μ + b_u + b_i + p_u·q_i`, and how the
/// fit went.
public struct SGDFactors: Sendable {
    /// `users × f` and `items × f`, row-major.
    public var users: Matrix<Float>
    public var items: Matrix<Float>
    public var globalMean: Float
    public var userBias: [Float]
    public var itemBias: [Float]
    /// The objective after each epoch: the squared errors met during the epoch plus the penalty.
    public var losses: [Double]
    /// With early stopping, the validation RMSE after each epoch (else empty).
    public var validationRMSE: [Double]
    /// The epoch whose parameters were kept (the last one without early stopping).
    public var bestEpoch: Int
    public var secondsPerEpoch: [Double]
}

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
    /// - Parameter progress: after each epoch: epoch, objective, validation RMSE (with early
    ///   stopping), the epoch's wall seconds.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options or NaN/∞ ratings
    ///   (naming the entry); ``LinearAlgebraError/diverged(operation:iteration:loss:hint:)`` when the
    ///   loss becomes NaN/∞ or grows a hundredfold — the learning rate is too large.
    public static func fit(_ ratings: CSRMatrix<Float>, options: SGDOptions, context: ExecutionContext = .current,
                           progress: ((_ epoch: Int, _ loss: Double, _ validationRMSE: Double?, _ seconds: Double) -> Void)? = nil) throws -> SGDFactors {
        try options.validate("biased MF")
        try SGDRatings.checkInput(ratings, "biased MF")
        let f = options.factors, stride = (f + 7) / 8 * 8
        let split = SGDRatings.holdOut(ratings, fraction: options.validationFraction, seed: options.seed &+ 11)
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
        let run = try SGDSchedule.run(&params, options: options, name: "biased MF", validating: !validationEntries.isEmpty, progress: progress,
                                      validate: { $0.rmse(validationEntries, mu: mu, clip: scale) }) { epoch, lr, params in
            var rounds = Array(0..<blocks)
            var roundOrder = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 7_919)
            rounds.shuffle(using: &roundOrder)
            // The strata (b, (b + round) mod B) of a round share no user or item block.
            let (squared, _) = SGDKernels.stratifiedEpoch(
                entries: &strata.entries, offsets: strata.offsets, blocks: blocks, roundOrder: rounds,
                shuffleSeed: { options.seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64($0) }, parameters: &params,
                update: .biased(mu: mu, lr: lr, reg: reg, regBias: regBias), context: context.with(threads: threads))
            return squared + params.penalty(reg: reg, regBias: regBias)
        }
        return SGDFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items), globalMean: mu,
                          userBias: strata.users.map { params.userBias[Int($0)] }, itemBias: strata.items.map { params.itemBias[Int($0)] },
                          losses: run.losses, validationRMSE: run.validation, bestEpoch: run.bestEpoch, secondsPerEpoch: run.seconds)
    }
}

extension SGDParameters {
    /// Unpadded rows as a matrix in the caller's numbering: row `r` is padded row `order[r]` of `a`.
    func factors(_ a: [Float], order: [Int32]) -> Matrix<Float> {
        Matrix(rows: order.count, columns: factors, uncheckedStorage: unpadded(a, order: order))
    }
}

/// The epoch loop every SGD trainer shares: learning-rate schedule, divergence check, early
/// stopping on a validation split (keeping the best epoch's parameters), progress.
enum SGDSchedule {
    struct Run { var losses: [Double] = [], validation: [Double] = [], seconds: [Double] = [], bestEpoch = 0 }

    /// Runs `epoch(e, learningRate, &params)` (which returns the epoch's loss) for each epoch.
    /// With `validating`, `validate(params)` (an RMSE) is measured after every epoch; training stops
    /// after `patience` epochs without improvement and `params` is left at the best epoch's.
    static func run<P>(_ params: inout P, options: SGDOptions, name: String, validating: Bool,
                       progress: ((_ epoch: Int, _ loss: Double, _ validationRMSE: Double?, _ seconds: Double) -> Void)?,
                       validate: (P) -> Double, epoch: (Int, Float, inout P) throws -> Double) throws -> Run {
        let clock = ContinuousClock()
        var run = Run(), best = params, bestRMSE = Double.infinity
        var lr = options.learningRate
        for e in 1...options.epochs {
            let start = clock.now
            let loss = try epoch(e, Float(lr), &params)
            try SGDRatings.checkDivergence(loss, first: run.losses.first, epoch: e, name, learningRate: options.learningRate)
            run.losses.append(loss)
            run.seconds.append((clock.now - start).seconds)
            lr *= options.learningRateDecay
            var rmse: Double? = nil
            if validating {
                let r = validate(params)
                rmse = r
                run.validation.append(r)
                if r < bestRMSE { bestRMSE = r; best = params; run.bestEpoch = e }
            }
            progress?(e, loss, rmse, run.seconds.last!)
            if validating, e - run.bestEpoch >= options.patience { break }
        }
        if validating { params = best } else { run.bestEpoch = run.losses.count }
        return run
    }
}

/// Rating lists for SGD: validation hold-out, stratification into blocks, shuffles, checks.
enum SGDRatings {
    static func checkInput(_ ratings: CSRMatrix<Float>, _ name: String) throws {
        guard ratings.rows > 0, ratings.columns > 0, ratings.nonZeroCount > 0 else {
            throw LinearAlgebraError.emptyMatrix(operation: name, shape: ratings.shapeDescription + " with \(ratings.nonZeroCount) entries")
        }
        // A plain loop (CSRMatrix.firstNonFinite is generic across modules); the slow lookup only on failure.
        if !ratings.values.withUnsafeBufferPointer({ $0.allSatisfy { $0.isFinite } }), let (u, i) = ratings.firstNonFinite {
            throw LinearAlgebraError.invalidArgument("\(name): the rating of user \(u), item \(i) is not finite")
        }
    }

    static func entries(_ r: CSRMatrix<Float>) -> [RatingEntry] {
        var out: [RatingEntry] = []
        out.reserveCapacity(r.nonZeroCount)
        for u in 0..<r.rows { for k in r.range(ofRow: u) { out.append(RatingEntry(user: Int32(u), item: r.columnIndices[k], rating: r.values[k])) } }
        return out
    }

    /// `fraction` of the ratings, chosen at random, set aside.
    static func holdOut(_ r: CSRMatrix<Float>, fraction: Double, seed: UInt64) -> (train: [RatingEntry], validation: [RatingEntry]) {
        var all = entries(r)
        guard fraction > 0 else { return (all, []) }
        var rng = SeededGenerator(seed: seed)
        all.shuffle(using: &rng)
        let n = Swift.max(1, Int((Double(all.count) * fraction).rounded()))
        return (Array(all[n...]), Array(all[..<n]))
    }

    /// The number of user (and item) blocks: a multiple of `threads`, large enough that one
    /// stratum's factor rows (`(rows + columns) / blocks` rows) fit in about 256 KB — the L2 cache
    /// of any current core — so even one thread walks the ratings cache-block by cache-block.
    static func blockCount(threads: Int, rows: Int, columns: Int, stride: Int) -> Int {
        let bytes = (rows + columns) * (stride * 4 + 8)
        let cacheBlocks = (bytes + 256 * 1024 - 1) / (256 * 1024)
        let perThread = Swift.max(1, (cacheBlocks + threads - 1) / threads)
        return Swift.min(threads * perThread, Swift.max(threads, Swift.min(rows, columns)), 4096)
    }

    /// A block label in `0..<blocks` for each index: the indexes are visited in a seeded random
    /// order and cut into runs of near-equal total weight, so that every (user block, item block)
    /// stratum gets about `1/blocks²` of the ratings however ids correlate with activity.
    static func blockLabels(_ weights: [Int], blocks: Int, seed: UInt64) -> [Int] {
        let total = weights.reduce(0, +)
        var order = Array(weights.indices)
        var rng = SeededGenerator(seed: seed)
        order.shuffle(using: &rng)
        var labels = [Int](repeating: 0, count: weights.count), running = 0
        for k in order {
            labels[k] = Swift.min(blocks - 1, total == 0 ? 0 : running * blocks / total)
            running += weights[k]
        }
        return labels
    }

    /// The entries grouped into `blocks × blocks` strata (user block major), as one array with
    /// offsets, in an internal numbering where every block's users (items) are contiguous — so two
    /// threads never write the same cache line of the factor and bias arrays except at a block's
    /// edge. `users[u]` (`items[i]`) is the internal index of user `u` (item `i`); one block keeps
    /// the original numbering. Item block `b` is internal items `itemBlockStarts[b]..<itemBlockStarts[b + 1]`.
    static func strata(_ entries: [RatingEntry], blocks: Int, rows: Int, columns: Int)
        -> (entries: [RatingEntry], offsets: [Int], users: [Int32], items: [Int32], itemBlockStarts: [Int]) {
        var userWeight = [Int](repeating: 0, count: rows), itemWeight = [Int](repeating: 0, count: columns)
        for e in entries { userWeight[Int(e.user)] += 1; itemWeight[Int(e.item)] += 1 }
        let ub = blockLabels(userWeight, blocks: blocks, seed: 1), ib = blockLabels(itemWeight, blocks: blocks, seed: 2)
        func renumber(_ labels: [Int]) -> [Int32] {
            var index = [Int32](repeating: 0, count: labels.count), next: Int32 = 0
            for b in 0..<blocks { for k in labels.indices where labels[k] == b { index[k] = next; next += 1 } }
            return index
        }
        let users = renumber(ub), items = renumber(ib)
        func stratum(_ e: RatingEntry) -> Int { ub[Int(e.user)] * blocks + ib[Int(e.item)] }
        var offsets = [Int](repeating: 0, count: blocks * blocks + 1)
        for e in entries { offsets[stratum(e) + 1] += 1 }
        for b in 0..<(blocks * blocks) { offsets[b + 1] += offsets[b] }
        var fill = offsets, out = entries
        for e in entries {
            out[fill[stratum(e)]] = RatingEntry(user: users[Int(e.user)], item: items[Int(e.item)], rating: e.rating)
            fill[stratum(e)] += 1
        }
        var starts = [0]
        for b in 0..<blocks { starts.append(starts[b] + ib.lazy.filter { $0 == b }.count) }
        return (out, offsets, users, items, starts)
    }

    /// NaN/∞, or a hundredfold growth over the first epoch's loss, ends training with a hint.
    static func checkDivergence(_ loss: Double, first: Double?, epoch: Int, _ name: String, learningRate: Double) throws {
        if !loss.isFinite || (first.map { loss > 100 * $0 } ?? false) {
            throw LinearAlgebraError.diverged(operation: name, iteration: epoch, loss: loss,
                                              hint: "The learning rate \(learningRate) is too large for this data; lower it (e.g. to \(learningRate / 10)) or raise the regularization.")
        }
    }
}
