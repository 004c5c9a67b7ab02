import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The truncated SVD `R ≈ U_k Σ_k V_kᵀ` of a sparse matrix in Double, as factors for scoring:
/// user factors `P = R·V_k = U_k Σ_k`, item factors `Q = V_k` (in Float, the precision scores use).
func svdFactors(_ r: CSRMatrix<Double>, rank k: Int, solver: SVDSolver, seed: UInt64,
                context: ExecutionContext) throws -> (p: Matrix<Float>, q: Matrix<Float>, report: SVDFitReport) {
    let clock = ContinuousClock(), start = clock.now
    let op = SparseOperator(r)
    let svd = solver == .lanczos
        ? try SingularValues.lanczos(op, rank: k, options: LanczosSVDOptions(seed: seed), context: context)
        : try SingularValues.randomized(op, rank: k, options: RandomizedSVDOptions(seed: seed), context: context)
    let users = r.rows, items = r.columns
    let p = Matrix<Float>(rows: users, columns: k) { u, t in Float(svd.u.storage[u * k + t] * svd.singularValues[t]) }
    let q = Matrix<Float>(rows: items, columns: k) { i, t in Float(svd.vt.storage[t * items + i]) }
    let report = SVDFitReport(singularValues: svd.singularValues, maxRelativeResidual: svd.maxRelativeResidual,
                              converged: svd.converged, seconds: (clock.now - start).seconds)
    return (p, q, report)
}

/// A rank must be at least 1 and at most min(users, items) of the training data.
func checkRank(_ k: Int, _ train: RatingDataset, _ model: String) throws {
    let limit = Swift.min(train.userCount, train.itemCount)
    guard k >= 1, k <= limit else {
        throw ModelError.invalidConfiguration(model: model, field: "factors", value: "\(k)",
                                              requirement: "in 1…\(limit) (the smaller of \(train.userCount) users and \(train.itemCount) items)")
    }
}
