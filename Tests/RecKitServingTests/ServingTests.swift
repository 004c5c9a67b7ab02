import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels
import RecKitServing

/// The serving engine without HTTP: online learning, policies and their propensities, the event log.
@Suite struct ServingTests {
    /// An implicit ALS model (Cholesky, so the user step is exact) saved to a temporary file.
    static func savedModel(implicit: Bool = true) throws -> (path: String, model: ALSRecommender) {
        let data = try SyntheticRatings(users: 300, items: 120, ratings: 6000, seed: 5).generate(threads: 1)
        var als = ALSRecommender { $0.factors = 8; $0.iterations = 8; $0.implicit = implicit; $0.solver = .cholesky; $0.regularization = 0.1 }
        try als.fit(data, context: .current, progress: nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serving-\(UUID().uuidString).model").path
        try als.save(to: path)
        return (path, als)
    }

    @Test func feedbackChangesTheUsersNextAnswer() throws {
        let (path, _) = try Self.savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let service = try RecommendationService(modelPath: path, events: nil)
        let user = "7"
        let before = try service.recommend(user: user, n: 120, excludeSeen: false)
        #expect(!before.online)
        // The item the model likes least for this user, clicked many times.
        let last = before.items.last!.item
        _ = try service.feedback([FeedbackEvent(user: user, item: last, value: 50)])
        let after = try service.recommend(user: user, n: 120, excludeSeen: false)
        #expect(after.online)
        let rankBefore = before.items.firstIndex { $0.item == last }!, rankAfter = after.items.firstIndex { $0.item == last }!
        #expect(rankAfter < rankBefore, "the clicked item moved up: \(rankBefore) → \(rankAfter)")
        // Excluding seen items now leaves the clicked one out.
        #expect(try !service.recommend(user: user, n: 20).items.contains { $0.item == last })
    }

    /// An online update is the exact ALS user step with the fitted item factors: the same as the
    /// model's own fold-in of the whole history (training ratings plus the event), and for a
    /// training user with no new event the same as the user step of a full refit.
    @Test func onlineFactorsAreTheExactUserStep() throws {
        let (path, als) = try Self.savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let service = try RecommendationService(modelPath: path, events: nil)
        let train = try #require(als.training)
        let u = 11, user = train.userIDs.externalID(u)
        // An event that repeats a training value changes nothing: the online user equals refitUser.
        let row = train.ratings.range(ofRow: u)
        let item = train.ratings.columnIndices[row.lowerBound], value = train.ratings.values[row.lowerBound]
        _ = try service.feedback([FeedbackEvent(user: user, item: train.itemIDs.externalID(Int(item)), value: value)])
        let online = try #require(service.onlineUser(user))
        let refit = try #require(try als.refitUser(u, context: .current))
        let diff = zip(online.factors, refit.factors).map { abs($0 - $1) }.max()!, size = refit.factors.map(abs).max()!
        #expect(diff <= 1e-5 * size, "online \(online.factors) vs refit \(refit.factors)")
        // A new item in the history: the same as the model's fold-in of the merged history.
        let newItem = (0..<Int32(train.itemCount)).first { !train.ratings.columnIndices[row].contains($0) }!
        _ = try service.feedback([FeedbackEvent(user: user, item: train.itemIDs.externalID(Int(newItem)), value: 3)])
        var pairs = Array(zip(train.ratings.columnIndices[row], train.ratings.values[row]))
        pairs.append((newItem, 3))
        pairs.sort { $0.0 < $1.0 }
        let expected = try als.foldIn(items: pairs.map(\.0), ratings: pairs.map(\.1))
        let updated = try #require(service.onlineUser(user))
        #expect(zip(updated.factors, expected.factors).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }

    /// Greedy answers from the caches — precomputed at load for training users, kept for an online
    /// user from their first such request after feedback — are the lists computed per request, and
    /// a user's next event replaces their list.
    @Test func cachedListsEqualComputedOnes() throws {
        let (path, _) = try Self.savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = RecommendationService.Options()
        options.cacheDepth = 0
        let computed = try RecommendationService(modelPath: path, events: nil, options: options)
        options.cacheDepth = 20
        let cached = try RecommendationService(modelPath: path, events: nil, options: options)
        func expectSame(_ user: String, _ n: Int) throws {
            let a = try computed.recommend(user: user, n: n), b = try cached.recommend(user: user, n: n)
            #expect(a.online == b.online)
            #expect(a.items.map(\.item) == b.items.map(\.item) && zip(a.items, b.items).allSatisfy { abs($0.score - $1.score) <= 1e-5 * max(1, abs($0.score)) },
                    "user \(user), n \(n): the block GEMM and the per-user product round alike to 1e-5")
        }
        for user in ["0", "5", "77", "299"] {
            for n in [1, 10, 20, 30] { try expectSame(user, n) }
        }
        // Online users (a training user and a new one): each answer after an event reflects that event.
        for value: Float in [5, 40] {
            for service in [computed, cached] {
                _ = try service.feedback([FeedbackEvent(user: "5", item: "3", value: value), FeedbackEvent(user: "new", item: "9", value: value)])
            }
            for user in ["5", "new"] {
                for n in [10, 20, 1, 30] { try expectSame(user, n) }
            }
        }
    }

    /// Explicit ALS explores in its rating unit: a model of the ratings × 3 has every score and
    /// every score's posterior spread × 3 (`σ²u²·A⁻¹` with λ·u), so UCB and Thompson sampling (same
    /// seed) show the same slates with the scores × 3. Tolerance: Float fits of ratings one
    /// rounding apart, 1e-3 of the score's size.
    @Test func explicitALSExploresInItsRatingUnit() throws {
        let original = try SyntheticRatings(users: 300, items: 120, ratings: 6000, seed: 5).generate(threads: 1)
        var tripled = original
        tripled.ratings = original.ratings.mapValues { $0 * 3 }
        var paths: [String] = []
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        let services = try [original, tripled].map { data in
            var als = ALSRecommender { $0.factors = 8; $0.iterations = 8; $0.solver = .cholesky }
            try als.fit(data, context: .current, progress: nil)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("serving-\(UUID().uuidString).model").path
            try als.save(to: path)
            paths.append(path)
            return try RecommendationService(modelPath: path, events: nil)
        }
        for text in ["ucb:1", "thompson:4"] {
            let policy = try Policy(parsing: text)
            for user in ["3", "40"] {
                let a = try services[0].recommend(user: user, n: 5, policy: policy, seed: 9)
                let b = try services[1].recommend(user: user, n: 5, policy: policy, seed: 9)
                #expect(a.items.map(\.item) == b.items.map(\.item), "\(text), user \(user)")
                #expect(zip(a.items, b.items).allSatisfy { abs($1.score / 3 - $0.score) <= 1e-3 * max(1, abs($0.score)) },
                        "\(text), user \(user): \(b.items.map(\.score)) vs 3 × \(a.items.map(\.score))")
            }
        }
    }

    /// The server's hand-written JSON says what JSONEncoder says (snake_case keys), with every
    /// character a string may hold.
    @Test func handWrittenJSONEqualsTheEncoder() throws {
        let r = RecommendResponse(user: "ann \"q\" \\ \u{1}é", items: [.init(item: "a,b", score: 0.125, position: 1, propensity: 0.5),
                                                                    .init(item: "x", score: -3e-7, position: 2, propensity: 1)],
                                  modelVersion: "als-1-2", requestId: "r-7", policy: "epsilon-greedy:0.1", propensityMethod: "exact", online: true)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let viaEncoder = try JSONSerialization.jsonObject(with: encoder.encode(r)) as! NSDictionary
        let viaWriter = try JSONSerialization.jsonObject(with: Data(JSONWriter.encode(r))) as! NSDictionary
        #expect(viaEncoder == viaWriter, "\(viaWriter)")
    }

    @Test func refusedFeedbackIsNeitherLoggedNorApplied() throws {
        let (path, _) = try Self.savedModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: folder) }
        let service = try RecommendationService(modelPath: path, events: folder)
        let good = FeedbackEvent(user: "3", item: "10", value: 1)
        #expect(throws: ServingError.self) { try service.feedback([good, FeedbackEvent(user: "3", item: "no-such-item", value: 1)]) }
        #expect(throws: ServingError.self) { try service.feedback([FeedbackEvent(user: "3", item: "10", value: .nan)]) }
        #expect(throws: ServingError.self) { try service.feedback([FeedbackEvent(user: "", item: "10", value: 1)]) }
        let none = try EventLog.replay(folder: folder).events.count
        #expect(service.eventsApplied == 0 && none == 0)
        _ = try service.feedback([good])
        let one = try EventLog.replay(folder: folder).events.count
        #expect(service.eventsApplied == 1 && one == 1)
    }

    @Test func theLogIsReplayedAndATornLastLineIsDropped() throws {
        let (path, _) = try Self.savedModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: folder) }
        do {
            let service = try RecommendationService(modelPath: path, events: folder)
            for k in 0..<20 { _ = try service.feedback([FeedbackEvent(user: "new-\(k % 4)", item: "\(k + 1)", value: 2)]) }
            #expect(service.onlineUsers == 4)
        }
        // A crash in the middle of an append leaves half a line.
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".jsonl") })
        let handle = try #require(FileHandle(forWritingAtPath: folder + "/" + file))
        handle.seekToEndOfFile()
        handle.write(Data("{\"item\":\"5\",\"us".utf8))
        handle.closeFile()
        var notes: [String] = []
        let restarted = try RecommendationService(modelPath: path, events: folder) { notes.append($0) }
        #expect(restarted.eventsApplied == 20 && restarted.onlineUsers == 4)
        #expect(notes.contains { $0.contains("dropped 1 line") }, "\(notes)")
        // Appending after the repair starts on a new line: the next replay reads 21 events.
        _ = try restarted.feedback([FeedbackEvent(user: "new-0", item: "30", value: 1)])
        #expect(try EventLog.replay(folder: folder).events.count == 21)
    }

    @Test func aSmallRotationLimitStartsNewFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try EventLog(folder: folder, rotationBytes: 200)
        for k in 0..<30 { try log.append([FeedbackEvent(user: "u\(k)", item: "i", value: 1, timestamp: 1)]) }
        let replay = try EventLog.replay(folder: folder)
        #expect(replay.files > 5 && replay.events.map(\.user) == (0..<30).map { "u\($0)" })
    }

    /// The log keeps zeros ahead of its events while open and cuts them off when closed. A crash
    /// leaves them, perhaps after a torn line or before the end of a write cut short: the replay
    /// reads the events before the zeros and drops the rest (counted once: it is one write), and the log opened again
    /// appends right after the last whole event.
    @Test func theZerosAheadOfTheEventsNeverReachTheReplay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/events-000001.jsonl"
        func event(_ user: String) -> FeedbackEvent { FeedbackEvent(user: user, item: "i", value: 1, timestamp: 1) }
        func contents() throws -> [UInt8] { [UInt8](try #require(FileManager.default.contents(atPath: file))) }
        do {
            let log = try EventLog(folder: folder)
            for k in 0..<3 { try log.append([event("u\(k)")]) }
            let open = try contents()
            #expect(open.count == EventLog.preallocationBytes && open.filter { $0 == 10 }.count == 3 && open.last == 0)
        }
        var crash = try contents()
        #expect(crash.count < 1000 && crash.last == 10, "closed, the file holds its events alone")
        crash += Array("{\"user\":\"u9".utf8) + [UInt8](repeating: 0, count: 4096) + Array("x\"}\n".utf8) + [UInt8](repeating: 0, count: 100)
        #expect(FileManager.default.createFile(atPath: file, contents: Data(crash)))
        let replay = try EventLog.replay(folder: folder)
        #expect(replay.events.map(\.user) == ["u0", "u1", "u2"] && replay.tornLines == 1, "one write cut short: \(replay.tornLines)")
        let log = try EventLog(folder: folder)
        try log.append([event("u3")])
        let again = try EventLog.replay(folder: folder)
        #expect(again.events.map(\.user) == ["u0", "u1", "u2", "u3"] && again.tornLines == 0)
    }

    /// One writer per folder: a second log (a second server) on a folder that is open is refused
    /// with the reason, and opens once the first is closed.
    @Test func aSecondLogOnAnOpenFolderIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let log = try EventLog(folder: folder)
            try log.append([FeedbackEvent(user: "a", item: "i", value: 1, timestamp: 1)])
            #expect { try EventLog(folder: folder) } throws: { "\($0)".contains("open in another server") }
            try log.append([FeedbackEvent(user: "b", item: "i", value: 1, timestamp: 1)])
        }
        let reopened = try EventLog(folder: folder)
        #expect(reopened.recovered.events.map(\.user) == ["a", "b"] && reopened.recovered.tornLines == 0)
    }

    /// Concurrent appenders — suspended ones (`durable`, whose writes the log's queue makes) and
    /// blocking ones (`waitUntilDurable`, what the server uses: one of them writes for all) — each return only after their group is written; afterwards the log
    /// holds every acknowledged event exactly once, each caller's events in the order it queued
    /// them, and no more groups were written than requests made.
    @Test func concurrentAppendersAreAllDurable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try EventLog(folder: folder, rotationBytes: 4096)
        let callers = 16, each = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<callers {
                group.addTask {
                    for k in 0..<each {
                        let g = try log.enqueue([FeedbackEvent(user: "c\(c)", item: "\(k)", value: 1, timestamp: 1)])
                        if c % 2 == 0 { try await log.durable(g) } else { try log.waitUntilDurable(g) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = try EventLog.replay(folder: folder).events
        #expect(events.count == callers * each)
        for c in 0..<callers {
            #expect(events.filter { $0.user == "c\(c)" }.map(\.item) == (0..<each).map { "\($0)" })
        }
        #expect(log.groupsCommitted >= 1 && log.groupsCommitted <= callers * each)
    }

    /// Every policy's logged propensity is the probability of what it did: over many seeded draws
    /// the shown item's frequency at position 1 matches its propensity, and the propensities of all
    /// candidates at a position sum to 1.
    @Test(arguments: ["epsilon-greedy:0.3", "softmax:0.5", "thompson:64"])
    func propensitiesAreTheProbabilitiesOfTheSlate(policy text: String) throws {
        let policy = try Policy(parsing: text)
        let scores: [Float] = [1.0, 0.8, 0.7, 0.2, -0.5]
        // A small posterior for Thompson: five items in two dimensions.
        let items = try Matrix<Float>(rows: 5, columns: 2, elements: [1, 0, 0.8, 0.3, 0.5, 0.6, 0.1, 0.9, -0.4, 0.2])
        let user = FoldedInUser(factors: [0.9, 0.2], bias: 0, items: [])
        let uncertainty = try Uncertainty(user: user, history: [(0, 1), (3, 1)], items: items,
                                          prior: Uncertainty.Prior(implicit: false, lambda: 1, alpha: 0), scale: 0.5, context: .current)
        var frequency = [Int](repeating: 0, count: 5), logged = [Double?](repeating: nil, count: 5)
        let runs = 3000
        for seed in 0..<runs {
            var rng = SeededGenerator(seed: UInt64(seed))
            let slate = policy.choose(n: 2, scores: scores, uncertainty: uncertainty, rows: Array(0..<5), rng: &rng)
            let first = slate.candidates[0]
            frequency[first] += 1
            if case .thompson = policy { logged[first] = (logged[first] ?? 0) + slate.propensities[0] / Double(runs) * Double(runs) }
            else {
                if let p = logged[first] { #expect(abs(p - slate.propensities[0]) < 1e-12, "a position's propensity depends on its candidates only") }
                logged[first] = slate.propensities[0]
            }
            #expect(slate.propensities.allSatisfy { $0 > 0 && $0 <= 1 })
        }
        if case .thompson = policy {
            // Estimated propensities: their mean per item is its frequency.
            for c in 0..<5 where frequency[c] > 0 {
                let meanLogged = logged[c]! / Double(frequency[c])
                #expect(abs(meanLogged - Double(frequency[c]) / Double(runs)) < 0.05, "item \(c): logged \(meanLogged), seen \(Double(frequency[c]) / Double(runs))")
            }
        } else {
            #expect(logged.allSatisfy { $0 != nil }, "every candidate is shown at position 1 sometimes")
            let total = logged.compactMap { $0 }.reduce(0, +)
            #expect(abs(total - 1) < 1e-9, "propensities at position 1 sum to \(total)")
            for c in 0..<5 {
                #expect(abs(Double(frequency[c]) / Double(runs) - logged[c]!) < 0.03, "item \(c): frequency \(Double(frequency[c]) / Double(runs)), propensity \(logged[c]!)")
            }
        }
    }

    /// Thompson sampling draws each position from its own posterior draw, so the item shown second,
    /// given the one shown first, follows ``Policy/positionDistribution`` with that item above it
    /// (a single draw for the whole slate would not: its runner-up is conditioned on its winner).
    /// Tolerance 0.05 on frequencies over ≥ 600 slates (one standard error ≤ 0.02).
    @Test func thompsonSamplingDrawsEachPositionGivenTheOnesAbove() throws {
        let policy = try Policy(parsing: "thompson:8")
        let scores: [Float] = [1.0, 0.9, 0.7, 0.2, -0.5]
        let items = try Matrix<Float>(rows: 5, columns: 2, elements: [1, 0, 0.8, 0.3, 0.5, 0.6, 0.1, 0.9, -0.4, 0.2])
        let user = FoldedInUser(factors: [0.9, 0.2], bias: 0, items: [])
        let uncertainty = try Uncertainty(user: user, history: [(0, 1), (3, 1)], items: items,
                                          prior: Uncertainty.Prior(implicit: false, lambda: 1, alpha: 0), scale: 0.5, context: .current)
        var second = [Int: [Int]]()   // first item → counts of the second
        let runs = 3000
        for seed in 0..<runs {
            var rng = SeededGenerator(seed: UInt64(seed))
            let slate = policy.choose(n: 2, scores: scores, uncertainty: uncertainty, rows: Array(0..<5), rng: &rng)
            #expect(slate.candidates[0] != slate.candidates[1])
            second[slate.candidates[0], default: [Int](repeating: 0, count: 5)][slate.candidates[1]] += 1
        }
        let (first, counts) = second.max { $0.value.reduce(0, +) < $1.value.reduce(0, +) }!
        let total = counts.reduce(0, +)
        #expect(total >= 600, "the commonest first item leads \(total) slates")
        var rng = SeededGenerator(seed: 12345)
        let expected = try Policy(parsing: "thompson:10000").positionDistribution(
            scores: scores, shown: [first], uncertainty: uncertainty, rows: Array(0..<5), rng: &rng)
        #expect(expected[first] == 0)
        for c in 0..<5 {
            let seen = Double(counts[c]) / Double(total)
            #expect(abs(seen - expected[c]) < 0.05, "after item \(first): item \(c) second in \(seen) of slates, distribution \(expected[c])")
        }
    }

    /// The replay simulation: reproducible for a seed, the same arrivals for every policy, CTRs
    /// that are shares of shown items.
    @Test func banditSimulationIsReproducibleAndConsistent() throws {
        let data = try SyntheticRatings(users: 200, items: 80, ratings: 5000, seed: 9).generate(threads: 1)
        var sim = BanditSimulation()
        sim.rounds = 300; sim.slate = 3; sim.factors = 6; sim.iterations = 4; sim.threshold = 3; sim.checkpoints = 10
        let policies = try ["greedy", "epsilon-greedy:0.2", "ucb:1", "thompson:1"].map { try Policy(parsing: $0) }
        let a = try sim.run(data, policies: policies), b = try sim.run(data, policies: policies)
        #expect(a.map(\.ctr) == b.map(\.ctr) && a.map(\.clicks) == b.map(\.clicks), "the same seed gives the same curves")
        for c in a {
            #expect(c.rounds.last == 300 && c.rounds.count == 10)
            #expect(c.ctr.allSatisfy { (0...1).contains($0) } && c.shown <= 300 * 3 && c.clicks <= c.shown)
            #expect(abs(c.ctr.last! - Double(c.clicks) / Double(c.shown)) < 1e-12)
        }
        // Li et al.'s replay (`unrated = .skip`) changes what is counted, not what is shown or
        // learned: the same clicks, fewer counted items, and a log row for each counted item only.
        sim.unrated = .skip
        var rows = 0
        let skipped = try sim.run(data, policies: policies, record: { _, _ in rows += 1 })
        for (m, s) in zip(a, skipped) {
            #expect(s.clicks == m.clicks, "\(s.policy): \(s.clicks) clicks when skipping, \(m.clicks) when counting misses")
            #expect(s.shown < m.shown && s.shown >= s.clicks, "\(s.policy): \(s.shown) counted of \(m.shown) shown")
        }
        #expect(rows == skipped.map(\.shown).reduce(0, +), "one logged row per counted item")
    }

    @Test func badPoliciesAndSizesAreRefusedNamingTheField() throws {
        for text in ["nope", "epsilon-greedy:2", "softmax:0", "thompson:0", "ucb:x"] {
            #expect { try Policy(parsing: text) } throws: { ($0 as? ServingError)?.field == "policy" }
        }
        let (path, _) = try Self.savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let service = try RecommendationService(modelPath: path, events: nil)
        #expect { try service.recommend(user: "1", n: 0) } throws: { ($0 as? ServingError)?.field == "n" }
        #expect { try service.recommend(user: "1", n: 1_000_000) } throws: { ($0 as? ServingError)?.field == "n" }
        #expect { try service.recommend(user: "no-such-user", n: 5) } throws: { ($0 as? ServingError)?.status == 404 }
    }

    /// A refit fits the same configuration on the training ratings plus every online history and
    /// new-item event: its factors equal a direct fit on that data (same seed); new-item events
    /// survive a restart through the event log.
    @Test func theRefitEqualsAFitOnTheMergedDataAndNewItemsSurviveARestart() throws {
        let (path, _) = try Self.savedModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: folder)
                try? FileManager.default.removeItem(atPath: path + ".refit") }
        let events = [FeedbackEvent(user: "3", item: "new-a", value: 4, newItem: true), FeedbackEvent(user: "3", item: "5", value: 9),
                      FeedbackEvent(user: "x", item: "new-a", value: 2, newItem: true), FeedbackEvent(user: "x", item: "7", value: 1)]
        do {
            let first = try RecommendationService(modelPath: path, events: folder)
            let r = try first.feedback(events)
            #expect(r.accepted == 4 && r.newItemEvents == 2 && first.pendingNewItemEvents == 2)
        }
        let service = try RecommendationService(modelPath: path, events: folder)
        #expect(service.pendingNewItemEvents == 2, "kept through a restart")
        _ = try service.startRefit(threads: 1)
        while service.refitStatus.state == "running" { Thread.sleep(forTimeInterval: 0.02) }
        let status = service.refitStatus
        #expect(status.state == "succeeded", "\(status)")
        #expect(service.pendingNewItemEvents == 0)
        // The same fit, done directly: training triples, then the online histories, then the new items.
        let original = try ModelRegistry.load(from: path) as! ALSRecommender
        let t = original.training!
        var users: [String] = [], items: [String] = [], values: [Float] = []
        for u in 0..<t.userCount { for k in t.ratings.range(ofRow: u) {
            users.append(t.userIDs.externalID(u)); items.append(t.itemIDs.externalID(Int(t.ratings.columnIndices[k]))); values.append(t.ratings.values[k])
        } }
        for e in events { users.append(e.user); items.append(e.item); values.append(e.value) }
        let merged = try RatingDataset.fromTriples(users: users, items: items, values: values)
        #expect(merged.itemCount == t.itemCount + 1 && merged.userCount == t.userCount + 1)
        #expect(merged.ratingCount == status.ratings)
        var direct = ALSRecommender(original.configuration)
        try direct.fit(merged, context: .current, progress: nil)
        let refitted = try ModelRegistry.load(from: path + ".refit") as! ALSRecommender
        let a = refitted.factorModel!.itemFactors.storage, b = direct.factorModel!.itemFactors.storage
        let scale = b.reduce(0) { max($0, abs($1)) }
        let worst = zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(a.count == b.count && worst <= 1e-4 * scale, "largest difference \(worst) of \(scale)")
        #expect(try service.similar(item: "new-a", n: 3).items.count == 3)
    }

    @Test func triplesBecomeADatasetWithTheLastValueOfARepeatedPair() throws {
        let d = try RatingDataset.fromTriples(users: ["10", "2", "10"], items: ["7", "7", "7"], values: [1, 2, 3])
        #expect(d.userIDs.isNumeric && d.userIDs.externalID(0) == "2" && d.ratingCount == 2)
        #expect(d.ratings.values[d.ratings.range(ofRow: 1)].first == 3, "the later value replaces the earlier")
        let s = try RatingDataset.fromTriples(users: ["b", "a"], items: ["x", "1"], values: [1, 2])
        #expect(!s.userIDs.isNumeric && s.userIDs.externalID(0) == "b" && !s.itemIDs.isNumeric)
        #expect(throws: DataError.self) { try RatingDataset.fromTriples(users: ["a"], items: ["b"], values: [.nan]) }
        #expect(throws: DataError.self) { try RatingDataset.fromTriples(users: [], items: [], values: []) }
        #expect(throws: DataError.self) { try RatingDataset.fromTriples(users: ["a"], items: [], values: [1]) }
    }
}
