import RecKitData
import RecKitLinearAlgebra

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
        let seeds = Seeds(o.seed)
        func dropout(_ k: Int) -> Dropout<T> { let d = Dropout<T>(rate: o.dropout, seed: seeds(.dropout, k)); dropouts.append(d); return d }
        switch o.encoder {
        case .gru:
            layers = [dropout(0), GRU<T>(inputs: o.factors, hidden: o.factors, mask: mask, seed: seeds(.sequenceEncoder))]
        case .selfAttention:
            layers = [PositionalEmbedding<T>(features: o.factors, mask: mask, standardDeviation: 1 / Double(o.factors).squareRoot(), seed: seeds(.sequenceEncoder)), dropout(0)]
            for b in 0..<o.blocks {
                let s = seeds(.attentionBlock, b + 1)
                layers.append(Residual(Sequential<T>([LayerNorm<T>(features: o.factors),
                                                      MultiHeadSelfAttention<T>(features: o.factors, heads: o.heads, mask: mask, seed: s),
                                                      dropout(2 * b + 1)])))
                layers.append(Residual(Sequential<T>([LayerNorm<T>(features: o.factors),
                                                      Linear<T>(inputs: o.factors, outputs: o.factors, initializer: .heNormal, seed: seeds(.attentionBlock, b + 1, 2)),
                                                      Activation<T>(.relu),
                                                      Linear<T>(inputs: o.factors, outputs: o.factors, seed: seeds(.attentionBlock, b + 1, 3)),
                                                      dropout(2 * b + 2)])))
            }
            layers.append(LayerNorm<T>(features: o.factors))
        }
        encoder = Sequential(layers)
        self.dropouts = dropouts
        output = Linear(inputs: o.factors, outputs: items, seed: seeds(.nextItemOutput))
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
