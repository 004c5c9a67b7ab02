import RecKitEvaluation
import RecKitModels
import RecKitTestSupport

extension MovieLensData {
    /// `metric` (e.g. `rmse`, `ndcg`) of `model` trained on `split`.base and tested on `split`.test.
    static func result(_ metric: String, model: String, configuration: [String: FieldValue] = [:], protocolKind: EvaluationProtocol = .rating,
                       split: String) throws -> Double {
        var experiment = Experiment()
        experiment.protocolKind = protocolKind
        let data = EvaluationData.files([("\(directory!)/\(split).base", "\(directory!)/\(split).test")])
        return try experiment.run(try ModelRegistry.spec(named: model), configuration: configuration, data: data).mean[metric]!
    }
}
