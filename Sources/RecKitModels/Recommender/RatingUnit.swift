import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The rating-scale rule of the rating models (`biased-mf`, `svd++`, explicit `als`; `autorec`
/// fits and reconstructs ratings in the unit, with no identity to state): their
/// learning rate, penalties and initial spread are stated for ratings whose spread (max − min) is
/// 4, MovieLens's 1–5 scale, and the model fits ratings measured in that unit.
///
/// A model `μ + b_u + b_i + p_u·q_i` fitted to ratings `r / u` is the same model as one fitted to
/// `r` with biases `u·b` and factors `√u·p`, `√u·q`; in the original units that is SGD with the
/// factors' step divided by `u`, their penalty λ multiplied by `u`, the initial spread by `√u`, and
/// the biases' step and penalty unchanged — exactly, not approximately (for ALS: the factors' λ
/// multiplied by `u`, the biases' unchanged). So the defaults chosen on ML-100k carry to a 1–10 or
/// 0–100 scale, where the raw values would diverge, underfit or overfit (measured in
/// docs/results.md, "Defaults across rating scales and densities").
///
/// With `u = 1` (any 1–5 data) nothing changes. What the model keeps is in the original units;
/// fold-in and online updates work in the fitted unit, so they match the fit.
public struct RatingUnit: Sendable, Equatable {
    /// The rating spread the hyperparameters are stated for: 4 (1–5 stars).
    public static let referenceSpread: Float = 4

    /// Ratings are divided by this before fitting.
    public let factor: Float

    /// - Parameters:
    ///   - setting: the configuration's `rating-unit`: 0 derives the unit from `range`; any other
    ///     value is the unit itself (1: the raw ratings).
    ///   - range: the training ratings' range.
    public init(setting: Double, range: ClosedRange<Float>) {
        let derived = setting > 0 ? Float(setting) : (range.upperBound - range.lowerBound) / Self.referenceSpread
        // All ratings equal (spread 0) or a unit too small to divide by: the raw ratings.
        factor = derived.isNormal ? derived : 1
    }

    /// The raw ratings (unit 1).
    public static let raw = RatingUnit(setting: 1, range: 0...0)

    public var isIdentity: Bool { factor == 1 }

    /// Ratings in this unit.
    func ratings(_ m: CSRMatrix<Float>) -> CSRMatrix<Float> {
        isIdentity ? m : m.mapValues { $0 / factor }
    }

    func ratings(_ values: [Float]) -> [Float] { isIdentity ? values : values.map { $0 / factor } }

    /// A fit in this unit, in the ratings' units: biases × u, factors × √u, objectives × u²,
    /// validation RMSE × u.
    func restoring(_ fit: SGDFactors) -> SGDFactors {
        guard !isIdentity else { return fit }
        var fit = fit
        let root = factor.squareRoot()
        fit.users = Self.scale(fit.users, root)
        fit.items = Self.scale(fit.items, root)
        fit.globalMean *= factor
        fit.userBias = fit.userBias.map { $0 * factor }
        fit.itemBias = fit.itemBias.map { $0 * factor }
        fit.losses = fit.losses.map { $0 * Double(factor * factor) }
        fit.validationRMSE = fit.validationRMSE.map { $0 * Double(factor) }
        return fit
    }

    /// An ALS fit in this unit, in the ratings' units: biases × u, factors × √u, objectives × u².
    func restoring(_ fit: ALSFactors<Float>) -> ALSFactors<Float> { isIdentity ? fit : Self.scale(fit, by: factor) }

    /// An ALS fit in the ratings' units, in this unit (what its user step works in).
    func converting(_ fit: ALSFactors<Float>) -> ALSFactors<Float> { isIdentity ? fit : Self.scale(fit, by: 1 / factor) }

    private static func scale(_ fit: ALSFactors<Float>, by c: Float) -> ALSFactors<Float> {
        let root = c.squareRoot()
        return ALSFactors(users: scale(fit.users, root), items: scale(fit.items, root), globalMean: fit.globalMean * c,
                          userBias: fit.userBias.map { $0 * c }, itemBias: fit.itemBias.map { $0 * c },
                          losses: fit.losses.map { $0 * Double(c * c) }, secondsPerIteration: fit.secondsPerIteration)
    }

    /// Ratings in this unit, in the ratings' units.
    func restoringRatings(_ m: Matrix<Float>) -> Matrix<Float> { isIdentity ? m : Self.scale(m, factor) }

    /// Factors (`√u` scale) out of this unit.
    func restoringFactors(_ m: Matrix<Float>) -> Matrix<Float> { isIdentity ? m : Self.scale(m, factor.squareRoot()) }

    /// The rows of a fitted model that a user with `items` touches, in this unit: those items'
    /// factors (`items.count × f`, in the order of `items`) and biases, and the global bias. Only
    /// these rows are copied, so fold-in and online updates cost O(history × f), not O(items × f).
    func itemSide(of model: FactorModel, items: [Int32]) -> (factors: Matrix<Float>, globalBias: Float, itemBias: [Float]) {
        let f = model.itemFactors.columns, root = factor.squareRoot()
        var rows = [Float]()
        rows.reserveCapacity(items.count * f)
        for item in items {
            let i = Int(item) * f
            let q = model.itemFactors.storage[i..<(i + f)]
            if isIdentity { rows.append(contentsOf: q) } else { rows.append(contentsOf: q.lazy.map { $0 / root }) }
        }
        return (Matrix(rows: items.count, columns: f, uncheckedStorage: rows), model.globalBias / factor,
                items.map { model.itemBias[Int($0)] / factor })
    }

    /// A user folded in this unit, in the ratings' units.
    func restoring(_ user: FoldedInUser) -> FoldedInUser {
        guard !isIdentity else { return user }
        let root = factor.squareRoot()
        return FoldedInUser(factors: user.factors.map { $0 * root }, bias: user.bias * factor, items: user.items)
    }

    /// A user's vector and bias into this unit.
    func converting(_ user: FoldedInUser) -> FoldedInUser {
        guard !isIdentity else { return user }
        let root = factor.squareRoot()
        return FoldedInUser(factors: user.factors.map { $0 / root }, bias: user.bias / factor, items: user.items)
    }

    private static func scale(_ m: Matrix<Float>, _ c: Float) -> Matrix<Float> {
        Matrix(rows: m.rows, columns: m.columns, uncheckedStorage: m.storage.map { $0 * c })
    }
}
