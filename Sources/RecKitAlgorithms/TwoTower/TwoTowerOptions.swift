import RecKitData
import RecKitLinearAlgebra

/// Options of ``TwoTower``.
public struct TwoTowerOptions: Sendable {
    /// Width of the id and field embeddings.
    public var embedding = 32
    /// Each tower's hidden layer width and output (score space) width.
    public var hidden = 64
    public var factors = 32
    /// Probability of replacing an id by the "unknown" id in training, so that the towers learn to
    /// serve entities from their features alone (cold start).
    public var idDropout = 0.1
    public var epochs = 20
    /// Interactions per batch; the batch's other items are each row's negatives.
    public var batchSize = 256
    public var learningRate = 0.002
    public var seed: UInt64 = 0

    public init(embedding: Int = 32, hidden: Int = 64, factors: Int = 32, idDropout: Double = 0.1, epochs: Int = 20, batchSize: Int = 256,
                learningRate: Double = 0.002, seed: UInt64 = 0) {
        self.embedding = embedding
        self.hidden = hidden
        self.factors = factors
        self.idDropout = idDropout
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        let check = OptionCheck(algorithm: "two-tower")
        try check.atLeast(1, ["embedding": embedding, "hidden": hidden, "factors": factors, "epochs": epochs])
        guard batchSize >= 2 else { throw check.fail("batchSize", batchSize, "≥ 2 (the batch's other items are the negatives)") }
        try check.fraction("idDropout", idDropout)
        try check.positive(["learningRate": learningRate])
    }
}
