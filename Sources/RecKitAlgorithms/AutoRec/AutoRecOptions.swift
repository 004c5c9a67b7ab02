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

    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        func fail(_ option: String, _ value: Any, _ requirement: String) -> AlgorithmError {
            .invalidOption(algorithm: "AutoRec", option: option, value: "\(value)", requirement: requirement)
        }
        guard hidden >= 1 else { throw fail("hidden", hidden, "≥ 1") }
        guard epochs >= 1 else { throw fail("epochs", epochs, "≥ 1") }
        guard batchSize >= 1 else { throw fail("batchSize", batchSize, "≥ 1") }
        guard learningRate.isFinite, learningRate > 0 else { throw fail("learningRate", learningRate, "a finite number > 0") }
        guard regularization.isFinite, regularization >= 0 else { throw fail("regularization", regularization, "a finite number ≥ 0") }
    }
}
