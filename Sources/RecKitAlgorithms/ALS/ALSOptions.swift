/// Options of ``AlternatingLeastSquares``.
public struct ALSOptions: Sendable {
    public var factors = 64
    /// λ (must be > 0 for explicit feedback, ≥ 0 for implicit).
    public var regularization = 0.05
    public var iterations = 15
    public var feedback = ALSFeedback.implicit(alpha: 1)
    public var solver = ALSSolver.conjugateGradient(steps: 3)
    /// Explicit feedback only: also fit a global mean and user and item biases,
    /// `r̂ = μ + b_u + b_i + xᵀy`, the biases regularised like the factors (weighted λ).
    public var biases = false
    /// Standard deviation of the random initial factors (× 1/√factors).
    public var initialScale = 0.1
    public var seed: UInt64 = 0

    public init(factors: Int = 64, regularization: Double = 0.05, iterations: Int = 15, feedback: ALSFeedback = .implicit(alpha: 1),
                solver: ALSSolver = .conjugateGradient(steps: 3), biases: Bool = false, seed: UInt64 = 0) {
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.feedback = feedback
        self.solver = solver
        self.biases = biases
        self.seed = seed
    }

    /// Checks the options against each other.
    /// - Throws: ``AlgorithmError/invalidOption(algorithm:option:value:requirement:)`` naming the option.
    public func validate() throws {
        let check = OptionCheck(algorithm: "ALS")
        try check.atLeast(1, ["factors": factors, "iterations": iterations])
        try check.nonNegative(["regularization": regularization])
        if case .implicit(let alpha) = feedback { try check.positive(["alpha": alpha]) }
        if case .conjugateGradient(let steps) = solver {
            guard case .implicit = feedback else {
                throw check.fail("solver", "conjugate gradient", "Cholesky for explicit ratings (the conjugate-gradient solver is for implicit feedback)")
            }
            try check.atLeast(1, ["conjugate-gradient steps": steps])
        }
        if biases, case .implicit = feedback {
            throw check.fail("biases", biases, "false for implicit feedback (it models preferences, not rating offsets)")
        }
    }
}
