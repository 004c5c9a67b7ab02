import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// How a fitted SVD model's decomposition went: what ``TruncatedSVD`` reports, kept with the model.
public struct SVDFitReport: Sendable, Equatable {
    public var singularValues: [Double]
    public var maxRelativeResidual: Double
    public var converged: Bool
    public var seconds: Double
}
