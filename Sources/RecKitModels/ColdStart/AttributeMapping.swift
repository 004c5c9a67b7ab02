import RecKitData
import RecKitLinearAlgebra

/// Scores for items nobody has rated yet, through their attributes: a ridge regression from item
/// feature vectors (e.g. genres) to the fitted item factors and biases of a factor model
/// ("attribute-to-feature mapping", Gantner et al. 2010):
///
/// ```
/// [W; w_b] = argmin Σ_i ‖[q_i, b_i] − a_iᵀ[W, w_b]‖² + λ‖[W, w_b]‖²     (a_i with a constant 1 appended)
/// q_new = a_newᵀ W,   b_new = a_newᵀ w_b
/// ```
/// so a new item is scored `μ + b_u + b_new + p_u·q_new` by every user, and can be recommended
/// before anyone rated it.
public struct AttributeMapping: Sendable {
    /// `(d + 1) × (f + 1)`: features (plus the intercept) to factors and bias.
    public let weights: Matrix<Double>
    public let model: FactorModel

    /// - Parameters:
    ///   - model: fitted factors (``FoldingIn/factorModel`` of `als`, `biased-mf`, `svd++`, `bpr`, …).
    ///   - features: the training items' feature vectors, keyed by external item id; items without
    ///     one, or without training interactions, are left out of the regression.
    ///   - regularization: λ of the ridge regression.
    /// - Throws: ``ModelError/invalidInput(model:operation:reason:)`` when no training item has
    ///   features or the vectors differ in length; linear-algebra errors if the system is singular (raise λ).
    public init(model: FactorModel, features: FeatureTable, regularization: Double = 1, context: ExecutionContext = .current) throws {
        guard let train = model.training else { throw ModelError.notFitted(model: "attribute mapping") }
        let d = features.names.count, f = model.itemFactors.columns
        var rows: [(item: Int, a: [Float])] = []
        var counts = [Int](repeating: 0, count: train.itemCount)
        for c in train.ratings.columnIndices { counts[Int(c)] += 1 }
        for i in 0..<train.itemCount where counts[i] > 0 {
            if let a = features.vectors[train.itemIDs.externalID(i)] {
                guard a.count == d else { throw ModelError.invalidInput(model: "attribute mapping", operation: "mapping", reason: "item '\(train.itemIDs.externalID(i))' has \(a.count) features, not \(d)") }
                rows.append((i, a))
            }
        }
        guard !rows.isEmpty else { throw ModelError.invalidInput(model: "attribute mapping", operation: "mapping", reason: "no training item has features") }
        guard regularization.isFinite, regularization > 0 else { throw ModelError.invalidInput(model: "attribute mapping", operation: "mapping", reason: "λ must be > 0, got \(regularization)") }
        let a = Matrix<Double>(rows: rows.count, columns: d + 1) { r, c in c < d ? Double(rows[r].a[c]) : 1 }
        let y = Matrix<Double>(rows: rows.count, columns: f + 1) { r, c in
            c < f ? Double(model.itemFactors.storage[rows[r].item * f + c]) : Double(model.itemBias[rows[r].item])
        }
        var g = try LinearAlgebra.gram(a, transposeA: true, context: context)
        for k in 0..<(d + 1) { g[k, k] += regularization }
        let rhs = try LinearAlgebra.multiply(a, y, transposeA: true, context: context)
        weights = try LinearAlgebra.solvePositiveDefinite(g, rhs, context: context)
        self.model = model
    }

    /// The factors and bias the mapping gives an item with these features.
    public func itemVector(features: [Float]) throws -> (factors: [Float], bias: Float) {
        let d = weights.rows - 1, f = weights.columns - 1
        guard features.count == d else { throw ModelError.invalidInput(model: "attribute mapping", operation: "mapping", reason: "\(features.count) features given, the mapping takes \(d)") }
        guard features.allSatisfy(\.isFinite) else { throw ModelError.invalidInput(model: "attribute mapping", operation: "mapping", reason: "the features hold NaN or ∞") }
        var out = [Double](repeating: 0, count: f + 1)
        for (k, x) in (features.map(Double.init) + [1]).enumerated() { for c in 0...f { out[c] += x * weights[k, c] } }
        return (out[..<f].map { Float($0) }, Float(out[f]))
    }

    /// Every training user's score of a new item with these features, `μ + b_u + b_new + p_u·q_new`.
    public func scores(newItem features: [Float], context: ExecutionContext = .current) throws -> [Float] {
        let (q, b) = try itemVector(features: features)
        var s = try LinearAlgebra.multiply(model.userFactors, vector: q, context: context)
        for u in 0..<s.count { s[u] += model.globalBias + model.userBias[u] + b }
        return s
    }
}
