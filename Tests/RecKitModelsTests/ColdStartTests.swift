import Foundation
import Testing
import RecKitData
import RecKitEvaluation
import RecKitLinearAlgebra
import RecKitModels
import RecKitTestSupport

/// Cold start: popular items of a user's slice, new items through their attributes, the side-file
/// loaders. (Fold-in of new users: ALSModelTests, SGDModelTests.)
@Suite struct ColdStartTests {
    @Test func slicePopularityRanksBySliceCounts() throws {
        let train = try SyntheticRatings(users: 120, items: 40, ratings: 2400, seed: 4).generate(threads: 1)
        // Users alternate between two occupations.
        var values: [String: [String]] = [:]
        for u in 0..<train.userCount { values[train.userIDs.externalID(u)] = [u % 2 == 0 ? "student" : "writer"] }
        let table = AttributeTable(names: ["occupation"], values: values)
        let slices = try SlicePopularity(train: train, users: table, attribute: "occupation")
        for (slice, parity) in [("student", 0), ("writer", 1)] {
            var counts = [Int](repeating: 0, count: train.itemCount)
            for u in stride(from: parity, to: train.userCount, by: 2) { for p in train.ratings.range(ofRow: u) { counts[Int(train.ratings.columnIndices[p])] += 1 } }
            let expected = (0..<train.itemCount).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }.prefix(10)
            #expect(slices.recommend(attributes: ["occupation": slice], count: 10).map(\.item) == Array(expected))
        }
        // An unknown value falls back to everyone's most popular items.
        var overall = [Int](repeating: 0, count: train.itemCount)
        for c in train.ratings.columnIndices { overall[Int(c)] += 1 }
        let top = (0..<train.itemCount).sorted { overall[$0] != overall[$1] ? overall[$0] > overall[$1] : $0 < $1 }.prefix(5)
        #expect(slices.recommend(slice: "astronaut", count: 5).map(\.item) == Array(top))
        #expect(throws: ModelError.self) { _ = try SlicePopularity(train: train, users: table, attribute: "zip") }
    }

    @Test func sideFileLoadersNameTheBadLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-side-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "1|24|M|technician|85711\n2|fifty|F|other|94043\n".write(toFile: dir + "/u.user", atomically: true, encoding: .utf8)
        #expect(performing: { _ = try AttributeTable.movieLensUsers(path: dir + "/u.user") },
                throws: { $0 as? DataError == .badLine(file: dir + "/u.user", line: 2, reason: .badAttribute, text: "2|fifty|F|other|94043") })
        try "1|24|M|technician|85711\n2|53|F|other|94043\r\n".write(toFile: dir + "/u.user", atomically: true, encoding: .utf8)
        let users = try AttributeTable.movieLensUsers(path: dir + "/u.user")
        #expect(users.value("age_group", of: "2") == "50-55" && users.value("occupation", of: "1") == "technician")
        let flags = Array(repeating: "0", count: 19)
        try ("7|A film (1995)|01-Jan-1995||http://x|" + (["1"] + flags.dropFirst()).joined(separator: "|") + "\n8|B|||u|" + flags.joined(separator: "|") + "|1\n")
            .write(toFile: dir + "/u.item", atomically: true, encoding: .utf8)
        #expect(performing: { _ = try FeatureTable.movieLensGenres(path: dir + "/u.item") },
                throws: { if case DataError.badLine(_, 2, .missingField, _) = $0 { return true }; return false })
    }

    /// A film nobody rated yet, scored through its genres, must rank above random among users who
    /// like those genres: its mean rank percentile (share of items scored above it) below 0.5.
    @Test(.enabled(if: MovieLensData.directory != nil, Comment(rawValue: MovieLensData.skipMessage)))
    func aNewItemWithOnlyGenresReachesUsersWhoLikeThem() throws {
        let dir = MovieLensData.directory!
        let all = try RatingDataset.load(path: "\(dir)/ua.base")
        let genres = try FeatureTable.movieLensGenres(path: "\(dir)/u.item")
        var results: [String] = []
        // Star Wars (Action, Adventure, Romance, Sci-Fi, War) and Toy Story (Animation, Children's, Comedy).
        for film in ["50", "1"] {
            let newItem = all.itemIDs.index(of: film)!
            let train = all.filtered { _, item, _, _ in item != newItem }
            var model = ALSRecommender { $0.factors = 32; $0.regularization = 0.05; $0.iterations = 10; $0.implicit = true; $0.alpha = 0.25 }
            try model.fit(train, context: .current, progress: nil)
            let mapping = try AttributeMapping(model: model.factorModel!, features: genres, regularization: 1)
            let features = genres.vectors[film]!
            let newScores = try mapping.scores(newItem: features)
            // Users who like these genres: the top quarter by the share of their ≥ 4 ratings in them.
            let r = all.ratings
            var share: [(user: Int, share: Double)] = []
            for u in 0..<r.rows {
                let liked = r.range(ofRow: u).filter { r.values[$0] >= 4 && Int(r.columnIndices[$0]) != newItem }
                guard liked.count >= 10 else { continue }
                let inGenre = liked.filter { p in zip(genres.vectors[all.itemIDs.externalID(Int(r.columnIndices[p]))]!, features).contains { $0 == 1 && $1 == 1 } }
                share.append((u, Double(inGenre.count) / Double(liked.count)))
            }
            let fans = share.sorted { $0.share > $1.share }.prefix(share.count / 4).map(\.user)
            let scores = try model.scoreBlock(users: 0..<r.rows, context: .current)
            var percentile = 0.0
            for u in fans {
                let seen = Set(train.ratings.columnIndices[train.ratings.range(ofRow: u)].map(Int.init))
                let candidates = (0..<r.columns).filter { $0 != newItem && !seen.contains($0) }
                percentile += Double(candidates.filter { scores[u, $0] > newScores[u] }.count) / Double(candidates.count)
            }
            percentile /= Double(fans.count)
            results.append("\(film): \(percentile)")
            #expect(percentile < 0.35, "film \(film): mean rank percentile \(percentile) among \(fans.count) fans of its genres")
        }
        print("new-item rank percentiles: \(results)")
    }
}
