import RecKitAlgorithms
import RecKitLinearAlgebra
import Synchronization

/// What every fold-in of a fit shares, computed at the first and kept (a server folds users in on
/// every feedback event): `YᵀY + λI` of an implicit model, which costs `items × f²` — far more than
/// the user's own `f³/3` solve — and an explicit model's factors in its rating unit. One per fit.
final class ALSFoldInCache: Sendable {
    private let gram = Mutex<Matrix<Float>?>(nil)
    private let inUnit = Mutex<ALSFactors<Float>?>(nil)

    /// The fit in its rating unit (``RatingUnit/converting(_:)-ALSFactors``), made by `make` once.
    func fittedInUnit(_ make: () -> ALSFactors<Float>) -> ALSFactors<Float> {
        inUnit.withLock { f in
            if let f { return f }
            let made = make()
            f = made
            return made
        }
    }

    func implicitGram(_ fitted: ALSFactors<Float>, options: ALSOptions) throws -> Matrix<Float> {
        try gram.withLock { g in
            if let g { return g }
            let computed = try AlternatingLeastSquares.implicitGram(fitted, options: options, context: .current)
            g = computed
            return computed
        }
    }
}
