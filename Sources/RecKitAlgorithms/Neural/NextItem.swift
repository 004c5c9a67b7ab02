import RecKitData
import RecKitLinearAlgebra

/// The encoder of a next-item model.
public enum SequenceEncoder: String, Sendable, CaseIterable {
    /// GRU4Rec (Hidasi et al. 2016): one GRU layer over the item embeddings.
    case gru
    /// SASRec (Kang & McAuley 2018): learned positions and pre-norm blocks of causal
    /// self-attention and a point-wise feed-forward network, each with a residual connection.
    case selfAttention = "self-attention"
}

/// Options of ``NextItemPrediction``.
public struct NextItemOptions: Sendable {
    public var encoder = SequenceEncoder.selfAttention
    /// Embedding and hidden width.
    public var factors = 64
    /// Histories longer than this keep their latest `maxLength` items (deterministic truncation).
    public var maxLength = 50
    /// Self-attention blocks and heads (SASRec only).
    public var blocks = 2
    public var heads = 1
    /// Dropout rate on the embeddings and inside the blocks (SASRec) or on the embeddings (GRU4Rec).
    public var dropout = 0.2
    /// Largest number of passes over the users' sequences.
    public var epochs = 200
    /// Sequences (users) per mini-batch.
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate = 0.001
    /// Early stopping: each user's latest training item (users with ≥ 3) is held out for
    /// validation; training stops after `patience` epochs without a better validation NDCG@10
    /// and keeps the best epoch's weights. 0 trains every epoch on everything.
    public var patience = 10
    /// Global gradient-norm clipping.
    public var maxGradientNorm = 5.0
    public var seed: UInt64 = 0

    public init(encoder: SequenceEncoder = .selfAttention, factors: Int = 64, maxLength: Int = 50, blocks: Int = 2, heads: Int = 1,
                dropout: Double = 0.2, epochs: Int = 200, batchSize: Int = 64, learningRate: Double = 0.001, patience: Int = 10, seed: UInt64 = 0) {
        self.encoder = encoder
        self.factors = factors
        self.maxLength = maxLength
        self.blocks = blocks
        self.heads = heads
        self.dropout = dropout
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.patience = patience
        self.seed = seed
    }
}

/// Users' histories as item sequences.
public enum ItemSequences {
    /// Each user's items in time order; equal timestamps keep the matrix's (item index) order, so the
    /// order is deterministic.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when there are no timestamps to order by.
    public static func histories(_ ratings: CSRMatrix<Float>, timestamps: [Int64]?) throws -> [[Int32]] {
        guard let timestamps, timestamps.count == ratings.nonZeroCount else {
            throw LinearAlgebraError.invalidArgument("next-item models order each history by time, but the training data has no timestamps "
                                                     + "(load a file with a timestamp column, e.g. MovieLens u.data)")
        }
        return (0..<ratings.rows).map { u in
            let r = ratings.range(ofRow: u)
            return r.sorted { (timestamps[$0], $0) < (timestamps[$1], $1) }.map { ratings.columnIndices[$0] }
        }
    }

    /// The latest `maxLength` items of `history`.
    public static func window(_ history: ArraySlice<Int32>, maxLength: Int) -> ArraySlice<Int32> {
        history.suffix(maxLength)
    }
}

/// A next-item network: item embeddings → encoder → a linear layer scoring every item.
///
/// A batch is `batch` left-padded windows of ``NextItemOptions/maxLength`` items, one encoder row
/// per position (see ``SequenceMask``); the padding id is `items` (an embedding row that stays zero).
/// The hidden state at position `t` scores the item at `t + 1`; a user's representation is the
/// state at the last position of their latest window, so scoring users is one GEMM.
public final class NextItemNetwork<T: NeuralScalar> {
    public let items: Int
    public let options: NextItemOptions
    public let mask: SequenceMask
    public let embedding: Embedding<T>
    public let encoder: Sequential<T>
    public let output: Linear<T>
    let dropouts: [Dropout<T>]
    let embeddingScale: T

    public init(items: Int, options o: NextItemOptions) {
        self.items = items
        options = o
        mask = SequenceMask(steps: o.maxLength)
        embedding = Embedding(count: items + 1, dimension: o.factors, standardDeviation: o.encoder == .gru ? 0.1 : 1 / Double(o.factors).squareRoot(), seed: o.seed)
        for c in 0..<o.factors { embedding.table.value.storage[items * o.factors + c] = 0 }
        var layers: [any Layer<T>] = []
        var dropouts: [Dropout<T>] = []
        func dropout(_ k: UInt64) -> Dropout<T> { let d = Dropout<T>(rate: o.dropout, seed: o.seed &+ 100 &+ k); dropouts.append(d); return d }
        switch o.encoder {
        case .gru:
            layers = [dropout(0), GRU<T>(inputs: o.factors, hidden: o.factors, mask: mask, seed: o.seed &+ 1)]
        case .selfAttention:
            layers = [PositionalEmbedding<T>(features: o.factors, mask: mask, standardDeviation: 1 / Double(o.factors).squareRoot(), seed: o.seed &+ 1), dropout(0)]
            for b in 0..<UInt64(o.blocks) {
                let s = o.seed &+ 10 &* (b + 1)
                layers.append(Residual(Sequential<T>([LayerNorm<T>(features: o.factors),
                                                      MultiHeadSelfAttention<T>(features: o.factors, heads: o.heads, mask: mask, seed: s),
                                                      dropout(2 * b + 1)])))
                layers.append(Residual(Sequential<T>([LayerNorm<T>(features: o.factors),
                                                      Linear<T>(inputs: o.factors, outputs: o.factors, initializer: .heNormal, seed: s &+ 2),
                                                      Activation<T>(.relu),
                                                      Linear<T>(inputs: o.factors, outputs: o.factors, seed: s &+ 3),
                                                      dropout(2 * b + 2)])))
            }
            layers.append(LayerNorm<T>(features: o.factors))
        }
        encoder = Sequential(layers)
        self.dropouts = dropouts
        output = Linear(inputs: o.factors, outputs: items, seed: o.seed &+ 2)
        embeddingScale = o.encoder == .selfAttention ? T(Double(o.factors).squareRoot()) : 1
    }

    public var parameters: [Parameter<T>] { embedding.parameters + encoder.parameters + output.parameters }

    /// Dropout on (training) or off (scoring).
    public var training: Bool {
        get { dropouts.first?.training ?? false }
        set { for d in dropouts { d.training = newValue } }
    }

    /// Encoder outputs (`windows.count·maxLength × factors`) of left-padded windows.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func encode(_ windows: [ArraySlice<Int32>], context: ExecutionContext) throws -> Matrix<T> {
        let L = options.maxLength
        var ids = [Int32](repeating: Int32(items), count: windows.count * L)
        var valid = [Bool](repeating: false, count: ids.count)
        for (b, w) in windows.enumerated() {
            precondition(w.count <= L, "window longer than maxLength")
            for (k, item) in w.enumerated() { let row = b * L + L - w.count + k; ids[row] = item; valid[row] = true }
        }
        mask.valid = valid
        var x = try embedding.forward(ids)
        if embeddingScale != 1 { for k in x.storage.indices { x.storage[k] *= embeddingScale } }
        return try encoder.forward(x, context: context)
    }

    /// Backward from the encoder outputs' gradient into every parameter's.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(encoded dH: Matrix<T>, context: ExecutionContext) throws {
        var dx = try encoder.backward(dH, context: context)
        if embeddingScale != 1 { for k in dx.storage.indices { dx.storage[k] *= embeddingScale } }
        embedding.backward(dx)
    }

    /// The representation of each history: the encoder's state at the last position of its
    /// latest window (`histories.count × factors`), in batches, dropout off. An empty history has
    /// the representation of an all-padding window (the same for every such user).
    public func representations(_ histories: [ArraySlice<Int32>], context: ExecutionContext) throws -> Matrix<T> {
        let was = training
        training = false
        defer { training = was }
        let L = options.maxLength, d = options.factors
        var out = Matrix<T>(rows: histories.count, columns: d)
        var start = 0
        while start < histories.count {
            let end = Swift.min(histories.count, start + options.batchSize)
            let h = try encode(histories[start..<end].map { ItemSequences.window($0, maxLength: L) }, context: context)
            for b in 0..<(end - start) {
                let from = (b * L + L - 1) * d
                out.storage.replaceSubrange((start + b) * d..<(start + b + 1) * d, with: h.storage[from..<from + d])
            }
            start = end
        }
        return out
    }

    /// Scores of every item (`representations.rows × items`) for the given representations.
    public func scores(_ representations: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try output.forward(representations, context: context)
    }
}

/// Trains a ``NextItemNetwork`` on users' time-ordered histories: each window's position `t`
/// predicts the item at `t + 1` with softmax cross-entropy over every item, Adam, clipped
/// gradients, shuffled mini-batches of users. Deterministic for a seed and thread count. The
/// products run on the context's back end and threads (the batched attention GEMMs split across
/// sequences; the GRU's steps and the output layer are GEMMs over the batch).
public enum NextItemPrediction {
    /// One epoch's report.
    public struct Epoch: Sendable {
        public var epoch: Int
        public var loss: Double
        /// Validation NDCG@10 of the held-out latest items (nil without early stopping).
        public var validationNDCG: Double?
        public var seconds: Double
        /// Predicted positions (training samples) per second.
        public var samplesPerSecond: Double
    }

    /// - Parameter histories: each user's items, oldest first (``ItemSequences/histories(_:timestamps:)``).
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options or items outside
    ///   `0..<items`; ``LinearAlgebraError/diverged(operation:iteration:loss:hint:)`` if the loss
    ///   becomes NaN/∞ or explodes.
    public static func fit(_ histories: [[Int32]], items: Int, options o: NextItemOptions, context: ExecutionContext = .current,
                           progress: ((Epoch) -> Void)? = nil) throws -> NextItemNetwork<Float> {
        guard o.factors >= 1, o.maxLength >= 2, o.blocks >= 1, o.heads >= 1, o.factors % o.heads == 0, o.epochs >= 1, o.batchSize >= 1,
              o.dropout >= 0, o.dropout < 1, o.learningRate > 0, o.learningRate.isFinite, o.patience >= 0, o.maxGradientNorm > 0 else {
            throw LinearAlgebraError.invalidArgument("next-item model: factors, blocks, heads, epochs and batch size must be ≥ 1, factors a multiple "
                                                     + "of heads, maxLength ≥ 2, dropout in [0, 1), the learning rate and clipping norm > 0, patience ≥ 0")
        }
        guard items >= 1 else { throw LinearAlgebraError.emptyMatrix(operation: "next-item model", shape: "no items") }
        for (u, h) in histories.enumerated() {
            if let bad = h.first(where: { $0 < 0 || Int($0) >= items }) {
                throw LinearAlgebraError.invalidArgument("next-item model: user \(u)'s history holds item \(bad), outside 0..<\(items)")
            }
        }
        // Validation: the latest item of users with at least 3.
        let validating = o.patience > 0
        let heldOut: [Int] = validating ? histories.indices.filter { histories[$0].count >= 3 } : []
        var train = histories.map { ArraySlice($0) }
        for u in heldOut { train[u] = train[u].dropLast() }
        let trainable = train.indices.filter { train[$0].count >= 2 }
        guard !trainable.isEmpty else {
            throw LinearAlgebraError.emptyMatrix(operation: "next-item model", shape: "no user has two items in order to learn from")
        }

        let network = NextItemNetwork<Float>(items: items, options: o)
        network.training = true
        let adam = Adam<Float>(learningRate: o.learningRate)
        let clock = ContinuousClock()
        var rng = SeededGenerator(seed: o.seed &+ 77)
        let L = o.maxLength, d = o.factors
        var best: (ndcg: Double, epoch: Int, weights: [Matrix<Float>])? = nil
        var firstLoss: Double?
        for epoch in 1...o.epochs {
            let start = clock.now
            var order = trainable
            order.shuffle(using: &rng)
            var total = 0.0, samples = 0
            var b = 0
            while b < order.count {
                let users = order[b..<Swift.min(order.count, b + o.batchSize)]
                b += o.batchSize
                // position t of the input window predicts the item after it
                let inputs = users.map { ItemSequences.window(train[$0].dropLast(), maxLength: L) }
                let h = try network.encode(inputs, context: context)
                var rows: [Int] = [], targets: [Int32] = []
                for (k, u) in users.enumerated() {
                    let next = ItemSequences.window(train[u].dropFirst(), maxLength: L)
                    for (j, item) in next.enumerated() { rows.append(k * L + L - next.count + j); targets.append(item) }
                }
                var hv = Matrix<Float>(rows: rows.count, columns: d)
                for (r, row) in rows.enumerated() { hv.storage.replaceSubrange(r * d..<(r + 1) * d, with: h.storage[row * d..<(row + 1) * d]) }
                for p in network.parameters { p.zeroGradient() }
                let (loss, g) = try Loss.softmaxCrossEntropy(logits: try network.output.forward(hv, context: context), targets: targets,
                                                             threads: context.threads)
                if firstLoss == nil { firstLoss = loss }
                guard loss.isFinite, loss <= 100 * Swift.max(firstLoss!, 1) else {
                    throw LinearAlgebraError.diverged(operation: "next-item model (\(o.encoder.rawValue))", iteration: epoch, loss: loss,
                                                      hint: "Lower the learning rate (now \(o.learningRate)).")
                }
                let dhv = try network.output.backward(g, context: context)
                var dh = Matrix<Float>(rows: h.rows, columns: d)
                for (r, row) in rows.enumerated() { dh.storage.replaceSubrange(row * d..<(row + 1) * d, with: dhv.storage[r * d..<(r + 1) * d]) }
                try network.backward(encoded: dh, context: context)
                clipGradients(network.parameters, maxNorm: o.maxGradientNorm)
                adam.step(network.parameters)
                total += loss * Double(rows.count)
                samples += rows.count
            }
            var report = Epoch(epoch: epoch, loss: total / Double(samples), validationNDCG: nil, seconds: 0, samplesPerSecond: 0)
            let trainSeconds = (clock.now - start).seconds
            report.samplesPerSecond = Double(samples) / trainSeconds
            if validating, !heldOut.isEmpty {
                let ndcg = try validationNDCG(network, histories: heldOut.map { train[$0] }, targets: heldOut.map { histories[$0].last! }, context: context)
                report.validationNDCG = ndcg
                if best == nil || ndcg > best!.ndcg { best = (ndcg, epoch, network.parameters.map(\.value)) }
            }
            report.seconds = (clock.now - start).seconds
            progress?(report)
            if let best, epoch - best.epoch >= o.patience { break }
        }
        if let best { for (p, w) in zip(network.parameters, best.weights) { p.value = w } }
        network.training = false
        return network
    }

    /// Mean NDCG@10 of each target ranked among all items the history does not hold.
    static func validationNDCG(_ network: NextItemNetwork<Float>, histories: [ArraySlice<Int32>], targets: [Int32], context: ExecutionContext) throws -> Double {
        let s = try network.scores(try network.representations(histories, context: context), context: context)
        let n = s.columns
        var total = 0.0
        for (r, target) in targets.enumerated() {
            let seen = Set(histories[r])
            let t = s.storage[r * n + Int(target)]
            var rank = 0
            for c in 0..<n where c != Int(target) && !seen.contains(Int32(c)) && s.storage[r * n + c] > t { rank += 1; if rank >= 10 { break } }
            if rank < 10 { total += Double.log(2) / Double.log(Double(rank) + 2) }
        }
        return total / Double(targets.count)
    }
}
