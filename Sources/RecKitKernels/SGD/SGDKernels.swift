#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SGD epochs over ratings grouped into strata, split between threads (stratified SGD, Gemulla
/// et al. 2011), and the SGD update kernels the back ends do not provide themselves.
///
/// The ratings are `blocks × blocks` strata (user block major) in one array with `offsets`. A round
/// `s` trains the strata `(b, (b + s) mod blocks)` — which share no user or item block — side by
/// side, each free thread taking the round's next stratum. Each stratum's ratings are shuffled
/// first with a generator seeded by `shuffleSeed(stratum)` and then updated in that order, so an
/// epoch is deterministic for a seed and thread count.
package enum SGDKernels {
    /// The update an epoch applies to each rating of a stratum.
    package enum Update {
        /// Biased MF (``BackendKernels/sgdBiasedEpoch(_:p:q:bu:bi:stride:mu:lr:reg:regBias:)``).
        case biased(mu: Float, lr: Float, reg: Float, regBias: Float)
        /// BPR with negatives drawn from the stratum's item block (``BackendKernels/bprEpoch(_:negatives:seen:p:q:bi:stride:lr:reg:rng:)``);
        /// `seen[u]` are user `u`'s items (sorted), `itemBlockStarts[b]..<itemBlockStarts[b + 1]` item block `b`.
        case bpr(lr: Float, reg: Float, seen: [[Int32]], itemBlockStarts: [Int])
    }

    /// One epoch: every round of `roundOrder`, every stratum of a round on the context's threads.
    /// - Returns: the sum over strata of the update's loss (biased MF: squared errors; BPR:
    ///   `Σ ln(1 + e^{−x})`), and for BPR the number of triples ranked correctly before their update.
    package static func stratifiedEpoch(entries: inout [RatingEntry], offsets: [Int], blocks: Int, roundOrder: [Int],
                                        shuffleSeed: (Int) -> UInt64, parameters: inout SGDParameters, update: Update,
                                        context: ExecutionContext) -> (loss: Double, correct: Int) {
        let threads = context.threads, kernels = context.kernels, stride = parameters.stride
        var loss = [Double](repeating: 0, count: blocks * blocks), correct = [Int](repeating: 0, count: blocks * blocks)
        // Seeds are computed before the parallel rounds: the closure is not called from the workers.
        let seeds = (0..<(blocks * blocks)).map(shuffleSeed)
        parameters.withPointers { p, q, bu, bi in
            entries.withUnsafeMutableBufferPointer { all in
                loss.withUnsafeMutableBufferPointer { lb in
                    correct.withUnsafeMutableBufferPointer { cb in
                        for round in roundOrder {
                            Parallel.forEachPart(blocks, threads: threads) { userBlock in
                                let itemBlock = (userBlock + round) % blocks
                                let b = userBlock * blocks + itemBlock
                                let block = UnsafeMutableBufferPointer(rebasing: all[offsets[b]..<offsets[b + 1]])
                                var rng = SeededGenerator(seed: seeds[b])
                                shuffle(block, using: &rng)
                                switch update {
                                case let .biased(mu, lr, reg, regBias):
                                    lb[b] = kernels.sgdBiasedEpoch(UnsafeBufferPointer(block), p: p, q: q, bu: bu, bi: bi, stride: stride,
                                                                   mu: mu, lr: lr, reg: reg, regBias: regBias)
                                case let .bpr(lr, reg, seen, starts):
                                    (lb[b], cb[b]) = kernels.bprEpoch(UnsafeBufferPointer(block), negatives: starts[itemBlock]..<starts[itemBlock + 1],
                                                                      seen: seen, p: p, q: q, bi: bi, stride: stride, lr: lr, reg: reg, rng: &rng)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (loss.reduce(0, +), correct.reduce(0, +))
    }

    /// Fisher–Yates in place, drawing uniformly in `0...k` by Lemire's multiply-high.
    package static func shuffle<G: RandomNumberGenerator>(_ a: UnsafeMutableBufferPointer<RatingEntry>, using rng: inout G) {
        guard a.count > 1 else { return }
        for k in Swift.stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.next().multipliedFullWidth(by: UInt64(k + 1)).high)
            a.swapAt(k, j)
        }
    }

    /// One SVD++ epoch (Koren 2008) over users in `users` order, single-threaded (the implicit
    /// factors `y` are shared across users). Per user `u` with items `N(u)` (row `u` of the CSR
    /// `train`): `z = |N(u)|^{-1/2} Σ y_j` once; the user's ratings in an order shuffled with `rng`,
    /// each stepping `b_u`, `b_i`, `p_u` and `q_i` by `e = r − (μ + b_u + b_i + q_i·(p_u + z))` and
    /// accumulating `g += e·|N(u)|^{-1/2}·q_i`; then every `y_j` of the user takes one step
    /// `y ← (1 − lr·λ_y)^m·y + lr·g` for the user's `m` ratings. Returns the sum of squared errors.
    package static func svdPlusPlusEpoch(offsets: [Int], indices: [Int32], values: [Float], users: [Int], rng: inout SeededGenerator,
                                         parameters: inout SGDParameters, implicitFactors y: inout [Float],
                                         mu: Float, lr: Float, reg: Float, regBias: Float, regImplicit: Float) -> Double {
        let stride = parameters.stride
        var squared = 0.0
        var z = [Float](repeating: 0, count: stride), g = [Float](repeating: 0, count: stride)
        var order: [Int] = []
        y.withUnsafeMutableBufferPointer { yb in
            let y = yb.baseAddress!
            parameters.withPointers { p, q, bu, bi in
                z.withUnsafeMutableBufferPointer { zb in
                    g.withUnsafeMutableBufferPointer { gb in
                        let z = zb.baseAddress!, g = gb.baseAddress!
                        for u in users {
                            let row = offsets[u]..<offsets[u + 1]
                            guard !row.isEmpty else { continue }
                            let norm = 1 / Float(row.count).squareRoot()
                            implicitSum(indices, row, y, stride: stride, norm: norm, into: z)
                            g.update(repeating: 0, count: stride)
                            order = Array(row)
                            order.shuffle(using: &rng)
                            let pu = p + u * stride
                            for k in order {
                                let i = Int(indices[k]), qi = q + i * stride
                                var dot = SIMD8<Float>()
                                var t = 0
                                while t < stride { dot += SIMDRow.load(qi + t) * (SIMDRow.load(pu + t) + SIMDRow.load(z + t)); t += 8 }
                                let err = values[k] - (mu + bu[u] + bi[i] + dot.sum())
                                squared += Double(err) * Double(err)
                                bu[u] += lr * (err - regBias * bu[u])
                                bi[i] += lr * (err - regBias * bi[i])
                                let le = SIMD8<Float>(repeating: lr * err), keep = SIMD8<Float>(repeating: 1 - lr * reg)
                                let en = SIMD8<Float>(repeating: err * norm)
                                t = 0
                                while t < stride {
                                    let a = SIMDRow.load(pu + t), b = SIMDRow.load(qi + t), c = SIMDRow.load(z + t)
                                    SIMDRow.store(keep * a + le * b, pu + t)
                                    SIMDRow.store(keep * b + le * (a + c), qi + t)
                                    SIMDRow.store(SIMDRow.load(g + t) + en * b, g + t)
                                    t += 8
                                }
                            }
                            // One step for every y_j of the user: y ← (1 − lr·λ)^m·y + lr·g.
                            let shrink = SIMD8<Float>(repeating: power(1 - lr * regImplicit, order.count)), lrv = SIMD8<Float>(repeating: lr)
                            for k in row {
                                let yj = y + Int(indices[k]) * stride
                                var t = 0
                                while t < stride { SIMDRow.store(shrink * SIMDRow.load(yj + t) + lrv * SIMDRow.load(g + t), yj + t); t += 8 }
                            }
                        }
                    }
                }
            }
        }
        return squared
    }

    /// SVD++'s combined user factors `p_u + |N(u)|^{-1/2} Σ_{j∈N(u)} y_j` (padded rows; users without
    /// items keep `p_u`).
    package static func svdPlusPlusUserVectors(offsets: [Int], indices: [Int32], p: [Float], y: [Float], stride: Int) -> [Float] {
        var combined = p
        var y = y
        y.withUnsafeMutableBufferPointer { yb in
            combined.withUnsafeMutableBufferPointer { cb in
                var z = [Float](repeating: 0, count: stride)
                for u in 0..<(offsets.count - 1) where offsets[u + 1] > offsets[u] {
                    let row = offsets[u]..<offsets[u + 1]
                    z.withUnsafeMutableBufferPointer {
                        implicitSum(indices, row, yb.baseAddress!, stride: stride, norm: 1 / Float(row.count).squareRoot(), into: $0.baseAddress!)
                    }
                    for t in 0..<stride { cb[u * stride + t] += z[t] }
                }
            }
        }
        return combined
    }

    /// `z = norm · Σ_{k∈row} y_{indices[k]}` over padded rows.
    static func implicitSum(_ indices: [Int32], _ row: Range<Int>, _ y: UnsafeMutablePointer<Float>, stride: Int, norm: Float,
                            into z: UnsafeMutablePointer<Float>) {
        z.update(repeating: 0, count: stride)
        for k in row {
            let yj = y + Int(indices[k]) * stride
            var t = 0
            while t < stride { SIMDRow.store(SIMDRow.load(z + t) + SIMDRow.load(yj + t), z + t); t += 8 }
        }
        let n = SIMD8<Float>(repeating: norm)
        var t = 0
        while t < stride { SIMDRow.store(SIMDRow.load(z + t) * n, z + t); t += 8 }
    }

    /// `x^n` by squaring.
    static func power(_ x: Float, _ n: Int) -> Float {
        var result: Float = 1, base = x, e = n
        while e > 0 { if e & 1 == 1 { result *= base }; base *= base; e >>= 1 }
        return result
    }
}

extension BackendKernels {
    /// The reference BPR kernel, used by both back ends: SGD over one stratum's positives, in
    /// order, each with a negative drawn uniformly from `negatives` (redrawn, up to 16 times, when
    /// it is one of the user's items; skipped if all 16 hit), ascending `ln σ(x_uij)` with
    /// `x_uij = p_u·(q_i − q_j) + b_i − b_j` and L2 shrinkage `λ`. Returns `Σ ln(1 + e^{−x})` and
    /// the number of triples with `x > 0` before their update.
    package static func bprEpoch(_ entries: UnsafeBufferPointer<RatingEntry>, negatives: Range<Int>, seen: [[Int32]],
                                 p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>,
                                 stride: Int, lr: Float, reg: Float, rng: inout SeededGenerator) -> (Double, Int) {
        guard !negatives.isEmpty else { return (0, 0) }
        var loss = 0.0, correct = 0
        let keep = SIMD8<Float>(repeating: 1 - lr * reg)
        for e in entries {
            let u = Int(e.user), i = Int(e.item)
            var j = -1
            for _ in 0..<16 {
                let c = negatives.lowerBound + Int(rng.next().multipliedFullWidth(by: UInt64(negatives.count)).high)
                if !sortedContains(seen[u], Int32(c)) { j = c; break }
            }
            if j < 0 { continue }
            let pu = p + u * stride, qi = q + i * stride, qj = q + j * stride
            var acc = SIMD8<Float>()
            var t = 0
            while t < stride { acc += SIMDRow.load(pu + t) * (SIMDRow.load(qi + t) - SIMDRow.load(qj + t)); t += 8 }
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
                SIMDRow.store(keep * a + lz * (b - c), pu + t)
                SIMDRow.store(keep * b + lz * a, qi + t)
                SIMDRow.store(keep * c - lz * a, qj + t)
                t += 8
            }
        }
        return (loss, correct)
    }
}

/// Whether the sorted array holds `x` (binary search).
func sortedContains(_ sorted: [Int32], _ x: Int32) -> Bool {
    var lo = 0, hi = sorted.count
    while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < x { lo = mid + 1 } else { hi = mid } }
    return lo < sorted.count && sorted[lo] == x
}

/// Unaligned 8-float loads and stores of padded factor rows (the SGD kernels' rows are a multiple
/// of 8 floats).
enum SIMDRow {
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always) static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }
}
