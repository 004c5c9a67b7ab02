import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitAlgorithms
import RecKitModels

/// The README's ALS snippet, on synthetic data (so it runs without MovieLens): it must compile and
/// do what the comments say.
@Test func readmeALSTour() throws {
    let ml = try SyntheticRatings(users: 300, items: 200, ratings: 8000, seed: 9).generate(threads: 1)
    var als = ALSRecommender { $0.factors = 64; $0.iterations = 15; $0.implicit = true }
    var losses: [Double] = []
    try als.fit(ml, context: .current) { losses.append($0.loss!) }
    let top10 = try als.recommend(user: 0, count: 10)
    let why = try als.explain(user: 0, item: top10[0].item, count: 3)
    let newcomer = try als.recommend(try als.foldIn(items: [0, 49, 171], ratings: [5, 4, 5]), count: 10)
    #expect(losses.count == 15 && top10.count == 10 && why.contributions.count == 3 && newcomer.count == 10)
    #expect(!newcomer.contains { [0, 49, 171].contains($0.item) })
}

/// The README's biased-MF / EASE / new-item snippet on synthetic data (genres made up).
@Test func readmeRecommendersTour() throws {
    let ml = try SyntheticRatings(users: 300, items: 200, ratings: 8000, seed: 9).generate(threads: 1)
    let split = try ml.kFold(5, seed: 1)[0]
    var als = ALSRecommender { $0.factors = 16; $0.iterations = 5; $0.implicit = true }
    try als.fit(ml, context: .current, progress: nil)
    var mf = BiasedMF { $0.factors = 16; $0.epochs = 10 }
    try mf.fit(split.train, context: .current, progress: nil)
    let rating = mf.predict(user: 0, item: 49)
    var ease = EASERecommender { $0.regularization = 500 }
    try ease.fit(ml, context: .current, progress: nil)
    let easeTop = try ease.recommend(user: 0, count: 10)
    var vectors: [String: [Float]] = [:]
    for i in 0..<ml.itemCount { vectors[ml.itemIDs.externalID(i)] = (0..<19).map { Float((i + $0) % 3 == 0 ? 1 : 0) } }
    let genres = FeatureTable(names: FeatureTable.movieLensGenreNames, vectors: vectors)
    let mapping = try AttributeMapping(model: als.factorModel!, features: genres)
    let scoresOfNewFilm = try mapping.scores(newItem: vectors[ml.itemIDs.externalID(49)]!)
    #expect((1...5).contains(rating) && easeTop.count == 10 && scoresOfNewFilm.count == ml.userCount)
}
