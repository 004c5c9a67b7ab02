import Foundation
import RecKitData
import RecKitLinearAlgebra

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

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        let check = OptionCheck(algorithm: "NCF")
        try check.atLeast(1, ["factors": factors])
        guard !layers.isEmpty, layers.allSatisfy({ $0 >= 1 }), layers[0] >= 2 else { throw check.fail("layers", layers, "non-empty widths ≥ 1, the first ≥ 2") }
        try check.atLeast(1, ["negatives": negatives, "epochs": epochs, "batchSize": batchSize])
        try check.positive(["learningRate": learningRate])
        if let e = fineTuneEpochs { try check.atLeast(0, ["fineTuneEpochs": e]) }
        try check.nonNegative(["fineTuneRate": fineTuneRate])
        try check.atLeast(1, ["samplesPerThread": samplesPerThread])
    }
}
