import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Which truncated-SVD solver a model fits with (see ``SingularValues``).
public enum SVDSolver: String, ConfigurationChoice {
    case lanczos, randomized
}
