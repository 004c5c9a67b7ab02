import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

extension FactorModel {
    /// Ridge fold-in with biases: `[p, b_u]` minimising `Σ (r − μ − b_i − b_u − p·q_i)² + λ·n·(‖p‖² + b_u²)`
    /// over the user's `items` (sorted, unique) — the fold-in of the SGD-trained models, whose
    /// per-rating penalty scales λ with the user's count as this does. Solved in the model's
    /// fitted `unit`, as the model was trained; the user comes back in the ratings' units.
    ///
    /// The explicit solve reads only the rated items' rows, so it runs on those rows alone
    /// (``RatingUnit/itemSide(of:items:)``): the cost follows the history, not the catalogue.
    func ridgeFoldIn(items: [Int32], ratings: [Float], regularization: Double, unit: RatingUnit, model name: String) throws -> FoldedInUser {
        let f = itemFactors.columns
        let side = unit.itemSide(of: self, items: items)
        let fitted = ALSFactors(users: Matrix<Float>(rows: 1, columns: f), items: side.factors, globalMean: side.globalBias,
                                userBias: [0], itemBias: side.itemBias)
        let options = ALSOptions(factors: f, regularization: regularization, iterations: 1, feedback: .explicit, solver: .cholesky, biases: true)
        let row = try CSRMatrix<Float>(rows: 1, columns: items.count, rowOffsets: [0, items.count],
                                       columnIndices: (0..<Int32(items.count)).map { $0 }, values: unit.ratings(ratings))
        do {
            let (x, bias) = try AlternatingLeastSquares.userFactors(for: row, fitted: fitted, options: options, context: .current)
            return unit.restoring(FoldedInUser(factors: x.storage, bias: bias[0], items: items))
        } catch let error as AlgorithmError {
            throw ModelError.invalidInput(model: name, operation: "fold-in", reason: error.description)
        }
    }
}
