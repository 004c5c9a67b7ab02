import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// What a rating model trained by SGD keeps from its fit (``BiasedMF``, ``SVDPlusPlusRecommender``):
/// the factors and biases, the training rating range its predictions are clipped to, and the
/// objective and validation RMSE after each epoch. It saves and restores all of them.
public struct RatingFactorFit: Sendable {
    public let factorModel: FactorModel
    /// The training rating range predictions are clipped to.
    public let scale: ClosedRange<Float>
    /// The objective after each epoch.
    public let losses: [Double]
    /// Validation RMSE after each epoch (empty without early stopping).
    public let validationRMSE: [Double]

    init(_ fit: SGDFactors, training: RatingDataset) throws {
        factorModel = try FactorModel(userFactors: fit.users, itemFactors: fit.items, userBias: fit.userBias, itemBias: fit.itemBias,
                                      globalBias: fit.globalMean, training: training)
        scale = training.ratingScale
        losses = fit.losses
        validationRMSE = fit.validationRMSE
    }

    /// `μ + b_u + b_i + p_u·q_i`, clipped to the training rating range.
    func predict(user: Int, item: Int) -> Float { scale.clamping(factorModel.predict(user: user, item: item)) }

    func store(in a: inout ModelArchive) {
        factorModel.storeParameters(in: &a)
        a.floats["scale"] = [scale.lowerBound, scale.upperBound]
        a.doubles["losses"] = losses
        a.doubles["validation_rmse"] = validationRMSE
    }

    init(archive a: ModelArchive, factors: Int) throws {
        factorModel = try FactorModel(parametersIn: a, factors: factors)
        scale = try a.range("scale")
        losses = a.doubles["losses"] ?? []
        validationRMSE = a.doubles["validation_rmse"] ?? []
    }
}
