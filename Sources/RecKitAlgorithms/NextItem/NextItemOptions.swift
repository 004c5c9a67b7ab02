import RecKitData
import RecKitLinearAlgebra

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

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        let check = OptionCheck(algorithm: "next-item model")
        try check.atLeast(1, ["factors": factors, "blocks": blocks, "heads": heads, "epochs": epochs, "batchSize": batchSize])
        guard factors % heads == 0 else { throw check.fail("factors", factors, "a multiple of heads (\(heads))") }
        try check.atLeast(2, ["maxLength": maxLength])
        try check.fraction("dropout", dropout)
        try check.positive(["learningRate": learningRate, "maxGradientNorm": maxGradientNorm])
        try check.atLeast(0, ["patience": patience])
    }
}
