import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

@Suite struct MetricTests {
    @Test func handComputedRankingMetrics() {
        // list 3,1,7,2 — relevant {1, 2, 9} — k = 3: one hit (item 1) at position 1.
        let r = RankingMetrics.evaluate(list: [3, 1, 7, 2], relevant: [1, 2, 9], k: 3)
        let idcg = 1 + 1 / log2(3.0) + 1 / log2(4.0)
        #expect(r.hits == 1 && r.hit)
        #expect(abs(r.precision - 1.0 / 3) < 1e-12 && abs(r.recall - 1.0 / 3) < 1e-12)
        #expect(abs(r.ndcg - (1 / log2(3.0)) / idcg) < 1e-12)
        #expect(abs(r.averagePrecision - (1.0 / 2) / 3) < 1e-12)
        #expect(abs(r.reciprocalRank - 0.5) < 1e-12)
        // Two hits: AP = (1/1 + 2/3) / min(3, 2).
        let two = RankingMetrics.evaluate(list: [4, 8, 5], relevant: [4, 5], k: 3)
        #expect(abs(two.averagePrecision - (1 + 2.0 / 3) / 2) < 1e-12)
        #expect(abs(two.ndcg - (1 + 1 / log2(4.0)) / (1 + 1 / log2(3.0))) < 1e-12)
    }

    @Test func kLargerThanTheListAndNoHits() {
        let r = RankingMetrics.evaluate(list: [5], relevant: [5], k: 10)
        #expect(abs(r.precision - 0.1) < 1e-12 && r.recall == 1 && r.ndcg == 1 && r.averagePrecision == 1)
        let none = RankingMetrics.evaluate(list: [], relevant: [1], k: 5)
        #expect(none.hits == 0 && none.ndcg == 0 && none.reciprocalRank == 0 && !none.hit)
    }

    @Test func aucWithTies() {
        #expect(RankingMetrics.auc(scores: [1, 1], relevant: [true, false]) == 0.5)
        #expect(RankingMetrics.auc(scores: [3, 2, 1], relevant: [true, false, false]) == 1)
        #expect(RankingMetrics.auc(scores: [1, 2, 3], relevant: [true, false, true]) == 0.5)
        #expect(RankingMetrics.auc(scores: [1, 2], relevant: [false, false]) == nil)
    }

    @Test func intraListDiversity() {
        // Orthogonal items → 1; identical → 0.
        #expect(RankingMetrics.intraListDiversity(list: [0, 1], vectors: [1, 0, 0, 1], dimension: 2) == 1)
        #expect(RankingMetrics.intraListDiversity(list: [0, 1], vectors: [1, 1, 2, 2], dimension: 2)! < 1e-12)
    }
}

/// The shared example for agreement with implicit's `ranking_metrics_at_k`: 4 users × 6 items,
/// fixed 2-d factors, one training item per user, test positives below. The golden values were
/// computed by implicit 0.7.3 with Benchmarks/peers/implicit_metrics_example.py.
enum SharedExample {
    static let userFactors: [[Float]] = [[1, 0], [0, 1], [3, 1], [2, -1]]
    static let itemFactors: [[Float]] = [[5, 0], [4, 1], [3, 3], [1, 4], [0, 5], [2, 2]]
    static let train: [(Int, Int)] = [(0, 0), (1, 4), (2, 2), (3, 1)]
    static let test: [(Int, Int)] = [(0, 1), (0, 3), (1, 3), (1, 0), (2, 5), (2, 0), (2, 1), (3, 0)]

    static func model() throws -> FactorModel {
        let trainMatrix = try CSRMatrix<Float>.fromTriplets(rows: 4, columns: 6, rowIndices: train.map { Int32($0.0) },
                                                            columnIndices: train.map { Int32($0.1) }, values: [1, 1, 1, 1]).matrix
        return try FactorModel(userFactors: try Matrix(userFactors), itemFactors: try Matrix(itemFactors), training: RatingDataset(ratings: trainMatrix))
    }

    static func testSet() throws -> AlignedTest {
        let m = try CSRMatrix<Float>.fromTriplets(rows: 4, columns: 6, rowIndices: test.map { Int32($0.0) },
                                                  columnIndices: test.map { Int32($0.1) }, values: [Float](repeating: 5, count: test.count)).matrix
        return AlignedTest(sameIndexSpace: RatingDataset(ratings: m))
    }
}

@Suite struct ProtocolTests {
    @Test func agreesWithImplicitOnTheSharedExample() throws {
        let report = try Evaluator.topN(model: try SharedExample.model(), test: try SharedExample.testSet(), k: 2, threshold: 4)
        // implicit 0.7.3's ranking_metrics_at_k on the same example (K = 2), printed by
        // Benchmarks/peers/implicit_metrics_example.py: precision 0.7142857143 map 0.7500000000 ndcg 0.8065735964.
        let golden = (precision: 0.7142857143, map: 0.75, ndcg: 0.8065735964)
        #expect(abs(report.precisionImplicit - golden.precision) < 1e-9)
        #expect(abs(report.map - golden.map) < 1e-9)
        #expect(abs(report.ndcg - golden.ndcg) < 1e-9)
        #expect(abs(report.precision - 5.0 / 8) < 1e-12, "RecKit's own precision@k divides each user's hits by k: (1+1+2+1)/(4·2)")
        #expect(report.usersEvaluated == 4 && report.usersSkipped == 0)
    }

    @Test func topNSkipsAndCountsUsersWithoutPositives() throws {
        var test = try SharedExample.testSet()
        test.ratings = test.ratings.enumerated().map { $0.offset < 2 ? 3 : $0.element } // user 0's ratings fall below the threshold
        let report = try Evaluator.topN(model: try SharedExample.model(), test: test, k: 2, threshold: 4)
        #expect(report.usersEvaluated == 3 && report.usersSkipped == 1)
    }

    @Test func recommendRespectsFiltersAndAsksForMoreThanExist() throws {
        let m = try SharedExample.model()
        // user 0 = (1, 0): scores 5, 4, 3, 1, 0, 2; item 0 is a training item.
        #expect(try m.recommend(user: 0, count: 3).map(\.item) == [1, 2, 5])
        #expect(try m.recommend(user: 0, count: 2, filter: RecommendationFilter(excludeTrainingItems: false)).map(\.item) == [0, 1])
        #expect(try m.recommend(user: 0, count: 9).count == 5, "asking for more than exist returns what there is")
        #expect(try m.recommend(user: 0, count: 3, filter: RecommendationFilter(denied: [1])).map(\.item) == [2, 5, 3])
        #expect(try m.recommend(user: 0, count: 3, filter: RecommendationFilter(allowed: [3, 4])).map(\.item) == [3, 4])
        #expect(throws: ModelError.self) { try m.recommend(user: 7, count: 1) }
    }

    @Test func leaveOneOutRanksAmongNegativesWithPessimisticTies() throws {
        let m = try SharedExample.model()
        // user 0 scores: item 1 → 4; negatives 3 (1), 4 (0) → rank 0.
        let r = try Evaluator.leaveOneOut(model: m, heldOut: [(0, 1)], negatives: [[3, 4]], k: 1)
        #expect(r.hitRate == 1 && r.ndcg == 1 && r.auc == 1)
        let g = GlobalMeanFitted.model
        let tie = try Evaluator.leaveOneOut(model: g, heldOut: [(0, 1)], negatives: [[3, 4]], k: 2)
        #expect(tie.hitRate == 0, "a constant model must not get credit from ties")
    }

    @Test func baselinesFitPredictSaveAndLoad() throws {
        var spec = SyntheticRatings(users: 200, items: 120, ratings: 3000, seed: 5)
        spec.rank = 3
        let data = try spec.generate(threads: 1)
        let split = try data.randomHoldout(testFraction: 0.2, seed: 1)
        let test = AlignedTest(sameIndexSpace: split.test)
        var base = BiasBaseline()
        var losses: [Double] = []
        try base.fit(split.train, context: .current) { losses.append($0.loss!) }
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-9) }, "ALS never increases its objective")
        var mean = GlobalMean()
        try mean.fit(split.train, context: .current, progress: nil)
        let rb = try Evaluator.rating(model: base, test: test), rm = try Evaluator.rating(model: mean, test: test)
        #expect(rb.rmse < rm.rmse, "biases beat the global mean")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-baseline-\(getpid()).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try base.save(to: path)
        let loaded = try ModelRegistry.load(from: path)
        #expect(loaded.predict(user: 3, item: 7) == base.predict(user: 3, item: 7))
        // A truncated file and a file of another model are refused.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelError.self) { try ModelRegistry.load(from: path) }
        try mean.save(to: path)
        #expect(throws: ModelError.self) { try BiasBaseline(archive: try ModelArchive.read(from: path)) }
        var pop = Popularity()
        try pop.fit(split.train, context: .current, progress: nil)
        #expect(throws: EvaluationError.cannotPredictRatings(model: "popularity")) { try Evaluator.rating(model: pop, test: test) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "baseline").makeModel(["factors": "3"]) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "baseline").makeModel(["epochs": "-1"]) }
    }

    @Test(arguments: Backend.allCases)
    func blockScoringMatchesOneByOne(backend: Backend) throws {
        let d = try SyntheticRatings(users: 600, items: 300, ratings: 6000, seed: 2).generate(threads: 1)
        let m = try FactorModel(userFactors: .random(rows: 600, columns: 8, seed: 1), itemFactors: .random(rows: 300, columns: 8, seed: 2), training: d)
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let lists = try m.recommend(users: 0..<600, count: 10, context: ctx)
        for u in [0, 255, 256, 599] {
            let seen = Set(d.ratings.range(ofRow: u).map { Int(d.ratings.columnIndices[$0]) })
            let candidates: [Int] = (0..<300).filter { !seen.contains($0) }
            let scored: [(item: Int, score: Float)] = candidates.map { (item: $0, score: m.predict(user: u, item: $0)) }
            let ranked = scored.sorted { (a, b) -> Bool in a.score > b.score || (a.score == b.score && a.item < b.item) }
            let reference: [Int] = ranked.prefix(10).map { $0.item }
            #expect(lists[u].map(\.item) == reference, "user \(u)")
        }
    }
}

enum GlobalMeanFitted {
    static let model: GlobalMean = {
        var g = GlobalMean()
        try! g.fit(try! SharedExample.model().training!, context: .current, progress: nil)
        return g
    }()
}

@Suite struct MovieLensBaselineTests {
    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func baselineRMSEOnTheFiveFolds() throws {
        let dir = MovieLensData.directory!
        let result = try Experiment().run(try ModelRegistry.spec(named: "baseline"), configuration: [:],
                                          data: .files((1...5).map { ("\(dir)/u\($0).base", "\(dir)/u\($0).test") }))
        #expect(result.mean["rmse"]! <= 0.945, "RMSE \(result.mean["rmse"]!)")
    }
}
