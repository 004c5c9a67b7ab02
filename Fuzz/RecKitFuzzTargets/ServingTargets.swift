import Foundation
import RecKit
import RecKitServing

/// Targets for what the server reads: request bodies (decoded exactly as the routes decode them,
/// then answered by a service over a small model) and the event log it replays at start.
enum ServingTargets {
    /// The first byte chooses the endpoint (`POST /v1/recommend`, `/v1/recommend/batch`,
    /// `/v1/feedback`); the rest is the body.
    static func requestBody(_ bytes: [UInt8]) {
        guard let kind = bytes.first else { return }
        let body = Data(bytes.dropFirst())
        let service = Service.shared.next()
        switch kind % 3 {
        case 0:
            guard let h = try? ServingRequest.decode(ServingRequest.History.self, body) else { return }
            let policy = h.policy.flatMap { try? Policy(parsing: $0) }
            _ = try? service.recommend(history: h.history.map { ($0.item, $0.value) }, n: h.n ?? 10, policy: policy,
                                       excludeSeen: h.excludeSeen ?? true, seed: h.seed)
        case 1:
            guard let b = try? ServingRequest.decode(ServingRequest.Batch.self, body), b.users.count <= 1_000 else { return }
            let policy = b.policy.flatMap { try? Policy(parsing: $0) }
            for user in b.users {
                _ = try? service.recommend(user: user, n: b.n ?? 10, policy: policy, excludeSeen: b.excludeSeen ?? true, seed: b.seed)
            }
        default:
            guard let f = try? ServingRequest.decode(ServingRequest.Feedback.self, body) else { return }
            _ = try? service.feedback(f.events)
        }
    }

    /// An event log file as the server finds it at start; what replays is applied to a service.
    static func eventLog(_ bytes: [UInt8]) {
        let folder = FuzzTargets.scratch + "/events"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder + "/events-000001.jsonl", contents: Data(bytes))
        guard let replay = try? EventLog.replay(folder: folder) else { return }
        FuzzTargets.check(replay.tornLines <= 1, "\(replay.tornLines) torn lines in one file")
        _ = try? Service.shared.next().feedback(replay.events)
    }

    /// One service over a small ALS model, renewed every 2 000 inputs so that online state does
    /// not grow through a long run.
    final class Service: @unchecked Sendable {
        static let shared = Service()
        private let modelPath: String
        private var service: RecommendationService
        private var uses = 0

        private init() {
            modelPath = FuzzTargets.scratch + "/serve.model"
            do {
                let data = try SyntheticRatings(users: 30, items: 20, ratings: 300, seed: 1).generate(threads: 1)
                var als = ALSRecommender { $0.factors = 4; $0.iterations = 2 }
                try als.fit(data, context: .current, progress: nil)
                try als.save(to: modelPath)
                service = try RecommendationService(modelPath: modelPath, events: nil)
            } catch {
                fatalError("cannot build the fuzzing service: \(error)")
            }
        }

        func next() -> RecommendationService {
            uses += 1
            if uses % 2_000 == 0, let fresh = try? RecommendationService(modelPath: modelPath, events: nil) { service = fresh }
            return service
        }
    }
}
