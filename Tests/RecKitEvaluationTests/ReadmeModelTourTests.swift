import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// The README's ALS snippet, on synthetic data (so it runs without MovieLens): it must compile and
/// do what the comments say.
@Test func readmeALSTour() throws {
    let ml = try SyntheticRatings(users: 300, items: 200, ratings: 8000, seed: 9).generate(threads: 1)
    var als = ALSRecommender(factors: 64, iterations: 15, implicit: true)
    var losses: [Double] = []
    try als.fit(ml, context: .current) { losses.append($0.loss!) }
    let top10 = try als.recommend(user: 0, count: 10)
    let why = try als.explain(user: 0, item: top10[0].item, count: 3)
    let newcomer = try als.recommend(try als.foldIn(items: [0, 49, 171], ratings: [5, 4, 5]), count: 10)
    #expect(losses.count == 15 && top10.count == 10 && why.contributions.count == 3 && newcomer.count == 10)
    #expect(!newcomer.contains { [0, 49, 171].contains($0.item) })
}
