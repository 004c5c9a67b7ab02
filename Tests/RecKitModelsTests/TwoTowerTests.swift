import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// The two-tower model on a world with three tastes: users of group g (an attribute) interact only
/// with items of genre g (a one-hot feature). Cold users and items must be served from attributes.
@Suite struct TwoTowerTests {
    static let groups = ["a", "b", "c"]

    /// 150 users (group u % 3) and 60 items (genre i % 3); each user has 8 items of their genre.
    static func world() throws -> (RatingDataset, SideInformation) {
        var rng = SeededGenerator(seed: 5)
        var rows: [Int32] = [], cols: [Int32] = []
        for u in 0..<150 {
            var picked = Set<Int32>()
            while picked.count < 8 { picked.insert(Int32(3 * Int(rng.next() % 20) + u % 3)) }
            for i in picked.sorted() { rows.append(Int32(u)); cols.append(i) }
        }
        let m = try CSRMatrix<Float>.fromTriplets(rows: 150, columns: 60, rowIndices: rows, columnIndices: cols,
                                                  values: [Float](repeating: 1, count: rows.count)).matrix
        let data = RatingDataset(ratings: m)
        let users = AttributeTable(names: ["group"], values: Dictionary(uniqueKeysWithValues: (0..<150).map { (data.userIDs.externalID($0), [groups[$0 % 3]]) }))
        let items = FeatureTable(names: groups, vectors: Dictionary(uniqueKeysWithValues: (0..<60).map { i in
            (data.itemIDs.externalID(i), (0..<3).map { Float($0 == i % 3 ? 1 : 0) })
        }))
        return (data, SideInformation(userAttributes: users, itemFeatures: items))
    }

    static func fitted() throws -> TwoTowerRecommender {
        let (data, side) = try Self.world()
        var model = TwoTowerRecommender { $0.embedding = 8; $0.hidden = 16; $0.factors = 8; $0.idDropout = 0.3; $0.epochs = 30; $0.batchSize = 64
                                          $0.learningRate = 0.01; $0.seed = 2 }
        model.side = side
        try model.fit(data, context: .current, progress: nil)
        return model
    }

    @Test func coldUsersAndItemsAreServedFromAttributes() throws {
        let model = try Self.fitted()
        // Within a genre the items are interchangeable, so the in-batch loss cannot go below about
        // log(batch / 3) ≈ 3.1 nats (log(64) ≈ 4.2 at the start): the first epoch's mean must fall by 0.3 towards it.
        #expect(model.losses.last! < model.losses.first! - 0.3, "the loss did not fall: \(model.losses)")
        // A new user of group b: the top 10 are items of genre b (ids ≡ 1 mod 3).
        for (g, name) in Self.groups.enumerated() {
            let top = try model.recommend(attributes: ["group": name], count: 10)
            #expect(top.filter { $0.item % 3 == g }.count >= 9, "group \(name): \(top.map(\.item))")
        }
        // A new item of genre c scores higher for every group-c user than for any other user… on average.
        let v = try model.itemVector(features: [0, 0, 1])
        let scores = try LinearAlgebra.multiply(model.userVectors, vector: v)
        let mean = { (g: Int) in (0..<150).filter { $0 % 3 == g }.map { Double(scores[$0]) }.reduce(0, +) / 50 }
        #expect(mean(2) > mean(0) + 1 && mean(2) > mean(1) + 1, "mean scores by group: \(mean(0)), \(mean(1)), \(mean(2))")
        // Known users rank their own genre first too.
        let recs = try model.recommend(users: 0..<150, count: 5)
        let own = recs.enumerated().map { u, r in r.filter { $0.item % 3 == u % 3 }.count }.reduce(0, +)
        #expect(own >= 700, "\(own) of 750 recommendations in the user's genre")
    }

    @Test func saveAndLoadKeepScoresAndColdStart() throws {
        let model = try Self.fitted()
        try RoundTrip.expectSameModel(model, name: "two-tower", pairs: [(0, 3), (7, 40)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-two-tower-\(UUID()).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try #require(try ModelRegistry.load(from: path) as? TwoTowerRecommender)
        #expect(try loaded.userVector(attributes: ["group": "c"]) == model.userVector(attributes: ["group": "c"]))
        #expect(try loaded.itemVector(features: [1, 0, 0]) == model.itemVector(features: [1, 0, 0]))
    }

    @Test func badInputIsRefused() throws {
        let model = try Self.fitted()
        #expect(throws: ModelError.self) { _ = try model.itemVector(features: [1, 0]) }
        let (data, side) = try Self.world()
        var nanFeatures = side
        nanFeatures.itemFeatures!.vectors["4"] = [Float.nan, 0, 1]
        var bad = TwoTowerRecommender { $0.epochs = 1 }
        bad.side = nanFeatures
        #expect(throws: ModelError.self) { try bad.fit(data, context: .current, progress: nil) }
        #expect(throws: ModelError.self) { try ModelRegistry.spec(named: "two-tower").makeModel(["batch-size": "1"]) }
        // Without side information the towers see ids only, and still learn the groups' items.
        var plain = TwoTowerRecommender { $0.embedding = 8; $0.hidden = 16; $0.factors = 8; $0.epochs = 3; $0.batchSize = 64; $0.learningRate = 0.01 }
        try plain.fit(data, context: .current, progress: nil)
        #expect(plain.itemVectors.rows == 60)
    }
}
