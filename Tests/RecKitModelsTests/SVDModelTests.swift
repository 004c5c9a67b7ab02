import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// PureSVD and the residual-SVD rating predictor: their scores are the algebra they claim, fold-in
/// reproduces a training user, save/load round-trips, both back ends agree, bad input is refused.
@Suite struct SVDModelTests {
    static func data(users: Int = 120, items: Int = 70, ratings: Int = 2500, seed: UInt64 = 3) throws -> RatingDataset {
        try SyntheticRatings(users: users, items: items, ratings: ratings, seed: seed).generate(threads: 1)
    }

    @Test(arguments: Backend.allCases)
    func pureSVDScoresAreTheProjectionOnTopItemDirections(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let train = try Self.data()
        var model = PureSVD { $0.factors = 6 }
        try model.fit(train, context: ctx, progress: nil)
        #expect(model.report!.converged)
        // r_u·V·Vᵀ with V from a dense Double SVD of R.
        let dense = train.ratings.converted(to: Double.self).dense()
        let v = try LinearAlgebra.svd(dense).vt.rows(0..<6).materialized() // 6 × items
        let rv = TestSupport.referenceProduct(dense, v, transposeB: true)  // users × 6
        let scores = try model.scoreBlock(users: 0..<train.userCount, context: ctx)
        var worst = 0.0, top = 0.0
        for u in 0..<train.userCount {
            for i in 0..<train.itemCount {
                var s = 0.0
                for t in 0..<6 { s += rv[u][t] * v[t, i] }
                worst = max(worst, abs(s - Double(scores[u, i])))
                top = max(top, abs(s))
            }
        }
        #expect(worst <= 1e-4 * top, "max |score − r_u·V·Vᵀ| = \(worst) (largest score \(top))")
    }

    @Test func foldInReproducesATrainingUserAndSaveLoadRoundTrips() throws {
        let train = try Self.data()
        var pure = PureSVD { $0.factors = 8 }
        var residual = SVDResidual { $0.factors = 5 }
        try pure.fit(train, context: .current, progress: nil)
        try residual.fit(train, context: .current, progress: nil)
        for u in [0, 17, 63] {
            let row = train.ratings.range(ofRow: u)
            let items = Array(train.ratings.columnIndices[row]), ratings = Array(train.ratings.values[row])
            let folded = try pure.foldIn(items: items.reversed(), ratings: ratings.reversed()) // order must not matter
            let f = pure.factorModel!.userFactors
            for t in 0..<8 { #expect(abs(folded.factors[t] - f[u, t]) <= 1e-3 * (abs(f[u, t]) + 1), "pure-svd user \(u) factor \(t)") }
            #expect(try pure.recommend(folded, count: 10).map(\.item) == (try pure.recommend(user: u, count: 10)).map(\.item))
            // The residual model: the baseline's user step reproduces b_u, the projection P_u.
            let r = try residual.foldIn(items: items, ratings: ratings)
            #expect(abs(r.bias - residual.factorModel!.userBias[u]) <= 1e-4)
            for i in [0, 5, 33] { #expect(abs(try residual.predict(r, item: i) - residual.predict(user: u, item: i)) <= 1e-3) }
        }
        for model in [pure as any Recommender, residual] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-svd-\(getpid())-\(type(of: model).name)").path
            try model.save(to: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let back = try ModelRegistry.load(from: path)
            #expect(type(of: back).name == type(of: model).name)
            for (u, i) in [(0, 0), (5, 9), (100, 60)] { #expect(back.predict(user: u, item: i) == model.predict(user: u, item: i)) }
        }
    }

    /// Residual SVD of full rank reconstructs the residuals, so the training ratings come back
    /// (within the training scale, where clipping is the identity); training error falls with rank.
    @Test(arguments: Backend.allCases)
    func residualSVDReconstructsTrainingRatingsAtFullRank(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let train = try Self.data(users: 60, items: 30, ratings: 900)
        var previous = Double.infinity
        for k in [1, 5, 15, 30] {
            var model = SVDResidual { $0.factors = k }
            try model.fit(train, context: ctx, progress: nil)
            var sse = 0.0
            for u in 0..<train.userCount {
                for p in train.ratings.range(ofRow: u) {
                    let e = Double(model.predict(user: u, item: Int(train.ratings.columnIndices[p]))) - Double(train.ratings.values[p])
                    sse += e * e
                }
            }
            let rmse = (sse / Double(train.ratingCount)).squareRoot()
            #expect(rmse <= previous + 1e-6, "k = \(k): training RMSE \(rmse) after \(previous)")
            previous = rmse
            if k == 30 { #expect(rmse <= 1e-4, "full rank reproduces the training ratings: RMSE \(rmse)") }
        }
    }

    @Test func backendsAgree() throws {
        let train = try Self.data()
        var a = SVDResidual { $0.factors = 6 }, b = SVDResidual { $0.factors = 6 }
        try a.fit(train, context: ExecutionContext(backend: .blas, threads: 2), progress: nil)
        try b.fit(train, context: ExecutionContext(backend: .swift, threads: 1), progress: nil)
        for (u, i) in [(0, 0), (3, 7), (90, 41), (119, 69)] { #expect(abs(a.predict(user: u, item: i) - b.predict(user: u, item: i)) <= 1e-4) }
    }

    /// A user removed from the training data and folded in afterwards gets nearly the list a refit
    /// with their ratings gives.
    @Test func foldedInNewUserMatchesARefit() throws {
        let full = try Self.data(users: 300, items: 80, ratings: 9000, seed: 11)
        let u = (0..<full.userCount).max { full.ratings.count(ofRow: $0) < full.ratings.count(ofRow: $1) }!
        let without = full.filtered { user, _, _, _ in user != u }
        var refit = PureSVD { $0.factors = 10 }, partial = PureSVD { $0.factors = 10 }
        try refit.fit(full, context: .current, progress: nil)
        try partial.fit(without, context: .current, progress: nil)
        let row = full.ratings.range(ofRow: u)
        let folded = try partial.foldIn(items: Array(full.ratings.columnIndices[row]), ratings: Array(full.ratings.values[row]))
        let a = Set(try partial.recommend(folded, count: 10).map(\.item)), b = Set(try refit.recommend(user: u, count: 10).map(\.item))
        #expect(a.intersection(b).count >= 7, "overlap \(a.intersection(b).count)/10")
    }

    @Test func badInputGetsClearErrors() throws {
        let train = try Self.data(users: 30, items: 12, ratings: 150)
        var model = PureSVD { $0.factors = 13 }
        #expect(performing: { try model.fit(train, context: .current, progress: nil) }, throws: { "\($0)".contains("1…12") })
        model = PureSVD { $0.factors = 0 }
        #expect(throws: ModelError.self) { try model.fit(train, context: .current, progress: nil) }
        #expect(throws: ModelError.notFitted(model: "pure-svd")) { try PureSVD().foldIn(items: [1], ratings: [4]) }
        model = PureSVD { $0.factors = 3 }
        try model.fit(train, context: .current, progress: nil)
        #expect(throws: ModelError.unknownItem(model: "pure-svd", item: "index 12 (the training data has 12 items)")) { try model.foldIn(items: [12], ratings: [4]) }
        #expect(performing: { try model.foldIn(items: [2, 2], ratings: [4, 5]) }, throws: { "\($0)".contains("twice") })
        #expect(performing: { try model.foldIn(items: [2], ratings: [.nan]) }, throws: { "\($0)".contains("nan") })
        #expect(throws: ModelError.self) { try model.foldIn(items: [2, 3], ratings: [4]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "svd-residual").makeModel(["factors": "0"]) }
    }

    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func residualSVDBeatsTheBaselineOnML100k() throws {
        let dir = MovieLensData.directory!
        let data = EvaluationData.files([("\(dir)/u1.base", "\(dir)/u1.test")])
        let svd = try Experiment().run(try ModelRegistry.spec(named: "svd-residual"), configuration: [:], data: data)
        let base = try Experiment().run(try ModelRegistry.spec(named: "baseline"), configuration: [:], data: data)
        #expect(svd.mean["rmse"]! < base.mean["rmse"]! - 0.005, "svd-residual \(svd.mean["rmse"]!) vs baseline \(base.mean["rmse"]!)")
    }
}
