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
        func fail(_ option: String, _ value: Any, _ requirement: String) -> AlgorithmError {
            .invalidOption(algorithm: "ALS", option: option, value: "\(value)", requirement: requirement)
        }
        guard factors >= 1 else { throw fail("factors", factors, "≥ 1") }
        guard iterations >= 1 else { throw fail("iterations", iterations, "≥ 1") }
        guard regularization.isFinite, regularization >= 0 else { throw fail("regularization", regularization, "a finite number ≥ 0") }
        if case .implicit(let alpha) = feedback, !(alpha.isFinite && alpha > 0) { throw fail("alpha", alpha, "a finite number > 0") }
        if case .conjugateGradient(let steps) = solver {
            guard case .implicit = feedback else {
                throw fail("solver", "conjugate gradient", "Cholesky for explicit ratings (the conjugate-gradient solver is for implicit feedback)")
            }
            guard steps >= 1 else { throw fail("conjugate-gradient steps", steps, "≥ 1") }
        }
        if biases, case .implicit = feedback {
            throw fail("biases", biases, "false for implicit feedback (it models preferences, not rating offsets)")
        }
    }
}
