import RecKitData
import RecKitLinearAlgebra

/// Options of ``AutoRec``.
public struct AutoRecOptions: Sendable {
    /// Hidden units (the paper's 500).
    public var hidden = 500
    /// λ of the L2 penalty `λ/2 (‖W‖² + ‖V‖²)` (the loss is a sum over observed ratings).
    public var regularization = 200.0
    public var epochs = 100
    /// Items per mini-batch.
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate = 0.0003
    public var seed: UInt64 = 0

    public init(hidden: Int = 500, regularization: Double = 200, epochs: Int = 100, batchSize: Int = 64, learningRate: Double = 0.0003, seed: UInt64 = 0) {
        self.hidden = hidden
        self.regularization = regularization
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// I-AutoRec (Sedhain et al. 2015): an autoencoder over each item's column of ratings,
///
/// ```
/// r̂^(i) = W·σ(V·r^(i) + μ) + b        (r^(i) ∈ ℝ^users, unobserved entries 0 at the input)
/// min Σ_i Σ_{u observed} (r_ui − r̂_ui)² + λ/2 (‖W‖² + ‖V‖²)
/// ```
/// trained with Adam on mini-batches of items; only observed entries enter the loss (the output
/// gradient is masked). Each batch is two GEMMs forward and three backward on the context's back
/// end. The prediction of `(u, i)` is entry `u` of the reconstruction of item `i`.
public enum AutoRec {
    /// The trained encoder and decoder: `Linear(users → hidden)`, sigmoid, `Linear(hidden → users)`.
    public static func fit(_ ratings: CSRMatrix<Float>, options: AutoRecOptions, context: ExecutionContext = .current,
                           progress: ((_ epoch: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> Sequential<Float> {
        guard options.hidden >= 1, options.epochs >= 1, options.batchSize >= 1, options.learningRate > 0, options.regularization >= 0 else {
            throw LinearAlgebraError.invalidArgument("AutoRec: hidden units, epochs and batch size must be ≥ 1, the learning rate > 0 and λ ≥ 0")
        }
        guard ratings.nonZeroCount > 0 else { throw LinearAlgebraError.emptyMatrix(operation: "AutoRec", shape: ratings.shapeDescription) }
        if !ratings.values.allSatisfy({ $0.isFinite }) { throw LinearAlgebraError.invalidArgument("AutoRec: the ratings hold NaN or ∞") }
        let users = ratings.rows, byItem = ratings.transposed()
        let network = Sequential<Float>([Linear<Float>(inputs: users, outputs: options.hidden, initializer: .glorotUniform, seed: options.seed),
                                         Activation<Float>(.sigmoid),
                                         Linear<Float>(inputs: options.hidden, outputs: users, initializer: .glorotUniform, seed: options.seed &+ 1)])
        let adam = Adam<Float>(learningRate: options.learningRate)
        let clock = ContinuousClock()
        var rng = SeededGenerator(seed: options.seed &+ 7)
        let weights = network.parameters.filter { $0.name == "weight" }
        let lambda = Float(options.regularization)
        for epoch in 1...options.epochs {
            let start = clock.now
            var order = Array(0..<byItem.rows)
            order.shuffle(using: &rng)
            var total = 0.0
            var b = 0
            while b < order.count {
                let batch = Array(order[b..<Swift.min(order.count, b + options.batchSize)])
                let (x, mask) = columns(byItem, batch, users: users)
                for p in network.parameters { p.zeroGradient() }
                let y = try network.forward(x, context: context)
                var g = y
                var loss = 0.0
                for k in g.storage.indices {
                    let e = (y.storage[k] - x.storage[k]) * mask[k]
                    loss += Double(e * e)
                    g.storage[k] = 2 * e
                }
                guard loss.isFinite else {
                    throw LinearAlgebraError.diverged(operation: "AutoRec", iteration: epoch, loss: loss, hint: "Lower the learning rate (now \(options.learningRate)).")
                }
                _ = try network.backward(g, context: context)
                // the penalty's gradient λ·W (λ/2·‖W‖² per batch share of the items)
                let share = Float(batch.count) / Float(byItem.rows)
                for w in weights { for k in w.gradient.storage.indices { w.gradient.storage[k] += lambda * share * w.value.storage[k] } }
                adam.step(network.parameters)
                total += loss
                b += options.batchSize
            }
            let penalty = weights.reduce(0.0) { $0 + $1.value.storage.reduce(0.0) { $0 + Double($1) * Double($1) } } * options.regularization / 2
            progress?(epoch, total + penalty, (clock.now - start).seconds)
        }
        return network
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
