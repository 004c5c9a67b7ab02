import RecKitAlgorithms
import RecKitLinearAlgebra

/// The configuration of `als` (``ALSRecommender``). α was chosen by NDCG@10 on validation splits of
/// ML-100k's ua/ub.base (0.1…4 tried, docs/results.md); the other defaults follow implicit's.
public struct ALSConfiguration: ModelConfiguration {
    /// How each user's and item's least-squares system is solved.
    public enum Solver: String, ConfigurationChoice {
        /// Conjugate gradient for implicit feedback, Cholesky for explicit ratings.
        case automatic
        /// Exact solves (batched Cholesky).
        case cholesky
        /// ``ALSConfiguration/cgSteps`` conjugate-gradient steps per sweep (implicit feedback only).
        case cg
    }

    /// Latent factors.
    public var factors = 64
    /// λ (weighted by each row's count for explicit ratings).
    public var regularization = 0.05
    /// Alternating sweeps.
    public var iterations = 15
    /// Implicit feedback: every interaction is a preference with confidence `1 + α·r`.
    public var implicit = false
    /// The confidence slope α of implicit feedback.
    public var alpha = 0.25
    public var solver = Solver.automatic
    /// Conjugate-gradient steps per sweep.
    public var cgSteps = 3
    /// Explicit ratings: fit `μ + b_u + b_i` as well (ignored for implicit feedback).
    public var biases = true
    /// Explicit ratings are divided by this before fitting (0: the training ratings' spread ÷ 4), so
    /// λ is stated for a 1–5 scale (``RatingUnit``); implicit feedback is fitted as it is.
    public var ratingUnit = 0.0
    /// The precision of the fit (the factors are kept in Float for scoring).
    public var precision = DType.float
    public var seed: UInt64 = 0

    public init() {}

    public static var fields: [ConfigurationField<Self>] {
        [
            .integer("factors", \.factors, range: 1...100_000, scale: .logarithmic, help: "latent factors"),
            .real("regularization", \.regularization, range: 0...1e9, scale: .logarithmic, help: "λ (weighted by counts for explicit ratings)"),
            .integer("iterations", \.iterations, range: 1...100_000, help: "alternating sweeps"),
            .flag("implicit", \.implicit, help: "implicit feedback: interactions as preferences with confidence 1 + α·r"),
            .real("alpha", \.alpha, range: 1e-12...1e12, scale: .logarithmic, help: "implicit confidence slope α"),
            .choice("solver", \.solver, help: "automatic (cg for implicit feedback, cholesky for explicit), cholesky, or cg"),
            .integer("cg-steps", \.cgSteps, range: 1...10_000, help: "conjugate-gradient steps per sweep"),
            .flag("biases", \.biases, help: "explicit ratings: fit μ + b_u + b_i too"),
            // Models saved before the rule were fitted on the raw ratings.
            .real("rating-unit", \.ratingUnit, range: 0...1e12, whenAbsent: 1,
                  help: "explicit ratings are divided by this before fitting (0: their spread ÷ 4, so λ is for a 1–5 scale; 1: raw)"),
            .choice("precision", \.precision, aliases: ["dtype", "double"], help: "the precision the model is fitted in"),
            .seed(\.seed, help: "the random initial factors"),
        ]
    }

    public func checkRelations(model: String) throws {
        if solver == .cg, !implicit {
            throw ModelError.invalidConfiguration(model: model, field: "solver", value: solver.rawValue,
                                                  requirement: "cholesky or automatic for explicit ratings (cg is for --implicit feedback)")
        }
    }

    /// The unit explicit ratings spanning `range` are fitted in (the raw values for implicit feedback).
    func ratingUnit(for range: ClosedRange<Float>) -> RatingUnit { implicit ? .raw : RatingUnit(setting: ratingUnit, range: range) }

    /// The algorithm's options.
    public var options: ALSOptions {
        let solver: ALSSolver = switch self.solver {
        case .automatic: implicit ? .conjugateGradient(steps: cgSteps) : .cholesky
        case .cholesky: .cholesky
        case .cg: .conjugateGradient(steps: cgSteps)
        }
        return ALSOptions(factors: factors, regularization: regularization, iterations: iterations,
                          feedback: implicit ? .implicit(alpha: alpha) : .explicit, solver: solver, biases: biases && !implicit, seed: seed)
    }
}
