import Foundation
import RecKitLinearAlgebra
import RecKitModels

/// A user's posterior over their factors given the item factors `Y`, for the exploring policies:
/// `x_u ~ N(x̂_u, Σ_u)` with `Σ_u = σ²·A⁻¹`, where `A` is the matrix of the user's ALS step —
/// implicit ALS: `A = YᵀY + λI + Σ_{j∈u} α·r_j·y_j y_jᵀ` (confidence `1 + α·r`); explicit ALS:
/// `A = Σ_{j∈u} y_j y_jᵀ + λ·u·n_u·I` (weighted λ, fitted in rating unit `u`, ``RatingUnit``: in
/// the ratings' units its posterior is `σ²u²·A⁻¹`); other factor models: `A = Σ_{j∈u} y_j y_jᵀ + I`.
/// An item's score then has variance `q_iᵀ Σ_u q_i` (LinUCB with the item factors as features).
public struct Uncertainty: Sendable {
    let items: Matrix<Float>
    let mean: [Float]
    /// `A = L·Lᵀ`, Double, `k × k`.
    let factor: CholeskyFactorization<Double>
    var lower: Matrix<Double> { factor.lower }
    let scale: Double
    let context: ExecutionContext

    /// How a model's user step weighs interactions (read from its configuration).
    public struct Prior: Sendable {
        public var implicit: Bool
        public var lambda: Double
        public var alpha: Double
        /// The rating unit the model was fitted in: σ is a rating's noise in that unit.
        public var ratingUnit = 1.0
        /// `YᵀY` (implicit ALS only), computed once per model.
        var gram: Matrix<Double>?

        public init(implicit: Bool, lambda: Double, alpha: Double) {
            self.implicit = implicit
            self.lambda = lambda
            self.alpha = alpha
        }
    }

    /// The prior of `model`: ALS's own λ and α, else a unit ridge.
    static func prior(for model: any FoldingIn, items: Matrix<Float>, context: ExecutionContext) throws -> Prior {
        if let als = model as? ALSRecommender {
            let c = als.configuration
            let unit = Double(als.ratingUnit.factor)
            var p = Prior(implicit: c.implicit, lambda: c.regularization * unit, alpha: c.alpha)
            p.ratingUnit = unit
            if c.implicit {
                p.gram = try LinearAlgebra.multiply(items, items, transposeA: true, context: context).converted(to: Double.self)
            }
            return p
        }
        return Prior(implicit: false, lambda: 1, alpha: 0)
    }

    /// The posterior of `user` (their fitted or folded-in factors) with `history`'s interactions.
    public init(user: FoldedInUser, history: [(item: Int32, value: Float)], items: Matrix<Float>, prior: Prior, scale: Double,
                context: ExecutionContext) throws {
        let k = items.columns
        var a = prior.gram ?? Matrix<Double>(rows: k, columns: k)
        let ridge = prior.implicit || prior.gram != nil ? prior.lambda : prior.lambda == 1 && prior.alpha == 0 ? 1 : prior.lambda * Double(max(1, history.count))
        items.storage.withUnsafeBufferPointer { q in
            for (item, value) in history {
                let w = prior.implicit ? prior.alpha * Double(value) : 1
                guard w != 0 else { continue }
                let row = Int(item) * k
                for s in 0..<k {
                    let ys = w * Double(q[row + s])
                    for t in 0...s { a[s, t] += ys * Double(q[row + t]) }
                }
            }
        }
        for s in 0..<k { a[s, s] += ridge }
        for s in 0..<k { for t in 0..<s { a[t, s] = a[s, t] } }
        self.factor = try LinearAlgebra.cholesky(a, context: context)
        self.items = items
        self.mean = user.factors
        self.scale = scale * prior.ratingUnit
        self.context = context
    }

    /// `σ_i = sqrt(q_iᵀ Σ_u q_i)` for the item rows `rows`.
    func standardDeviations(rows: [Int]) -> [Double] {
        let k = items.columns
        // Σ_u = scale²·A⁻¹; Q·A⁻¹ for every item in one product, then a dot per candidate.
        guard let inverse = try? factor.inverse(),
              let qa = try? LinearAlgebra.multiply(items, inverse.converted(to: Float.self), context: context) else {
            return rows.map { _ in 0 }
        }
        return rows.map { r in
            var v = 0.0
            for t in 0..<k { v += Double(qa[r, t]) * Double(items[r, t]) }
            return scale * max(0, v).squareRoot()
        }
    }

    /// Scores under `count` independent draws of the user's factors: element `d` holds
    /// `base[c] + q_{rows[c]}·(x̃_d − x̂)` for every candidate `c`. The draws' shifts for all items
    /// come from one product `Q·Δ` (`Δ` is `k × count`), not one product per draw.
    func sampledScores(rows: [Int], base: [Float], count: Int, rng: inout SeededGenerator) -> [[Float]] {
        let k = items.columns
        guard count > 0 else { return [] }
        // x̃ − x̂ = scale·L⁻ᵀ·z has covariance scale²·A⁻¹: solve Lᵀ·d = z by back substitution.
        let l = lower
        var deltas = Matrix<Float>(rows: k, columns: count)
        for draw in 0..<count {
            var d = (0..<k).map { _ in rng.nextGaussian() }
            for s in stride(from: k - 1, through: 0, by: -1) {
                var v = d[s]
                for t in (s + 1)..<k { v -= l[t, s] * d[t] }
                d[s] = v / l[s, s]
            }
            for s in 0..<k { deltas[s, draw] = Float(scale * d[s]) }
        }
        guard let shifts = try? LinearAlgebra.multiply(items, deltas, context: context) else {
            return [[Float]](repeating: base, count: count)
        }
        return (0..<count).map { draw in rows.indices.map { base[$0] + shifts[rows[$0], draw] } }
    }
}
