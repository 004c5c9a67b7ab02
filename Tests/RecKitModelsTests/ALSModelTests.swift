import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// The `als` recommender: fold-in against a refit, explain sums to the score, similar items by
/// cosine, filters, save/load (and truncated or foreign files), precisions, ML-100k quality.
@Suite struct ALSModelTests {
    static func data(users: Int = 200, items: Int = 80, ratings: Int = 6000, seed: UInt64 = 5) throws -> RatingDataset {
        try SyntheticRatings(users: users, items: items, ratings: ratings, seed: seed).generate(threads: 1)
    }

    @Test func foldInMatchesARefitAndExplainSumsToTheScore() throws {
        let full = try Self.data()
        let u = (0..<full.userCount).max { full.ratings.count(ofRow: $0) < full.ratings.count(ofRow: $1) }!
        let without = full.filtered { user, _, _, _ in user != u }
        var refit = ALSRecommender { $0.factors = 16; $0.regularization = 0.1; $0.iterations = 10; $0.implicit = true; $0.alpha = 0.5 }
        var partial = refit
        try refit.fit(full, context: .current, progress: nil)
        try partial.fit(without, context: .current, progress: nil)
        let row = full.ratings.range(ofRow: u)
        let folded = try partial.foldIn(items: Array(full.ratings.columnIndices[row]), ratings: Array(full.ratings.values[row]))
        let a = Set(try partial.recommend(folded, count: 10).map(\.item)), b = Set(try refit.recommend(user: u, count: 10).map(\.item))
        #expect(a.intersection(b).count >= 7, "overlap \(a.intersection(b).count)/10")

        // explain: the contributions of all the user's items add up to the exact score, and with
        // an exact (Cholesky) fit that is the model's score.
        var exact = ALSRecommender { $0.factors = 8; $0.regularization = 0.1; $0.iterations = 6; $0.implicit = true; $0.alpha = 0.5; $0.solver = .cholesky }
        try exact.fit(full, context: .current, progress: nil)
        // The item side was solved last; fold the user in again so their factors are exact too.
        let user = 7, items = Array(full.ratings.columnIndices[full.ratings.range(ofRow: user)])
        let top = try exact.recommend(user: user, count: 1)[0].item
        let e = try exact.explain(user: user, item: top, count: items.count)
        #expect(e.contributions.count == items.count)
        let sum = e.base + e.contributions.reduce(0) { $0 + $1.contribution }
        #expect(abs(sum - e.score) <= 1e-9 * max(1, abs(e.score)))
        let refolded = try exact.foldIn(items: items, ratings: Array(full.ratings.values[full.ratings.range(ofRow: user)]))
        let modelScore = try exact.scores(for: refolded)[top]
        #expect(abs(Double(modelScore) - e.score) <= 1e-3 * max(1, abs(e.score)), "explained \(e.score) vs model \(modelScore)")
        #expect(zip(e.contributions, e.contributions.dropFirst()).allSatisfy { $0.contribution >= $1.contribution })
    }

    @Test func similarItemsAreRankedByCosine() throws {
        var model = ALSRecommender { $0.factors = 8; $0.iterations = 5; $0.implicit = true }
        try model.fit(try Self.data(), context: .current, progress: nil)
        let q = model.factorModel!.itemFactors
        let similar = try model.similarItems(to: 3, count: 5)
        #expect(similar.count == 5 && !similar.contains { $0.item == 3 })
        func cosine(_ a: Int, _ b: Int) -> Double {
            let x = q.row(a).map(Double.init), y = q.row(b).map(Double.init)
            return zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (TestSupport.norm(x) * TestSupport.norm(y))
        }
        let best = (0..<q.rows).filter { $0 != 3 }.max { cosine(3, $0) < cosine(3, $1) }!
        #expect(similar[0].item == best)
        for s in similar { #expect(abs(Double(s.score) - cosine(3, s.item)) <= 1e-5) }
        #expect(try model.similarUsers(to: 0, count: 3).count == 3)
        #expect(throws: ModelError.self) { try model.similarItems(to: q.rows, count: 3) }
    }

    @Test func filtersAndBatchRecommendations() throws {
        let train = try Self.data()
        var model = ALSRecommender { $0.factors = 8; $0.iterations = 5; $0.implicit = true }
        try model.fit(train, context: .current, progress: nil)
        let seen = Set(train.ratings.columnIndices[train.ratings.range(ofRow: 4)].map(Int.init))
        let plain = try model.recommend(user: 4, count: 10)
        #expect(plain.allSatisfy { !seen.contains($0.item) })
        let withSeen = try model.recommend(user: 4, count: 10, filter: RecommendationFilter(excludeTrainingItems: false))
        let denied = Set(plain.prefix(3).map { Int32($0.item) })
        #expect(try model.recommend(user: 4, count: 10, filter: RecommendationFilter(denied: denied)).allSatisfy { !denied.contains(Int32($0.item)) })
        let allowed: Set<Int32> = [1, 2, 3, 50]
        #expect(try model.recommend(user: 4, count: 10, filter: RecommendationFilter(excludeTrainingItems: false, allowed: allowed))
            .allSatisfy { allowed.contains(Int32($0.item)) })
        #expect(withSeen.count == 10)
        // many users at once = one at a time
        let batch = try model.recommend(users: 0..<20, count: 5)
        for u in [0, 9, 19] { #expect(batch[u].map(\.item) == (try model.recommend(user: u, count: 5)).map(\.item)) }
    }

    @Test func saveLoadRoundTripsAndRefusesBrokenFiles() throws {
        let train = try Self.data()
        var model = try ModelRegistry.spec(named: "als").makeModel(["factors": "6", "iterations": "3"])
        try model.fit(train, context: .current, progress: nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-als-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.rkm"
        try model.save(to: path)
        let loaded = try ModelRegistry.load(from: path)
        #expect(loaded is ALSRecommender)
        for (u, i) in [(0, 0), (5, 17), (150, 60)] { #expect(loaded.predict(user: u, item: i) == model.predict(user: u, item: i)) }
        #expect((loaded as! ALSRecommender).losses == (model as! ALSRecommender).losses)
        // truncated
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.rkm"))
        #expect(throws: (any Error).self) { try ModelRegistry.load(from: dir + "/cut.rkm") }
        // a file from another version of the model's parameters
        var future = try model.archive()
        future.modelVersion = 2
        try future.write(to: dir + "/future.rkm")
        #expect(performing: { try ModelRegistry.load(from: dir + "/future.rkm") }, throws: { "\($0)".contains("version 2") })
        // another model's file read as ALS
        var pop = try ModelRegistry.spec(named: "popularity").makeModel()
        try pop.fit(train, context: .current, progress: nil)
        try pop.save(to: dir + "/pop.rkm")
        #expect(throws: (any Error).self) { try ALSRecommender(archive: try ModelArchive.read(from: dir + "/pop.rkm")) }
    }

    @Test func explicitALSPredictsRatingsInBothPrecisionsAndBackEnds() throws {
        let train = try Self.data()
        var fits: [ALSRecommender] = []
        for (dtype, backend) in [(DType.float, Backend.blas), (.double, .blas), (.float, .swift)] {
            var m = ALSRecommender { $0.factors = 8; $0.regularization = 0.1; $0.iterations = 8; $0.precision = dtype }
            try m.fit(train, context: ExecutionContext(backend: backend, threads: 2), progress: nil)
            #expect(m.ratingPredictor)
            fits.append(m)
        }
        // Training RMSE well below the spread of the ratings, and all three fits agree.
        let r = train.ratings
        var se = 0.0, variance = 0.0
        let mean = r.values.reduce(0, +) / Float(r.nonZeroCount)
        for u in 0..<r.rows {
            for p in r.range(ofRow: u) {
                let e = Double(fits[0].predict(user: u, item: Int(r.columnIndices[p])) - r.values[p])
                se += e * e
                variance += Double((r.values[p] - mean) * (r.values[p] - mean))
            }
        }
        #expect(se < 0.8 * variance)
        for m in fits.dropFirst() {
            for (u, i) in [(0, 1), (30, 40), (199, 79)] { #expect(abs(m.predict(user: u, item: i) - fits[0].predict(user: u, item: i)) <= 1e-3) }
        }
        var implicitModel = ALSRecommender { $0.factors = 4; $0.iterations = 2; $0.implicit = true }
        try implicitModel.fit(train, context: .current, progress: nil)
        #expect(!implicitModel.ratingPredictor)
        #expect(throws: EvaluationError.cannotPredictRatings(model: "als")) {
            try Evaluator.rating(model: implicitModel, test: AlignedTest(sameIndexSpace: train))
        }
    }

    @Test func badInputGetsClearErrors() throws {
        let train = try Self.data(users: 30, items: 20, ratings: 200)
        var model = ALSRecommender { $0.factors = 4; $0.regularization = 0; $0.iterations = 1; $0.biases = false }
        // λ = 0 and users with fewer ratings than factors: a singular system, named with its id.
        #expect(performing: { try model.fit(train, context: .current, progress: nil) }, throws: { error in
            // The structured error names the user or item by its training id, and the message says what to change.
            guard case let ModelError.fitFailed(model, cause, user, item) = error, let (side, index) = cause.factorIndex else { return false }
            let id = side == .user ? train.userIDs.externalID(index) : train.itemIDs.externalID(index)
            return model == "als" && (side == .user ? user : item) == id && "\(error)".contains("'\(id)' (index \(index))")
                && "\(error)".contains("raise the regularization")
        })
        #expect(throws: ModelError.notFitted(model: "als")) { try ALSRecommender().foldIn(items: [1], ratings: [1]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "als").makeModel(["solver": "3"]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "als").makeModel(["alpha": "0"]) }
        model = ALSRecommender { $0.factors = 4; $0.regularization = 0.1; $0.iterations = 1; $0.biases = false }
        try model.fit(train, context: .current, progress: nil)
        #expect(throws: ModelError.self) { try model.explain(user: 0, item: 20) }
        #expect(performing: { try model.foldIn(items: [3], ratings: [.nan]) }, throws: { "\($0)".contains("nan") })
    }

    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func implicitALSBeatsPopularityOnML100k() throws {
        let dir = MovieLensData.directory!
        var experiment = Experiment()
        experiment.protocolKind = .topn
        let data = EvaluationData.files([("\(dir)/ua.base", "\(dir)/ua.test")])
        let als = try experiment.run(try ModelRegistry.spec(named: "als"), configuration: ["implicit": 1], data: data)
        let pop = try experiment.run(try ModelRegistry.spec(named: "popularity"), configuration: [:], data: data)
        #expect(als.mean["ndcg"]! > pop.mean["ndcg"]! + 0.05, "als \(als.mean["ndcg"]!) vs popularity \(pop.mean["ndcg"]!)")
    }
}
