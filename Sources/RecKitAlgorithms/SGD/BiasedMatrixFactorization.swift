import CReckitShim
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
            reckit_rating(user: strata.users[Int($0.user)], item: strata.items[Int($0.item)], rating: $0.rating)
        }
        let mu = Float(ratings.values.reduce(0.0) { $0 + Double($1) } / Double(ratings.nonZeroCount))
        let scale = (ratings.values.min() ?? 0)...(ratings.values.max() ?? 0)
        var params = SGDParameters(users: ratings.rows, items: ratings.columns, factors: f, stride: stride,
                                   deviation: options.initialStandardDeviation, seed: options.seed)
        let reg = Float(options.regularization), regBias = Float(options.biasRegularization ?? options.regularization)
        let native = context.backend == .blas
        let run = try SGDSchedule.run(&params, options: options, name: "biased MF", validating: !validationEntries.isEmpty, progress: progress,
                                      validate: { $0.rmse(validationEntries, mu: mu, clip: scale) }) { epoch, lr, params in
            var squared = [Double](repeating: 0, count: blocks * blocks)
            var rounds = Array(0..<blocks)
            var roundOrder = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 7_919)
            rounds.shuffle(using: &roundOrder)
            params.withPointers { p, q, bu, bi in
                strata.entries.withUnsafeMutableBufferPointer { all in
                    squared.withUnsafeMutableBufferPointer { sq in
                        for round in rounds {
                            // The strata (b, (b + round) mod B) share no user or item block.
                            Parallel.forEachPart(blocks, threads: threads) { userBlock in
                                let b = userBlock * blocks + (userBlock + round) % blocks
                                let block = UnsafeMutableBufferPointer(rebasing: all[strata.offsets[b]..<strata.offsets[b + 1]])
                                var rng = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64(b))
                                SGDRatings.shuffle(block, using: &rng)
                                sq[b] = native
                                    ? reckit_sgd_biased_epoch(block.baseAddress, block.count, p, q, bu, bi, stride, mu, lr, reg, regBias)
                                    : swiftEpoch(UnsafeBufferPointer(block), p, q, bu, bi, stride: stride, mu: mu, lr: lr, reg: reg, regBias: regBias)
                            }
                        }
                    }
                }
            }
            return squared.reduce(0, +) + params.penalty(reg: reg, regBias: regBias)
        }
        return SGDFactors(users: params.factors(params.p, order: strata.users), items: params.factors(params.q, order: strata.items), globalMean: mu,
                          userBias: strata.users.map { params.userBias[Int($0)] }, itemBias: strata.items.map { params.itemBias[Int($0)] },
                          losses: run.losses, validationRMSE: run.validation, bestEpoch: run.bestEpoch, secondsPerEpoch: run.seconds)
    }

    /// The pure-Swift back end's epoch over one block: the update of the shim's
    /// `reckit_sgd_biased_epoch` in 8-wide SIMD. Returns the sum of squared errors.
    static func swiftEpoch(_ entries: UnsafeBufferPointer<reckit_rating>, _ p: UnsafeMutablePointer<Float>, _ q: UnsafeMutablePointer<Float>,
                           _ bu: UnsafeMutablePointer<Float>, _ bi: UnsafeMutablePointer<Float>, stride: Int,
                           mu: Float, lr: Float, reg: Float, regBias: Float) -> Double {
        var squared = 0.0
        let keep = SIMD8<Float>(repeating: 1 - lr * reg)
        for e in entries {
            let u = Int(e.user), i = Int(e.item)
            let pu = p + u * stride, qi = q + i * stride
            var acc = SIMD8<Float>()
            var t = 0
            while t < stride { acc = acc.addingProduct(SIMDRow.load(pu + t), SIMDRow.load(qi + t)); t += 8 }
            let err = e.rating - (mu + bu[u] + bi[i] + acc.sum())
            squared += Double(err) * Double(err)
            bu[u] += lr * (err - regBias * bu[u])
            bi[i] += lr * (err - regBias * bi[i])
            let le = SIMD8<Float>(repeating: lr * err)
            t = 0
            while t < stride {
                let a = SIMDRow.load(pu + t), b = SIMDRow.load(qi + t)
                SIMDRow.store((keep * a).addingProduct(le, b), pu + t)
                SIMDRow.store((keep * b).addingProduct(le, a), qi + t)
                t += 8
            }
        }
        return squared
    }
}

/// Unaligned 8-float loads and stores of padded factor rows.
enum SIMDRow {
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }
}

/// The parameters SGD trains: padded factor rows (`stride` floats, a multiple of 8) and biases.
struct SGDParameters {
    let factors: Int, stride: Int
    var p: [Float], q: [Float], userBias: [Float], itemBias: [Float]

    init(users: Int, items: Int, factors: Int, stride: Int, deviation: Double, seed: UInt64) {
        self.factors = factors
        self.stride = stride
        p = Self.initial(rows: users, factors: factors, stride: stride, deviation: deviation, seed: seed)
        q = Self.initial(rows: items, factors: factors, stride: stride, deviation: deviation, seed: seed &+ 1)
        userBias = [Float](repeating: 0, count: users)
        itemBias = [Float](repeating: 0, count: items)
    }

    /// `rows` padded factor rows. Each value is the sum of four 16-bit uniforms, centred and scaled
    /// to variance σ²: a bell-shaped stand-in for N(0, σ²) (within ±3.46σ), ~20× cheaper than
    /// Box–Muller.
    static func initial(rows: Int, factors: Int, stride: Int, deviation: Double, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var a = [Float](repeating: 0, count: rows * stride)
        let unit = Float(deviation) * Float(3).squareRoot() / 65536
        for r in 0..<rows {
            for t in 0..<factors {
                let x = rng.next()
                let sum = Int(x & 0xFFFF) + Int((x >> 16) & 0xFFFF) + Int((x >> 32) & 0xFFFF) + Int(x >> 48)
                a[r * stride + t] = Float(sum - 2 * 65536) * unit
            }
        }
        return a
    }

    mutating func withPointers<R>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                           UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try p.withUnsafeMutableBufferPointer { p in
            try q.withUnsafeMutableBufferPointer { q in
                try userBias.withUnsafeMutableBufferPointer { bu in
                    try itemBias.withUnsafeMutableBufferPointer { bi in try body(p.baseAddress!, q.baseAddress!, bu.baseAddress!, bi.baseAddress!) }
                }
            }
        }
    }

    /// `λ(‖P‖² + ‖Q‖²) + λ_b(‖b_u‖² + ‖b_i‖²)`.
    func penalty(reg: Float, regBias: Float) -> Double {
        func sq(_ a: [Float]) -> Double {
            a.withUnsafeBufferPointer { b in
                var acc = SIMD8<Float>(), k = 0
                while k + 8 <= b.count { let v = UnsafeRawPointer(b.baseAddress! + k).loadUnaligned(as: SIMD8<Float>.self); acc = acc.addingProduct(v, v); k += 8 }
                return Double(acc.sum()) + b[k...].reduce(0.0) { $0 + Double($1) * Double($1) }
            }
        }
        return Double(reg) * (sq(p) + sq(q)) + Double(regBias) * (sq(userBias) + sq(itemBias))
    }

    func predict(_ u: Int, _ i: Int, mu: Float) -> Float {
        var s = mu + userBias[u] + itemBias[i]
        for t in 0..<factors { s += p[u * stride + t] * q[i * stride + t] }
        return s
    }

    func rmse(_ entries: [reckit_rating], mu: Float, clip: ClosedRange<Float>) -> Double {
        var sum = 0.0
        for e in entries {
            let r = Swift.min(clip.upperBound, Swift.max(clip.lowerBound, predict(Int(e.user), Int(e.item), mu: mu)))
            sum += Double(e.rating - r) * Double(e.rating - r)
        }
        return (sum / Double(Swift.max(1, entries.count))).squareRoot()
    }

    /// Unpadded rows in the caller's numbering: row `r` is padded row `order[r]` of `a`.
    func factors(_ a: [Float], order: [Int32]) -> Matrix<Float> {
        // Built as an array: Matrix's element-closure initialiser is generic across modules and
        // would run unspecialised here.
        var out = [Float](repeating: 0, count: order.count * factors)
        for (r, row) in order.enumerated() {
            let from = Int(row) * stride
            out.replaceSubrange(r * factors..<(r + 1) * factors, with: a[from..<(from + factors)])
        }
        return try! Matrix(rows: order.count, columns: factors, elements: out)
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

    static func entries(_ r: CSRMatrix<Float>) -> [reckit_rating] {
        var out: [reckit_rating] = []
        out.reserveCapacity(r.nonZeroCount)
        for u in 0..<r.rows { for k in r.range(ofRow: u) { out.append(reckit_rating(user: Int32(u), item: r.columnIndices[k], rating: r.values[k])) } }
        return out
    }

    /// `fraction` of the ratings, chosen at random, set aside.
    static func holdOut(_ r: CSRMatrix<Float>, fraction: Double, seed: UInt64) -> (train: [reckit_rating], validation: [reckit_rating]) {
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
    static func strata(_ entries: [reckit_rating], blocks: Int, rows: Int, columns: Int)
        -> (entries: [reckit_rating], offsets: [Int], users: [Int32], items: [Int32], itemBlockStarts: [Int]) {
        var userWeight = [Int](repeating: 0, count: rows), itemWeight = [Int](repeating: 0, count: columns)
        for e in entries { userWeight[Int(e.user)] += 1; itemWeight[Int(e.item)] += 1 }
        let ub = blockLabels(userWeight, blocks: blocks, seed: 1), ib = blockLabels(itemWeight, blocks: blocks, seed: 2)
        func renumber(_ labels: [Int]) -> [Int32] {
            var index = [Int32](repeating: 0, count: labels.count), next: Int32 = 0
            for b in 0..<blocks { for k in labels.indices where labels[k] == b { index[k] = next; next += 1 } }
            return index
        }
        let users = renumber(ub), items = renumber(ib)
        func stratum(_ e: reckit_rating) -> Int { ub[Int(e.user)] * blocks + ib[Int(e.item)] }
        var offsets = [Int](repeating: 0, count: blocks * blocks + 1)
        for e in entries { offsets[stratum(e) + 1] += 1 }
        for b in 0..<(blocks * blocks) { offsets[b + 1] += offsets[b] }
        var fill = offsets, out = entries
        for e in entries {
            out[fill[stratum(e)]] = reckit_rating(user: users[Int(e.user)], item: items[Int(e.item)], rating: e.rating)
            fill[stratum(e)] += 1
        }
        var starts = [0]
        for b in 0..<blocks { starts.append(starts[b] + ib.lazy.filter { $0 == b }.count) }
        return (out, offsets, users, items, starts)
    }

    /// Fisher–Yates in place.
    static func shuffle<G: RandomNumberGenerator>(_ a: UnsafeMutableBufferPointer<reckit_rating>, using rng: inout G) {
        guard a.count > 1 else { return }
        for k in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.next().multipliedFullWidth(by: UInt64(k + 1)).high)  // uniform in 0...k (Lemire)
            a.swapAt(k, j)
        }
    }

    /// NaN/∞, or a hundredfold growth over the first epoch's loss, ends training with a hint.
    static func checkDivergence(_ loss: Double, first: Double?, epoch: Int, _ name: String, learningRate: Double) throws {
        if !loss.isFinite || (first.map { loss > 100 * $0 } ?? false) {
            throw LinearAlgebraError.diverged(operation: name, iteration: epoch, loss: loss,
                                              hint: "The learning rate \(learningRate) is too large for this data; lower it (e.g. to \(learningRate / 10)) or raise the regularization.")
        }
    }
}
