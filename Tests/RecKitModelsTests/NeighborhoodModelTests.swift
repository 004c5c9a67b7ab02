import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// `item-knn` and `ease`: predictions against their formulas, both back ends, save/load, ML-100k.
@Suite struct NeighborhoodModelTests {
    static func data() throws -> RatingDataset {
        try SyntheticRatings(users: 150, items: 60, ratings: 3000, seed: 21).generate(threads: 1)
    }

    @Test func itemKNNPredictsByItsFormula() throws {
        let train = try Self.data()
        var model = ItemKNN { $0.neighbors = 5; $0.similarity = .pearsonBaseline; $0.shrinkage = 10 }
        try model.fit(train, context: .current, progress: nil)
        let nb = model.neighbors!, r = train.ratings
        let b = model.baseline
        func base(_ u: Int, _ i: Int) -> Float { b.mean + b.userBias[u] + b.itemBias[i] }
        var checked = 0
        for u in 0..<20 {
            for i in 0..<train.itemCount {
                // the k most similar items to i that u rated, positive similarities only
                let rated = Dictionary(uniqueKeysWithValues: r.range(ofRow: u).map { (Int(r.columnIndices[$0]), r.values[$0]) })
                let chosen = nb.range(of: i).filter { nb.similarities[$0] > 0 && rated[Int(nb.items[$0])] != nil }.prefix(5)
                var num: Float = 0, den: Float = 0
                for p in chosen { let j = Int(nb.items[p]); num += nb.similarities[p] * (rated[j]! - base(u, j)); den += nb.similarities[p] }
                let expected = min(5, max(1, den > 0 ? base(u, i) + num / den : base(u, i)))
                #expect(abs(model.predict(user: u, item: i) - expected) <= 1e-4)
                checked += 1
            }
        }
        #expect(checked == 20 * train.itemCount)
        // Unknown users and items fall back to the baseline.
        #expect(model.predict(user: 10_000, item: 3) == min(5, max(1, b.mean + b.itemBias[3])))
    }

    @Test func easeScoresAreTheRowTimesTheWeightsOnBothBackEnds() throws {
        let train = try Self.data()
        var blocks: [Matrix<Float>] = []
        for backend in Backend.allCases {
            var model = EASERecommender { $0.regularization = 20 }
            let context = ExecutionContext(backend: backend, threads: 2)
            try model.fit(train, context: context, progress: nil)
            let block = try model.scoreBlock(users: 10..<30, context: context)
            let b = model.weights!, r = train.ratings
            for (row, u) in (10..<30).enumerated() {
                for i in 0..<train.itemCount {
                    let expected = r.range(ofRow: u).reduce(Float(0)) { $0 + b[Int(r.columnIndices[$1]), i] }
                    #expect(abs(block[row, i] - expected) <= 1e-4)
                }
            }
            #expect(try model.scores(forItems: Array(r.columnIndices[r.range(ofRow: 12)])) == block.row(2))
            blocks.append(block)
        }
        let diff = zip(blocks[0].storage, blocks[1].storage).map { abs($0 - $1) }.max()!
        #expect(diff <= 1e-4, "back ends differ by \(diff)")
    }

    @Test(arguments: ["item-knn", "ease"])
    func saveAndLoadGiveTheSameModel(name: String) throws {
        var model = try ModelRegistry.spec(named: name).makeModel()
        try model.fit(try Self.data(), context: .current, progress: nil)
        try RoundTrip.expectSameModel(model, name: name, pairs: [(0, 0), (3, 17), (149, 59)])
    }

    @Test func badSettingsAreRefused() throws {
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "ease").makeModel(["regularization": "0"]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "item-knn").makeModel(["similarity": "5"]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "item-knn").makeModel(["neighbors": "0"]) }
    }

    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func ml100kQuality() throws {
        let baseline = try MovieLensData.result("rmse", model: "baseline", split: "u1")
        let knn = try MovieLensData.result("rmse", model: "item-knn", split: "u1")
        #expect(knn < baseline - 0.01, "item-knn \(knn) vs baseline \(baseline) on u1")
        let ease = try MovieLensData.result("ndcg", model: "ease", protocolKind: .topn, split: "ua")
        let als = try MovieLensData.result("ndcg", model: "als", configuration: ["implicit": 1], protocolKind: .topn, split: "ua")
        #expect(ease >= als, "ease \(ease) vs als \(als)")
    }
}
