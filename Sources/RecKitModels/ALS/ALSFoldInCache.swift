import RecKitAlgorithms
import RecKitLinearAlgebra
import Synchronization

/// `YᵀY + λI` of a fitted implicit ALS model, computed at the first fold-in and kept: every
/// implicit user step shares it, and computing it costs `items × f²` — far more than the user's
/// own `f³/3` solve (a server folds users in on every feedback event). One per fit.
final class ALSFoldInCache: Sendable {
    private let gram = Mutex<Matrix<Float>?>(nil)

    func implicitGram(_ fitted: ALSFactors<Float>, options: ALSOptions) throws -> Matrix<Float> {
        try gram.withLock { g in
            if let g { return g }
            let computed = try AlternatingLeastSquares.implicitGram(fitted, options: options, context: .current)
            g = computed
            return computed
        }
    }
}
