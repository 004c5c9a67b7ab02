import RecKitData
import RecKitLinearAlgebra

/// How ``AutoRec`` minimises its objective.
public enum AutoRecOptimizer: String, Sendable, CaseIterable, Codable {
    /// Adam on mini-batches of ``AutoRecOptions/batchSize`` items, at ``AutoRecOptions/learningRate``;
    /// an epoch is one pass over the items.
    case adam
    /// Full-batch L-BFGS (``LBFGS``, 10 pairs), the paper's optimiser; an epoch is one iteration
    /// (its line search may evaluate the objective more than once). No step size to choose;
    /// ``AutoRecOptions/batchSize`` and ``AutoRecOptions/learningRate`` are unused.
    case lbfgs
}

/// Options of ``AutoRec``.
public struct AutoRecOptions: Sendable {
    /// Hidden units (the paper's 500).
    public var hidden = 500
    /// λ of the L2 penalty `λ/2 (‖W‖² + ‖V‖²)` (the loss is a sum over observed ratings).
    public var regularization = 250.0
    /// L-BFGS iterations, or Adam's passes over the items.
    public var epochs = 200
    /// Items per mini-batch.
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate = 0.0003
    public var optimizer = AutoRecOptimizer.lbfgs
    public var seed: UInt64 = 0

    public init(hidden: Int = 500, regularization: Double = 250, epochs: Int = 200, batchSize: Int = 64, learningRate: Double = 0.0003,
                optimizer: AutoRecOptimizer = .lbfgs, seed: UInt64 = 0) {
        self.hidden = hidden
        self.regularization = regularization
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.seed = seed
    }

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        let check = OptionCheck(algorithm: "AutoRec")
        try check.atLeast(1, ["hidden": hidden, "epochs": epochs, "batchSize": batchSize])
        try check.positive(["learningRate": learningRate])
        try check.nonNegative(["regularization": regularization])
    }
}
