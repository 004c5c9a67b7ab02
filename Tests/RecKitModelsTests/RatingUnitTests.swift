import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// The rating-scale rule (``RatingUnit``): a rating model fitted with its defaults to ratings on
/// another scale is the model fitted to 1–5 ratings, scaled — fit, fold-in, online update, and for
/// ALS the user step and explanations.
@Suite struct RatingUnitTests {
    /// The 1–5 synthetic ratings, and the same ratings × 3 (3–15, spread 12: unit 3).
    static func data() throws -> (RatingDataset, RatingDataset) {
        let original = try SyntheticRatings(users: 200, items: 80, ratings: 6_000, seed: 17).generate(threads: 1)
        var tripled = original
        tripled.ratings = original.ratings.mapValues { $0 * 3 }
        return (original, tripled)
    }

    static let settings: KeyValuePairs<String, String> = ["factors": "8", "epochs": "15", "learning-rate": "0.01"]

    @Test func theUnitIsTheSpreadOverFour() {
        #expect(RatingUnit(setting: 0, range: 1...5).factor == 1)
        #expect(RatingUnit(setting: 0, range: 0...100).factor == 25)
        #expect(RatingUnit(setting: 0, range: 0.5...5).factor == 1.125)
        #expect(RatingUnit(setting: 0, range: 3...3).factor == 1, "one rating value: the raw ratings")
        #expect(RatingUnit(setting: 2, range: 0...100).factor == 2, "a set unit is used as given")
        #expect(RatingUnit.raw.isIdentity)
    }

    /// Tolerance: Float SGD on ratings that differ from the 1–5 ones by at most one rounding
    /// (r·3/3), 15 epochs, one thread: predictions agree to 2e-3 on the 1–5 scale.
    @Test(arguments: ["biased-mf", "svd++"])
    func aModelOnAnotherScaleIsTheScaledModel(name: String) throws {
        let (original, tripled) = try Self.data()
        let spec = try ModelRegistry.spec(named: name)
        var a = try spec.makeModel(Self.settings), b = try spec.makeModel(Self.settings)
        try a.fit(original, context: ExecutionContext(threads: 1), progress: nil)
        try b.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        var worst: Float = 0
        for u in 0..<original.userCount { for i in stride(from: u % 7, to: original.itemCount, by: 7) {
            worst = max(worst, abs(b.predict(user: u, item: i) / 3 - a.predict(user: u, item: i)))
        } }
        #expect(worst <= 2e-3, "\(name): largest difference \(worst) on the 1–5 scale")

        // Without the rule the same settings fit a different model: the test can tell.
        var raw = try spec.makeModel(["factors": "8", "epochs": "15", "learning-rate": "0.01", "rating-unit": "1"])
        try raw.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        var rawWorst: Float = 0
        for u in 0..<original.userCount { rawWorst = max(rawWorst, abs(raw.predict(user: u, item: u % 80) / 3 - a.predict(user: u, item: u % 80))) }
        #expect(rawWorst > 0.05, "\(name): raw ratings fit the same model (\(rawWorst))")

        // Fold-in works in the fitted unit: the same user, scaled (factors × √3, bias × 3).
        let items: [Int32] = [1, 4, 9, 30, 55], ratings: [Float] = [5, 3, 4, 1, 2]
        let fa = try (a as! any FoldingIn).foldIn(items: items, ratings: ratings)
        let fb = try (b as! any FoldingIn).foldIn(items: items, ratings: ratings.map { $0 * 3 })
        #expect(abs(fb.bias / 3 - fa.bias) <= 1e-3, "\(name): fold-in bias \(fb.bias) vs 3 × \(fa.bias)")
        for (x, y) in zip(fb.factors, fa.factors) { #expect(abs(x / Float(3).squareRoot() - y) <= 1e-3, "\(name): fold-in factor \(x) vs √3 × \(y)") }
    }

    /// Explicit ALS (Cholesky, deterministic for a seed) fitted in the unit: on ratings × 3 it is the
    /// 1–5 model scaled. The ratings differ by at most one rounding (r·3/3) and the solves are Float,
    /// so predictions agree to 1e-3 on the 1–5 scale, factors and biases to 1e-3 of their size; fold-in,
    /// the exact user step and explanations (Double) scale the same way.
    @Test func explicitALSOnAnotherScaleIsTheScaledModel() throws {
        let (original, tripled) = try Self.data()
        func als(_ unit: Double = 0) -> ALSRecommender { ALSRecommender { $0.factors = 8; $0.iterations = 8; $0.ratingUnit = unit } }
        var a = als(), b = als()
        try a.fit(original, context: ExecutionContext(threads: 1), progress: nil)
        try b.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        #expect(a.ratingUnit.factor == 1 && b.ratingUnit.factor == 3)
        func worst(_ m: ALSRecommender) -> Float {
            var w: Float = 0
            for u in 0..<original.userCount { for i in stride(from: u % 7, to: original.itemCount, by: 7) {
                w = max(w, abs(m.predict(user: u, item: i) / 3 - a.predict(user: u, item: i)))
            } }
            return w
        }
        #expect(worst(b) <= 1e-3, "largest difference \(worst(b)) on the 1–5 scale")
        // Without the rule, λ weighs three times less against the tripled ratings: another model.
        var raw = als(1)
        try raw.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        #expect(worst(raw) > 0.02, "the raw ratings fit the same model (\(worst(raw)))")

        let root = Float(3).squareRoot()
        func expectScaled(_ x: FoldedInUser, _ y: FoldedInUser, _ what: String) {
            let size = max(1, y.factors.map(abs).max()!)
            #expect(abs(x.bias / 3 - y.bias) <= 1e-3 * max(1, abs(y.bias)), "\(what): bias \(x.bias) vs 3 × \(y.bias)")
            #expect(zip(x.factors, y.factors).allSatisfy { abs($0 / root - $1) <= 1e-3 * size }, "\(what): \(x.factors) vs √3 × \(y.factors)")
        }
        let items: [Int32] = [1, 4, 9, 30, 55], ratings: [Float] = [5, 3, 4, 1, 2]
        expectScaled(try b.foldIn(items: items, ratings: ratings.map { $0 * 3 }), try a.foldIn(items: items, ratings: ratings), "fold-in")
        expectScaled(try #require(try b.refitUser(12, context: .current)), try #require(try a.refitUser(12, context: .current)), "user step")
        let ea = try a.explain(user: 12, item: 40), eb = try b.explain(user: 12, item: 40)
        #expect(abs(eb.score / 3 - ea.score) <= 1e-3 && abs(eb.base / 3 - ea.base) <= 1e-3, "explain: \(eb.score) vs 3 × \(ea.score)")
        #expect(zip(eb.contributions, ea.contributions).allSatisfy { $0.item == $1.item && abs($0.contribution / 3 - $1.contribution) <= 1e-3 })
    }

    /// I-AutoRec fits and reconstructs in the unit: on ratings × 3 (which ÷ 3 gives back exactly)
    /// every prediction is the 1–5 model's × 3, to Float rounding (1e-4 on the 1–5 scale), also
    /// after a save and load; with the raw ratings the same settings fit another model.
    @Test func autoRecOnAnotherScaleIsTheScaledModel() throws {
        let (original, tripled) = try Self.data()
        func autorec(_ unit: Double = 0) -> AutoRecRecommender { AutoRecRecommender { $0.hidden = 16; $0.epochs = 20; $0.regularization = 20; $0.ratingUnit = unit } }
        var a = autorec(), b = autorec(), raw = autorec(1)
        try a.fit(original, context: ExecutionContext(threads: 1), progress: nil)
        try b.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        try raw.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        let loaded = try AutoRecRecommender(archive: try b.archive())
        func worst(_ m: AutoRecRecommender) -> Float {
            var w: Float = 0
            for u in 0..<original.userCount { for i in stride(from: u % 7, to: original.itemCount, by: 7) {
                w = max(w, abs(m.predict(user: u, item: i) / 3 - a.predict(user: u, item: i)))
            } }
            return w
        }
        #expect(worst(b) <= 1e-4 && worst(loaded) <= 1e-4, "largest difference \(worst(b)), loaded \(worst(loaded))")
        #expect(worst(raw) > 0.02, "the raw ratings fit the same model (\(worst(raw)))")
    }

    /// A model saved before `rating-unit` existed was fitted on the raw ratings, and loads so.
    @Test func modelsSavedBeforeTheRuleLoadAsRaw() throws {
        let (_, tripled) = try Self.data()
        var model = ALSRecommender { $0.factors = 4; $0.iterations = 2 }
        try model.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        var archive = try model.archive()
        #expect(archive.configuration["rating-unit"] == .real(0))
        archive.configuration["rating-unit"] = nil
        let loaded = try ALSRecommender(archive: archive)
        #expect(loaded.configuration.ratingUnit == 1 && loaded.ratingUnit.isIdentity)
        var autorec = AutoRecRecommender { $0.hidden = 4; $0.epochs = 2 }
        try autorec.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        var saved = try autorec.archive()
        saved.configuration["rating-unit"] = nil
        #expect(try AutoRecRecommender(archive: saved).configuration.ratingUnit == 1)
    }

    @Test func onlineUpdatesRunInTheFittedUnit() throws {
        let (original, tripled) = try Self.data()
        let spec = try ModelRegistry.spec(named: "biased-mf")
        var a = try spec.makeModel(Self.settings), b = try spec.makeModel(Self.settings)
        try a.fit(original, context: ExecutionContext(threads: 1), progress: nil)
        try b.fit(tripled, context: ExecutionContext(threads: 1), progress: nil)
        let items: [Int32] = [2, 7, 11, 40], ratings: [Float] = [4, 5, 1, 3]
        let fa = a as! any FoldingIn, fb = b as! any FoldingIn
        let start = try fa.foldIn(items: items, ratings: ratings)
        let startB = FoldedInUser(factors: start.factors.map { $0 * Float(3).squareRoot() }, bias: start.bias * 3, items: start.items)
        let ua = try fa.onlineUpdate(start, items: items + [60], ratings: ratings + [5])
        let ub = try fb.onlineUpdate(startB, items: items + [60], ratings: (ratings + [5]).map { $0 * 3 })
        #expect(abs(ub.bias / 3 - ua.bias) <= 1e-3)
        for (x, y) in zip(ub.factors, ua.factors) { #expect(abs(x / Float(3).squareRoot() - y) <= 1e-3) }
    }

    /// Fold-in is the exact ridge solution in the fitted unit u: with q' = q/√u, e_i = (r_i − μ −
    /// b_i)/u − b − p·q'_i, the gradient Σ e_i [q'_i, 1] − λn [p, b] vanishes. Checked in Double
    /// from the model's parameters alone; tolerance 1e-3 of the terms' size (a Float Cholesky
    /// solve). Items are given out of order, so a solve on the wrong rows would show.
    @Test(arguments: [false, true])
    func foldInSolvesTheRidgeProblemInTheFittedUnit(tripledScale: Bool) throws {
        let (original, tripled) = try Self.data()
        let data = tripledScale ? tripled : original, u = tripledScale ? 3.0 : 1.0
        var model = try ModelRegistry.spec(named: "biased-mf").makeModel(Self.settings)
        try model.fit(data, context: ExecutionContext(threads: 1), progress: nil)
        let folding = model as! any FoldingIn, f = try #require(folding.factorModel)
        let k = f.itemFactors.columns, lambda = 0.1 // the default regularization
        let items: [Int32] = [55, 3, 70, 12, 41, 8], ratings: [Float] = [5, 2, 4, 1, 3, 4].map { $0 * Float(u) }
        let user = try folding.foldIn(items: items, ratings: ratings)
        let p = user.factors.map { Double($0) / u.squareRoot() }, b = Double(user.bias) / u
        var gradient = [Double](repeating: 0, count: k + 1), size = 0.0
        for (item, rating) in zip(items, ratings) {
            let i = Int(item)
            let q = (0..<k).map { Double(f.itemFactors.storage[i * k + $0]) / u.squareRoot() }
            let e = (Double(rating) - Double(f.globalBias) - Double(f.itemBias[i])) / u - b - zip(p, q).reduce(0) { $0 + $1.0 * $1.1 }
            for t in 0..<k { gradient[t] += e * q[t] }
            gradient[k] += e
            size += abs(e) * (1 + q.reduce(0) { $0 + abs($1) })
        }
        let n = Double(items.count)
        for t in 0..<k { gradient[t] -= lambda * n * p[t] }
        gradient[k] -= lambda * n * b
        let worst = gradient.map(abs).max()!
        #expect(worst <= 1e-3 * max(size, 1), "gradient \(worst) against terms of size \(size)")
    }
}
