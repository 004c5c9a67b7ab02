import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// A hyperparameter a model takes: its flag name, default and meaning.
public struct Hyperparameter: Sendable {
    public var name: String
    public var defaultValue: Double
    public var help: String
    public var range: ClosedRange<Double>
}

/// A model RecKit can build by name.
public struct ModelSpec: Sendable {
    public var name: String
    public var summary: String
    public var predictsRatings: Bool
    public var hyperparameters: [Hyperparameter]
    let make: @Sendable ([String: Double]) throws -> any Recommender
    let restore: @Sendable (ModelArchive) throws -> any Recommender

    /// A fresh model with `values` overriding the defaults.
    /// - Throws: ``ModelError/invalidHyperparameter(_:)`` for a name the model does not take or a value out of range.
    public func makeModel(_ values: [String: Double] = [:]) throws -> any Recommender {
        var resolved: [String: Double] = [:]
        for h in hyperparameters { resolved[h.name] = h.defaultValue }
        for (k, v) in values {
            guard let h = hyperparameters.first(where: { $0.name == k }) else {
                let known = hyperparameters.map { "--\($0.name)" }.joined(separator: ", ")
                throw ModelError.invalidHyperparameter("model '\(name)' does not take --\(k)" + (known.isEmpty ? "" : "; it takes \(known)"))
            }
            guard h.range.contains(v), v.isFinite else {
                throw ModelError.invalidHyperparameter("--\(k) \(v) is outside \(h.range.lowerBound)…\(h.range.upperBound) for model '\(name)'")
            }
            resolved[k] = v
        }
        return try make(resolved)
    }
}

/// Every model by its stable kebab-case name.
public enum ModelRegistry {
    public static let all: [ModelSpec] = [
        ModelSpec(name: GlobalMean.name, summary: "the mean training rating", predictsRatings: true, hyperparameters: [],
                  make: { _ in GlobalMean() }, restore: { try GlobalMean(archive: $0) }),
        // Defaults chosen on validation splits of ML-100k's u1…u5.base (docs/results.md has the command).
        ModelSpec(name: BiasBaseline.name, summary: "Koren's baseline predictor μ + b_u + b_i, fitted by ALS", predictsRatings: true,
                  hyperparameters: [
                    Hyperparameter(name: "epochs", defaultValue: 30, help: "alternating sweeps", range: 1...10_000),
                    Hyperparameter(name: "regularization-user", defaultValue: 5, help: "λ for user biases", range: 0...1e6),
                    Hyperparameter(name: "regularization-item", defaultValue: 2, help: "λ for item biases", range: 0...1e6),
                  ],
                  make: { BiasBaseline(epochs: Int($0["epochs"]!), regularizationUser: Float($0["regularization-user"]!),
                                       regularizationItem: Float($0["regularization-item"]!)) },
                  restore: { try BiasBaseline(archive: $0) }),
        // Rank chosen on validation splits of ML-100k's ua/ub.base by NDCG@10 (docs/results.md).
        ModelSpec(name: PureSVD.name, summary: "PureSVD top-N: truncated SVD of the rating matrix (missing = 0), scores r_u·V·Vᵀ",
                  predictsRatings: false,
                  hyperparameters: [Hyperparameter(name: "factors", defaultValue: 20, help: "rank of the SVD", range: 1...100_000)],
                  make: { PureSVD(factors: Int($0["factors"]!)) }, restore: { try PureSVD(archive: $0) }),
        // Rank chosen on validation splits of ML-100k's u1…u5.base (docs/results.md has the command).
        ModelSpec(name: SVDResidual.name, summary: "baseline + truncated SVD of its residuals (missing = baseline)", predictsRatings: true,
                  hyperparameters: [
                    Hyperparameter(name: "factors", defaultValue: 8, help: "rank of the residual SVD", range: 1...100_000),
                    Hyperparameter(name: "epochs", defaultValue: 30, help: "baseline sweeps", range: 1...10_000),
                    Hyperparameter(name: "regularization-user", defaultValue: 5, help: "baseline λ for user biases", range: 0...1e6),
                    Hyperparameter(name: "regularization-item", defaultValue: 2, help: "baseline λ for item biases", range: 0...1e6),
                  ],
                  make: { SVDResidual(factors: Int($0["factors"]!),
                                      baseline: BiasBaseline(epochs: Int($0["epochs"]!), regularizationUser: Float($0["regularization-user"]!),
                                                             regularizationItem: Float($0["regularization-item"]!))) },
                  restore: { try SVDResidual(archive: $0) }),
        // α chosen by NDCG@10 on validation splits of ML-100k's ua/ub.base with the other settings
        // of docs/als.md (0.1…4 tried); the rest follow implicit's defaults for comparison.
        ModelSpec(name: ALSRecommender.name,
                  summary: "alternating least squares: explicit ratings (weighted λ, biases) or implicit feedback (confidence 1 + α·r)",
                  predictsRatings: true,
                  hyperparameters: [
                    Hyperparameter(name: "factors", defaultValue: 64, help: "latent factors", range: 1...100_000),
                    Hyperparameter(name: "regularization", defaultValue: 0.05, help: "λ (weighted by counts for explicit ratings)", range: 0...1e9),
                    Hyperparameter(name: "iterations", defaultValue: 15, help: "alternating sweeps", range: 1...100_000),
                    Hyperparameter(name: "implicit", defaultValue: 0, help: "1: implicit feedback", range: 0...1),
                    Hyperparameter(name: "alpha", defaultValue: 0.25, help: "implicit confidence slope, c = 1 + α·r", range: 1e-12...1e12),
                    Hyperparameter(name: "solver", defaultValue: 0, help: "0 automatic (cg for implicit), 1 cholesky, 2 cg", range: 0...2),
                    Hyperparameter(name: "cg-steps", defaultValue: 3, help: "conjugate-gradient steps per sweep", range: 1...10_000),
                    Hyperparameter(name: "biases", defaultValue: 1, help: "explicit: 1 fits μ + b_u + b_i too", range: 0...1),
                    Hyperparameter(name: "double", defaultValue: 0, help: "1: fit in Double (else Float)", range: 0...1),
                    Hyperparameter(name: "seed", defaultValue: 0, help: "random initial factors", range: 0...1e15),
                  ],
                  make: { h in
                      ALSRecommender(factors: Int(h["factors"]!), regularization: h["regularization"]!, iterations: Int(h["iterations"]!),
                                     implicit: h["implicit"] == 1, alpha: h["alpha"]!,
                                     solver: try ALSRecommender.solver(code: h["solver"]!.rounded(), cgSteps: Int(h["cg-steps"]!)),
                                     biases: h["biases"] == 1, dtype: h["double"] == 1 ? .double : .float, seed: UInt64(h["seed"]!))
                  },
                  restore: { try ALSRecommender(archive: $0) }),
        // Chosen on validation splits of ML-100k's u1…u5.base (docs/results.md has the search); Surprise's SVD
        // defaults are --factors 100 --epochs 20 --regularization 0.02 --init-std 0.1.
        ModelSpec(name: BiasedMF.name, summary: "biased matrix factorisation μ + b_u + b_i + p_u·q_i by parallel SGD", predictsRatings: true,
                  hyperparameters: SGDModels.hyperparameters(factors: 300, epochs: 80, learningRate: 0.005, decay: 1, regularization: 0.1,
                                                             biasRegularization: 0.02, deviation: 0.05),
                  make: { BiasedMF(options: SGDModels.options($0)) }, restore: { try BiasedMF(archive: $0) }),
        // Chosen on validation splits of ML-100k's u1…u5.base (docs/results.md has the searches); Surprise's SVDpp
        // defaults are --factors 20 --epochs 20 --learning-rate 0.007 and 0.02 for every λ, --init-std 0.1.
        ModelSpec(name: SVDPlusPlusRecommender.name, summary: "SVD++: biased MF plus implicit factors of the items each user rated, by SGD",
                  predictsRatings: true,
                  hyperparameters: SGDModels.hyperparameters(factors: 200, epochs: 80, learningRate: 0.005, decay: 1, regularization: 0.1,
                                                             biasRegularization: 0.02, deviation: 0.05)
                    + [Hyperparameter(name: "regularization-implicit", defaultValue: 0.01, help: "λ of the implicit factors y", range: 0...1e6)],
                  make: { SVDPlusPlusRecommender(options: SGDModels.options($0)) }, restore: { try SVDPlusPlusRecommender(archive: $0) }),
        ModelSpec(name: BPRRecommender.name, summary: "Bayesian personalised ranking on implicit feedback, by parallel SGD", predictsRatings: false,
                  hyperparameters: SGDModels.hyperparameters(factors: 64, epochs: 100, learningRate: 0.01, decay: 1, regularization: 0.01,
                                                             biasRegularization: 0.01, deviation: 0.1)
                    + [Hyperparameter(name: "minimum-rating", defaultValue: 0, help: "positives: ratings ≥ this", range: -1e9...1e9)],
                  make: { BPRRecommender(options: SGDModels.options($0), minimumRating: Float($0["minimum-rating"]!)) },
                  restore: { try BPRRecommender(archive: $0) }),
        ModelSpec(name: EASERecommender.name, summary: "EASE: closed-form item–item autoencoder, B from (XᵀX + λI)⁻¹", predictsRatings: false,
                  hyperparameters: [
                    Hyperparameter(name: "regularization", defaultValue: 500, help: "λ on the item weights", range: 1e-9...1e12),
                    Hyperparameter(name: "binary", defaultValue: 1, help: "1: interactions as 1s; 0: rating values", range: 0...1),
                    Hyperparameter(name: "double", defaultValue: 1, help: "1: Gram matrix and inverse in Double", range: 0...1),
                  ],
                  make: { EASERecommender(regularization: $0["regularization"]!, binary: $0["binary"] == 1, dtype: $0["double"] == 1 ? .double : .float) },
                  restore: { try EASERecommender(archive: $0) }),
        ModelSpec(name: ItemKNN.name, summary: "item-based k-nearest neighbours (KNNBaseline form), similarities by sparse Gram product",
                  predictsRatings: true,
                  hyperparameters: [
                    Hyperparameter(name: "k", defaultValue: 40, help: "neighbours per prediction / per item for top-N", range: 1...1e9),
                    Hyperparameter(name: "similarity", defaultValue: 3, help: "0 cosine, 1 adjusted cosine, 2 pearson, 3 pearson-baseline (co-rated); 4 whole-column cosine", range: 0...4),
                    Hyperparameter(name: "shrinkage", defaultValue: 100, help: "shrink s by (n−1)/(n−1+shrinkage)", range: 0...1e9),
                    Hyperparameter(name: "min-support", defaultValue: 1, help: "least co-ratings for a similarity", range: 1...1e9),
                    Hyperparameter(name: "baseline", defaultValue: 1, help: "1: predict around μ + b_u + b_i", range: 0...1),
                    Hyperparameter(name: "binary", defaultValue: 0, help: "1: compare interactions (1s) instead of ratings", range: 0...1),
                    Hyperparameter(name: "epochs", defaultValue: 30, help: "baseline sweeps", range: 1...10_000),
                    Hyperparameter(name: "regularization-user", defaultValue: 5, help: "baseline λ for user biases", range: 0...1e6),
                    Hyperparameter(name: "regularization-item", defaultValue: 2, help: "baseline λ for item biases", range: 0...1e6),
                  ],
                  make: { h in
                      ItemKNN(k: Int(h["k"]!), similarity: ItemKNN.Similarity(rawValue: Int(h["similarity"]!)) ?? .pearsonBaseline,
                              shrinkage: h["shrinkage"]!, minimumSupport: Int(h["min-support"]!), useBaseline: h["baseline"] == 1, binary: h["binary"] == 1,
                              baseline: BiasBaseline(epochs: Int(h["epochs"]!), regularizationUser: Float(h["regularization-user"]!),
                                                     regularizationItem: Float(h["regularization-item"]!)))
                  },
                  restore: { try ItemKNN(archive: $0) }),
        NCFRecommender.spec(.gmf, summary: "neural CF: generalised matrix factorisation (implicit feedback, BCE with sampled negatives)"),
        NCFRecommender.spec(.mlp, summary: "neural CF: an MLP over user and item embeddings (implicit feedback)"),
        NCFRecommender.spec(.neumf, summary: "NeuMF: GMF and MLP fused into one output (He et al. 2017)"),
        TwoTowerRecommender.spec,
        SequenceRecommender.spec(.gru, summary: "GRU4Rec: a GRU over each user's time-ordered history predicts the next item (Hidasi et al. 2016)"),
        SequenceRecommender.spec(.selfAttention, summary: "SASRec: causal self-attention over each user's time-ordered history (Kang & McAuley 2018)"),
        ModelSpec(name: AutoRecRecommender.name, summary: "I-AutoRec: an autoencoder over each item's ratings (Sedhain et al. 2015)", predictsRatings: true,
                  hyperparameters: [
                    Hyperparameter(name: "hidden", defaultValue: 500, help: "hidden units", range: 1...100_000),
                    // λ, epochs and step size by validation RMSE on u1.base (docs/neural.md has the searches)
                    Hyperparameter(name: "regularization", defaultValue: 200, help: "λ of the L2 penalty on the weights", range: 0...1e9),
                    Hyperparameter(name: "epochs", defaultValue: 100, help: "passes over the items", range: 1...100_000),
                    Hyperparameter(name: "batch-size", defaultValue: 64, help: "items per mini-batch", range: 1...1e7),
                    Hyperparameter(name: "learning-rate", defaultValue: 0.0003, help: "Adam's step size", range: 1e-9...10),
                    Hyperparameter(name: "seed", defaultValue: 0, help: "initial weights and batch order", range: 0...1e15),
                  ],
                  make: { h in AutoRecRecommender(options: AutoRecOptions(hidden: Int(h["hidden"]!), regularization: h["regularization"]!,
                                                                        epochs: Int(h["epochs"]!), batchSize: Int(h["batch-size"]!),
                                                                        learningRate: h["learning-rate"]!, seed: UInt64(h["seed"]!))) },
                  restore: { try AutoRecRecommender(archive: $0) }),
        ModelSpec(name: Popularity.name, summary: "items ranked by training interactions", predictsRatings: false,
                  hyperparameters: [Hyperparameter(name: "minimum-rating", defaultValue: 0, help: "count only ratings ≥ this", range: -1e9...1e9)],
                  make: { Popularity(minimumRating: Float($0["minimum-rating"]!)) }, restore: { try Popularity(archive: $0) }),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func spec(named name: String) throws -> ModelSpec {
        guard let s = all.first(where: { $0.name == name }) else {
            throw ModelError.unknownModel("unknown model '\(name)'; available: \(names.joined(separator: ", "))")
        }
        return s
    }

    /// Loads any saved model, dispatching on the name stored in the file.
    public static func load(from path: String) throws -> any Recommender {
        let a = try ModelArchive.read(from: path)
        return try spec(named: a.model).restore(a)
    }
}
