import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// The SGD recommenders (`biased-mf`, `svd++`, `bpr`): fold-in against a refit, save/load, the
/// diverging-learning-rate error, ML-100k quality.
@Suite struct SGDModelTests {
    static func data(seed: UInt64 = 5) throws -> RatingDataset {
        try SyntheticRatings(users: 300, items: 100, ratings: 12_000, seed: seed).generate(threads: 1)
    }

    @Test(arguments: ["biased-mf", "svd++"])
    func foldInMatchesARefit(name: String) throws {
        // A user left out of the fit and folded in afterwards gets nearly the top-10 the same user
        // gets from a fit that included them (same seed and settings).
        let full = try Self.data()
        let spec = try ModelRegistry.spec(named: name)
        let settings: KeyValuePairs<String, String> = ["factors": "16", "epochs": "30", "learning-rate": "0.01", "regularization": "0.05"]
        var refit = try spec.makeModel(settings), partial = try spec.makeModel(settings)
        try refit.fit(full, context: ExecutionContext(threads: 1), progress: nil)
        var overlaps: [Int] = []
        for u in stride(from: 0, to: 60, by: 6) {
            let without = full.filtered { user, _, _, _ in user != u }
            try partial.fit(without, context: ExecutionContext(threads: 1), progress: nil)
            let row = full.ratings.range(ofRow: u)
            let folding = partial as! any FoldingIn
            let folded = try folding.foldIn(items: Array(full.ratings.columnIndices[row]), ratings: Array(full.ratings.values[row]))
            let a = Set(try folding.recommend(folded, count: 10).map(\.item)), b = Set(try refit.recommend(user: u, count: 10).map(\.item))
            overlaps.append(a.intersection(b).count)
        }
        let mean = Double(overlaps.reduce(0, +)) / Double(overlaps.count)
        #expect(mean >= 7, "\(name): overlaps \(overlaps)")
    }

    /// Biased MF learns online as it trains: a few SGD passes from the user's current factors.
    /// They lower the user's regularised loss on the history with the new rating (every user
    /// tried; the new item's prediction itself may move either way, pulled by the other ratings);
    /// a user seen for the first time is folded in.
    @Test func onlineSGDStepsLowerTheUsersLoss() throws {
        let data = try Self.data()
        var model = try ModelRegistry.spec(named: "biased-mf").makeModel(
            ["factors": "8", "epochs": "20", "learning-rate": "0.01", "regularization": "0.05", "regularization-bias": "0.02"])
        try model.fit(data, context: ExecutionContext(threads: 1), progress: nil)
        let folding = model as! any FoldingIn
        let f = try #require(folding.factorModel)
        let k = f.itemFactors.columns
        var lower = 0, tried = 0, report: [String] = []
        for u in stride(from: 0, to: 300, by: 30) {
            let row = data.ratings.range(ofRow: u)
            var items = Array(data.ratings.columnIndices[row]), ratings = Array(data.ratings.values[row])
            let previous = FoldedInUser(factors: Array(f.userFactors.storage[u * k..<(u + 1) * k]), bias: f.userBias[u], items: items)
            let fresh = try #require((0..<Int32(data.itemCount)).first { !items.contains($0) })
            items.append(fresh); ratings.append(5)
            func predict(_ user: FoldedInUser, _ i: Int32) -> Float {
                var dot: Float = 0
                for t in 0..<k { dot += user.factors[t] * f.itemFactors.storage[Int(i) * k + t] }
                return f.globalBias + user.bias + f.itemBias[Int(i)] + dot
            }
            func loss(_ user: FoldedInUser) -> Double {
                var l = 0.0
                for (i, r) in zip(items, ratings) { let e = Double(r - predict(user, i)); l += e * e }
                return l + 0.05 * user.factors.reduce(0) { $0 + Double($1 * $1) } * Double(items.count) + 0.02 * Double(user.bias * user.bias) * Double(items.count)
            }
            let updated = try folding.onlineUpdate(previous, items: items, ratings: ratings)
            tried += 1
            if loss(updated) < loss(previous) { lower += 1 }
            report.append("user \(u) (\(items.count) ratings): loss \(loss(previous)) → \(loss(updated)), new item \(predict(previous, fresh)) → \(predict(updated, fresh))")
        }
        #expect(lower == tried, "\(report.joined(separator: "; "))")
        let first = try folding.onlineUpdate(nil, items: [0, 3], ratings: [4, 2])
        let folded = try folding.foldIn(items: [0, 3], ratings: [4, 2])
        #expect(first.factors == folded.factors && first.bias == folded.bias)
    }

    @Test(arguments: ["biased-mf", "svd++", "bpr"])
    func saveAndLoadGiveTheSameModel(name: String) throws {
        var model = try ModelRegistry.spec(named: name).makeModel(["factors": "9", "epochs": "5"])
        let data = try Self.data()
        try model.fit(data, context: .current, progress: nil)
        try RoundTrip.expectSameModel(model, name: name, pairs: [(0, 0), (3, 17), (299, 99)])
    }

    @Test(arguments: ["biased-mf", "svd++", "bpr"])
    func aDivergingLearningRateIsAModelErrorWithAHint(name: String) throws {
        var model = try ModelRegistry.spec(named: name).makeModel(["factors": "8", "epochs": "30", "learning-rate": "50"])
        #expect(performing: { try model.fit(try Self.data(), context: .current, progress: nil) }, throws: { error in
            guard case ModelError.fitFailed(_, .diverged, _, _) = error else { return false }
            return "\(error)".contains("learning rate") && "\(error)".contains("diverged")
        })
    }

    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func ml100kQuality() throws {
        let baseline = try MovieLensData.result("rmse", model: "baseline", split: "u1")
        let mf = try MovieLensData.result("rmse", model: "biased-mf", split: "u1")
        #expect(mf < baseline - 0.02, "biased-mf \(mf) vs baseline \(baseline) on u1")
        let bpr = try MovieLensData.result("ndcg", model: "bpr", protocolKind: .topn, split: "ua")
        let pop = try MovieLensData.result("ndcg", model: "popularity", protocolKind: .topn, split: "ua")
        #expect(bpr > pop + 0.05, "bpr \(bpr) vs popularity \(pop)")
    }
}
