/// Every model by its stable kebab-case name. Adding a model type here is all it needs to be
/// reachable from the command line (`reckit train NAME`, `--set`, `--help`), the hyperparameter
/// search, experiment files, saved models and the conformance suite.
public enum ModelRegistry {
    public static let all: [ModelSpec] = [
        ModelSpec(GlobalMean.self),
        ModelSpec(BiasBaseline.self),
        ModelSpec(PureSVD.self),
        ModelSpec(SVDResidual.self),
        ModelSpec(ALSRecommender.self),
        ModelSpec(BiasedMF.self),
        ModelSpec(SVDPlusPlusRecommender.self),
        ModelSpec(BPMFRecommender.self),
        ModelSpec(BPRRecommender.self),
        ModelSpec(EASERecommender.self),
        ModelSpec(ItemKNN.self),
        ModelSpec(GMFRecommender.self),
        ModelSpec(MLPRecommender.self),
        ModelSpec(NeuMFRecommender.self),
        ModelSpec(TwoTowerRecommender.self),
        ModelSpec(GRU4RecRecommender.self),
        ModelSpec(SASRecRecommender.self),
        ModelSpec(AutoRecRecommender.self),
        ModelSpec(Popularity.self),
    ]

    public static var names: [String] { all.map(\.name) }

    /// - Throws: ``ModelError/unknownModel(name:available:)``.
    public static func spec(named name: String) throws -> ModelSpec {
        guard let s = all.first(where: { $0.name == name }) else { throw ModelError.unknownModel(name: name, available: names) }
        return s
    }

    /// Loads any saved model, dispatching on the name stored in the file.
    public static func load(from path: String) throws -> any Recommender {
        let a = try ModelArchive.read(from: path)
        return try spec(named: a.model).restore(a)
    }
}
