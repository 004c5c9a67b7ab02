import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Which part of neural collaborative filtering (He et al. 2017) to train.
public enum NCFMode: String, Sendable, CaseIterable {
    /// Generalised matrix factorisation: `logit = w·(p_u ⊙ q_i) + b`.
    case gmf
    /// A multi-layer perceptron over the concatenated user and item embeddings.
    case mlp
    /// NeuMF: the GMF vector and the MLP's last layer concatenated into one output unit.
    case neumf
}

/// Options of ``NeuralCollaborativeFiltering``.
public struct NCFOptions: Sendable {
    public var mode = NCFMode.neumf
    /// GMF embedding size (the predictive factors).
    public var factors = 8
    /// The MLP tower's widths; its input is the user and item MLP embeddings concatenated, each
    /// `layers[0] / 2` wide (the paper's [64, 32, 16] tower).
    public var layers = [64, 32, 16]
    /// Sampled negatives per positive in each epoch.
    public var negatives = 4
    public var epochs = 20
    public var batchSize = 256
    /// Adam's step size.
    public var learningRate = 0.001
    /// NeuMF only: first train GMF and MLP alone (same settings), start NeuMF from their weights,
    /// with the output layer `[α·w_GMF, (1 − α)·w_MLP]`, α = ``pretrainBalance``.
    public var pretrain = false
    public var pretrainBalance = 0.5
    /// With ``pretrain``: epochs of the fused model (nil: ``epochs``; 0: the blend as it starts).
    public var fineTuneEpochs: Int? = nil
    /// With ``pretrain``: 0 fine-tunes with Adam at ``learningRate``; above 0, with plain SGD at
    /// this step (the paper's choice, as Adam's moments of the two parts are not carried over).
    public var fineTuneRate = 0.0
    public var seed: UInt64 = 0
    /// Data-parallel training splits a batch between threads only into parts of at least this
    /// many samples; smaller batches train on one thread. On a 2-core Zen 4 machine
    /// (ML-100k, 3 epochs) parts of 128 samples made 2 threads 0.85× as fast as one, parts of 512
    /// 1.0×, parts of 1 024 1.35–1.44× (docs/neural.md).
    public var samplesPerThread = 1024

    public init(mode: NCFMode = .neumf, factors: Int = 8, layers: [Int] = [64, 32, 16], negatives: Int = 4, epochs: Int = 20,
                batchSize: Int = 256, learningRate: Double = 0.001, seed: UInt64 = 0) {
        self.mode = mode
        self.factors = factors
        self.layers = layers
        self.negatives = negatives
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// The NCF network: GMF and/or MLP branches over user and item embeddings, one output logit.
///
/// ```
/// GMF:   g = p_u ⊙ q_i                                  (factors wide)
/// MLP:   h = ReLU(…ReLU([p′_u, q′_i]·W₁ + b₁)…)          (layers.last wide)
/// logit = [g, h]·w + b      (only g for gmf, only h for mlp)
/// ```
/// Backward passes: the output layer's, then `dg ⊙ q_i` into `p_u` (and `dg ⊙ p_u` into `q_i`),
/// the MLP's, and the split of its input gradient into the two embeddings.
public final class NCFNetwork<T: NeuralScalar> {
    public let mode: NCFMode
    public let gmfUser: Embedding<T>, gmfItem: Embedding<T>
    public let mlpUser: Embedding<T>, mlpItem: Embedding<T>
    public let tower: Sequential<T>
    public let output: Linear<T>
    var gmfP = Matrix<T>(rows: 0, columns: 0), gmfQ = Matrix<T>(rows: 0, columns: 0)

    public init(users: Int, items: Int, options: NCFOptions) {
        mode = options.mode
        let f = options.factors, half = options.layers[0] / 2
        gmfUser = Embedding(count: users, dimension: f, standardDeviation: 0.01, seed: options.seed)
        gmfItem = Embedding(count: items, dimension: f, standardDeviation: 0.01, seed: options.seed &+ 1)
        mlpUser = Embedding(count: users, dimension: half, standardDeviation: 0.01, seed: options.seed &+ 2)
        mlpItem = Embedding(count: items, dimension: half, standardDeviation: 0.01, seed: options.seed &+ 3)
        var tower: [any Layer<T>] = []
        var width = 2 * half
        for (k, next) in options.layers.dropFirst().enumerated() {
            tower.append(Linear<T>(inputs: width, outputs: next, initializer: .heNormal, seed: options.seed &+ 10 &+ UInt64(k)))
            tower.append(Activation<T>(.relu))
            width = next
        }
        self.tower = Sequential(tower)
        let inputs = (mode == .mlp ? 0 : f) + (mode == .gmf ? 0 : width)
        output = Linear(inputs: inputs, outputs: 1, initializer: .glorotUniform, seed: options.seed &+ 99)
    }

    public var parameters: [Parameter<T>] {
        var p = output.parameters
        if mode != .mlp { p += gmfUser.parameters + gmfItem.parameters }
        if mode != .gmf { p += mlpUser.parameters + mlpItem.parameters + tower.parameters }
        return p
    }

    /// Logits (`batch × 1`) of the pairs `(users[k], items[k])`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func logits(users: [Int32], items: [Int32], context: ExecutionContext) throws -> Matrix<T> {
        var parts: [Matrix<T>] = []
        if mode != .mlp {
            gmfP = try gmfUser.forward(users)
            gmfQ = try gmfItem.forward(items)
            var g = gmfP
            for k in g.storage.indices { g.storage[k] *= gmfQ.storage[k] }
            parts.append(g)
        }
        if mode != .gmf {
            let x = Self.concatenate(try mlpUser.forward(users), try mlpItem.forward(items))
            parts.append(try tower.forward(x, context: context))
        }
        return try output.forward(parts.count == 1 ? parts[0] : Self.concatenate(parts[0], parts[1]), context: context)
    }

    /// Backward from `dLogits` (`batch × 1`) through every branch, into the parameters' gradients.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dLogits: Matrix<T>, context: ExecutionContext) throws {
        let dz = try output.backward(dLogits, context: context)
        let f = mode == .mlp ? 0 : gmfUser.dimension
        if mode != .mlp {
            let dg = dz.block(rows: 0..<dz.rows, columns: 0..<f).materialized()
            var dp = dg, dq = dg
            for k in dg.storage.indices { dp.storage[k] *= gmfQ.storage[k]; dq.storage[k] *= gmfP.storage[k] }
            gmfUser.backward(dp)
            gmfItem.backward(dq)
        }
        if mode != .gmf {
            let dh = dz.block(rows: 0..<dz.rows, columns: f..<dz.columns).materialized()
            let dx = try tower.backward(dh, context: context)
            let half = mlpUser.dimension
            mlpUser.backward(dx.block(rows: 0..<dx.rows, columns: 0..<half).materialized())
            mlpItem.backward(dx.block(rows: 0..<dx.rows, columns: half..<(2 * half)).materialized())
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    /// NeuMF's pretrained start (He et al. 2017, §3.4.1): the embeddings and tower of separately
    /// trained GMF and MLP networks, and the output weights `[α·w_GMF, (1 − α)·w_MLP]` with bias
    /// `α·b_GMF + (1 − α)·b_MLP`.
    public func start(from gmf: NCFNetwork<T>, and mlp: NCFNetwork<T>, balance alpha: T) {
        gmfUser.table.value = gmf.gmfUser.table.value
        gmfItem.table.value = gmf.gmfItem.table.value
        mlpUser.table.value = mlp.mlpUser.table.value
        mlpItem.table.value = mlp.mlpItem.table.value
        for (to, from) in zip(tower.parameters, mlp.tower.parameters) { to.value = from.value }
        output.weight.value.storage = gmf.output.weight.value.storage.map { alpha * $0 } + mlp.output.weight.value.storage.map { (1 - alpha) * $0 }
        output.bias!.value.storage[0] = alpha * gmf.output.bias!.value.storage[0] + (1 - alpha) * mlp.output.bias!.value.storage[0]
    }

    static func concatenate(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
        var out = [T]()
        out.reserveCapacity(a.storage.count + b.storage.count)
        for r in 0..<a.rows {
            out.append(contentsOf: a.storage[r * a.columns..<(r + 1) * a.columns])
            out.append(contentsOf: b.storage[r * b.columns..<(r + 1) * b.columns])
        }
        return try! Matrix(rows: a.rows, columns: a.columns + b.columns, elements: out)
    }
}

/// Trains an ``NCFNetwork`` on implicit feedback: every interaction is a positive (label 1) and
/// each epoch pairs it with `negatives` items the user never interacted with (label 0, drawn
/// uniformly); binary cross-entropy on the logits, Adam, shuffled mini-batches. Data-parallel on the
/// context's threads (each batch split across network replicas, gradients summed before the step);
/// deterministic for a seed and thread count. The back end is the context's.
public enum NeuralCollaborativeFiltering {
    /// - Parameter progress: after each epoch: epoch, mean loss, seconds of the epoch, training samples per second.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options;
    ///   ``LinearAlgebraError/diverged(operation:iteration:loss:hint:)`` if the loss becomes NaN/∞.
    public static func fit(_ interactions: CSRMatrix<Float>, options: NCFOptions, context: ExecutionContext = .current,
                           progress: ((_ epoch: Int, _ loss: Double, _ seconds: Double, _ samplesPerSecond: Double) -> Void)? = nil) throws -> NCFNetwork<Float> {
        guard options.factors >= 1, options.layers.count >= 1, options.layers.allSatisfy({ $0 >= 1 }), options.layers[0] >= 2,
              options.negatives >= 1, options.epochs >= 1, options.batchSize >= 1, options.learningRate > 0, options.learningRate.isFinite else {
            throw LinearAlgebraError.invalidArgument("NCF: factors, layers (first ≥ 2), negatives, epochs and batch size must be ≥ 1 and the learning rate > 0")
        }
        guard interactions.nonZeroCount > 0, interactions.columns >= 2 else {
            throw LinearAlgebraError.emptyMatrix(operation: "NCF", shape: interactions.shapeDescription + " with \(interactions.nonZeroCount) entries")
        }
        let network = NCFNetwork<Float>(users: interactions.rows, items: interactions.columns, options: options)
        if options.mode == .neumf, options.pretrain {
            var single = options
            single.pretrain = false
            single.mode = .gmf
            let gmf = try fit(interactions, options: single, context: context, progress: nil)
            single.mode = .mlp
            let mlp = try fit(interactions, options: single, context: context, progress: nil)
            network.start(from: gmf, and: mlp, balance: Float(options.pretrainBalance))
        }
        let pretrained = options.mode == .neumf && options.pretrain
        let epochs = pretrained ? (options.fineTuneEpochs ?? options.epochs) : options.epochs
        guard epochs >= 1 else { return network }
        // Data-parallel training: each batch is split into one contiguous part per worker; every
        // worker runs its part on its own replica of the network (sharing the weights, keeping
        // its own gradients and activations), and the gradients are summed into the first network
        // before the Adam step. A part's GEMMs are small, so each worker runs them on one thread.
        // Below `samplesPerThread` samples a part costs more in synchronisation than it saves.
        let workers = Swift.max(1, Swift.min(context.threads, options.batchSize / Swift.max(1, options.samplesPerThread)))
        let replicas = [network] + (1..<workers).map { _ in NCFNetwork<Float>(users: interactions.rows, items: interactions.columns, options: options) }
        let single = context.with(threads: 1)
        let optimizer: any Optimizer<Float> = pretrained && options.fineTuneRate > 0
            ? SGDMomentum(learningRate: options.fineTuneRate, momentum: 0) : Adam(learningRate: options.learningRate)
        let clock = ContinuousClock()
        var rng = SeededGenerator(seed: options.seed &+ 1234)
        let seen = (0..<interactions.rows).map { Set(interactions.columnIndices[interactions.range(ofRow: $0)]) }
        for epoch in 1...epochs {
            let start = clock.now
            var users: [Int32] = [], items: [Int32] = [], labels: [Float] = []
            for u in 0..<interactions.rows {
                for p in interactions.range(ofRow: u) {
                    users.append(Int32(u)); items.append(interactions.columnIndices[p]); labels.append(1)
                    for _ in 0..<options.negatives {
                        var j: Int32
                        repeat { j = Int32(rng.next() % UInt64(interactions.columns)) } while seen[u].contains(j) && seen[u].count < interactions.columns
                        users.append(Int32(u)); items.append(j); labels.append(0)
                    }
                }
            }
            var order = Array(users.indices)
            order.shuffle(using: &rng)
            var total = 0.0
            var b = 0
            while b < order.count {
                let batch = Array(order[b..<Swift.min(order.count, b + options.batchSize)])
                b += options.batchSize
                let parts = Swift.min(workers, batch.count)
                for r in replicas.dropFirst().prefix(parts - 1) { for (to, from) in zip(r.parameters, network.parameters) { to.value = from.value } }
                var losses = [Double](repeating: 0, count: parts)
                var failure: (any Error)?
                let lock = NSLock()
                Parallel.forEachPart(parts) { k in
                    let part = Parallel.chunk(k, of: parts, count: batch.count).map { batch[$0] }
                    let net = replicas[k]
                    do {
                        for p in net.parameters { p.zeroGradient() }
                        let z = try net.logits(users: part.map { users[$0] }, items: part.map { items[$0] }, context: single)
                        var (loss, g) = try Loss.binaryCrossEntropy(logits: z, labels: try Matrix(rows: part.count, columns: 1, elements: part.map { labels[$0] }))
                        // the part's mean → its share of the batch's mean
                        let share = Float(part.count) / Float(batch.count)
                        for i in g.storage.indices { g.storage[i] *= share }
                        try net.backward(g, context: single)
                        lock.withLock { losses[k] = loss * Double(part.count) }
                    } catch {
                        lock.withLock { failure = error }
                    }
                }
                if let failure { throw failure }
                // the replicas' weights are only read: let go of them before the update writes
                for r in replicas.dropFirst().prefix(parts - 1) {
                    for (to, from) in zip(network.parameters, r.parameters) { to.accumulate(from) }
                    for p in r.parameters { p.value = Matrix(rows: 0, columns: 0) }
                }
                let loss = losses.reduce(0, +)
                guard loss.isFinite else {
                    throw LinearAlgebraError.diverged(operation: "NCF", iteration: epoch, loss: loss / Double(batch.count),
                                                      hint: "Lower the learning rate (now \(options.learningRate)).")
                }
                optimizer.step(network.parameters)
                total += loss
            }
            let seconds = (clock.now - start).seconds
            progress?(epoch, total / Double(order.count), seconds, Double(order.count) / seconds)
        }
        return network
    }
}
