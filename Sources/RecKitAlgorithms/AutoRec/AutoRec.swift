import RecKitData
import RecKitLinearAlgebra

/// I-AutoRec (Sedhain et al. 2015): an autoencoder over each item's column of ratings,
///
/// ```
/// r̂^(i) = W·σ(V·r^(i) + μ) + b        (r^(i) ∈ ℝ^users, unobserved entries 0 at the input)
/// min Σ_i Σ_{u observed} (r_ui − r̂_ui)² + λ/2 (‖W‖² + ‖V‖²)
/// ```
/// trained with Adam on mini-batches of items, or full-batch with L-BFGS (``LBFGS``, the paper's
/// optimiser; ``AutoRecOptions/optimizer``); only observed entries enter the loss (the output
/// gradient is masked). Each batch is two GEMMs forward and three backward on the context's back
/// end. The prediction of `(u, i)` is entry `u` of the reconstruction of item `i`.
public enum AutoRec {
    /// The trained encoder and decoder: `Linear(users → hidden)`, sigmoid, `Linear(hidden → users)`.
    /// - Parameter progress: after each epoch, with the loss (squared errors of the observed
    ///   ratings plus the penalty).
    /// - Throws: ``AlgorithmError`` for impossible options or input, or a diverged loss.
    public static func fit(_ ratings: CSRMatrix<Float>, options: AutoRecOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> Sequential<Float> {
        try options.validate()
        guard ratings.nonZeroCount > 0 else { throw AlgorithmError.emptyInput(algorithm: "AutoRec", details: ratings.shapeDescription) }
        if let (u, i) = ratings.firstNonFinite { throw AlgorithmError.nonFiniteInput(algorithm: "AutoRec", row: u, column: i) }
        let users = ratings.rows, byItem = ratings.transposed(), seeds = Seeds(options.seed)
        var network = Sequential<Float>([Linear<Float>(inputs: users, outputs: options.hidden, initializer: .glorotUniform, seed: seeds(.base)),
                                         Activation<Float>(.sigmoid),
                                         Linear<Float>(inputs: options.hidden, outputs: users, initializer: .glorotUniform, seed: seeds(.second))])
        let weights = network.parameters.filter { $0.name == "weight" }
        let lambda = Float(options.regularization)
        func penalty() -> Double {
            weights.reduce(0.0) { $0 + $1.value.storage.reduce(0.0) { $0 + Double($1) * Double($1) } } * options.regularization / 2
        }
        let divergence = EpochRunner.Divergence(hint: options.optimizer == .adam ? "Lower the learning rate (now \(options.learningRate))." : "Raise the regularisation (now \(options.regularization)).")
        switch options.optimizer {
        case .adam:
            let adam = Adam<Float>(learningRate: options.learningRate)
            var rng = seeds.generator(.autoRecItemOrder)
            _ = try EpochRunner.run("AutoRec", epochs: options.epochs, state: &network, divergence: divergence,
                                    checkpoint: { _ in () }, restore: { _, _ in }, progress: progress) { _, network in
                var order = Array(0..<byItem.rows)
                order.shuffle(using: &rng)
                var total = 0.0
                var b = 0
                while b < order.count {
                    let batch = Array(order[b..<Swift.min(order.count, b + options.batchSize)])
                    for p in network.parameters { p.zeroGradient() }
                    total += try accumulateGradient(network, columns(byItem, batch, users: users), context: context)
                    // the penalty's gradient λ·W (λ/2·‖W‖² per batch share of the items)
                    let share = Float(batch.count) / Float(byItem.rows)
                    for w in weights { w.addPenaltyGradient(lambda * share) }
                    adam.step(network.parameters)
                    b += options.batchSize
                }
                return .init(loss: total + penalty())
            }
        case .lbfgs:
            // Full batch: the items in chunks of about 4 M entries; their dense columns are built
            // once when all of them take at most 64 M entries (512 MB with the masks), else per use.
            let perChunk = Swift.max(1, Swift.min(byItem.rows, (1 << 22) / Swift.max(1, users)))
            let starts = Array(stride(from: 0, to: byItem.rows, by: perChunk))
            func chunk(_ start: Int) -> (Matrix<Float>, [Float]) { columns(byItem, Array(start..<Swift.min(byItem.rows, start + perChunk)), users: users) }
            let cached = byItem.rows * users <= 1 << 26 ? starts.map(chunk) : nil
            let lbfgs = LBFGS<Float>(memory: 10)
            var last = Double.nan
            _ = try EpochRunner.run("AutoRec", epochs: options.epochs, state: &network, divergence: divergence,
                                    checkpoint: { _ in () }, restore: { _, _ in }, progress: progress) { _, network in
                // at a point no step length improves, further iterations cannot move: skip them
                if lbfgs.stalled { return .init(loss: last, measures: ["evaluations": Double(lbfgs.evaluations)]) }
                last = try lbfgs.step(network.parameters) {
                    var total = 0.0
                    for (k, start) in starts.enumerated() { total += try accumulateGradient(network, cached?[k] ?? chunk(start), context: context) }
                    for w in weights { w.addPenaltyGradient(lambda) }
                    return total + penalty()
                }
                return .init(loss: last, measures: ["evaluations": Double(lbfgs.evaluations)])
            }
        }
        return network
    }

    /// Adds the squared-error loss's gradient over the items of `batch` (dense columns and mask) to
    /// the parameters' gradients; returns that loss.
    static func accumulateGradient(_ network: Sequential<Float>, _ batch: (Matrix<Float>, [Float]), context: ExecutionContext) throws -> Double {
        let y = try network.forward(batch.0, context: context)
        let (g, loss) = maskedErrors(y, batch.0, batch.1)
        _ = try network.backward(g, context: context)
        return loss
    }

    /// The loss gradient `2·(y − x)` on observed entries (0 elsewhere) and the squared error
    /// `Σ (y − x)²` over them, in Double.
    static func maskedErrors(_ y: Matrix<Float>, _ x: Matrix<Float>, _ mask: [Float]) -> (Matrix<Float>, Double) {
        var g = y
        var loss = 0.0
        g.storage.withUnsafeMutableBufferPointer { g in
            x.storage.withUnsafeBufferPointer { x in
                mask.withUnsafeBufferPointer { mask in
                    for k in 0..<g.count {
                        let e = (g[k] - x[k]) * mask[k]
                        loss += Double(e * e)
                        g[k] = 2 * e
                    }
                }
            }
        }
        return (g, loss)
    }

    /// Items `batch` as dense rows over the users (unobserved 0), and the observed-entry mask.
    static func columns(_ byItem: CSRMatrix<Float>, _ batch: [Int], users: Int) -> (Matrix<Float>, [Float]) {
        var x = [Float](repeating: 0, count: batch.count * users), mask = x
        for (r, i) in batch.enumerated() {
            for p in byItem.range(ofRow: i) {
                let u = Int(byItem.columnIndices[p])
                x[r * users + u] = byItem.values[p]
                mask[r * users + u] = 1
            }
        }
        return (try! Matrix(rows: batch.count, columns: users, elements: x), mask)
    }

    /// Reconstructions of `items` (`items.count × users`) from the training ratings.
    public static func reconstruct(_ network: Sequential<Float>, ratings: CSRMatrix<Float>, items: [Int], context: ExecutionContext) throws -> Matrix<Float> {
        let (x, _) = columns(ratings.transposed(), items, users: ratings.rows)
        return try network.forward(x, context: context)
    }
}
