import Atomics
import Foundation
import HashTreeCollections
import RecKitData
import RecKitLinearAlgebra
import RecKitModels
import Synchronization

/// The engine behind `reckit serve`, without HTTP: recommendations by policy, similar items,
/// feedback that is logged durably and then learned from, and atomic model reloads.
///
/// Reads (``recommend(user:n:policy:excludeSeen:seed:)`` …) load the current ``ServingState``
/// atomically and take no lock. Writes (feedback, reload) are serialised by one writer lock, build
/// the next state and store it atomically, so a reader sees the state before or after a write,
/// never half of one.
public final class RecommendationService: Sendable {
    public struct Options: Sendable {
        /// The largest `n` a request may ask for.
        public var maxN = 1_000
        /// The largest number of events in one feedback request.
        public var maxEvents = 10_000
        /// The default policy of requests that name none.
        public var defaultPolicy = Policy.greedy
        /// σ of the posterior of ``Uncertainty`` (the exploring policies' scale).
        public var posteriorScale = 1.0
        /// Threads each request's scoring may use.
        public var threadsPerRequest = 1
        /// Each training user's greedy top this many is computed when a model is loaded, and greedy
        /// requests of training users without feedback for at most this many are answered from it.
        public var cacheDepth = 50
        public init() {}
    }

    public let options: Options
    public let log: EventLog?
    private let state: ManagedAtomic<ServingState>
    private let writer = Mutex(())
    private let requests = ManagedAtomic<Int>(0)
    private let startTag = String(Int(Date().timeIntervalSince1970) % 100_000_000, radix: 36)
    let context: ExecutionContext

    /// Loads the model and, with an event folder, opens its log for this service alone (a second
    /// service on the folder is refused) and replays it (reporting what was found).
    public init(modelPath: String, events folder: String?, options: Options = Options(), report: (String) -> Void = { _ in }) throws {
        self.options = options
        var c = ExecutionContext.current
        c.threads = options.threadsPerRequest
        context = c
        let model = try ServingModel(path: modelPath, context: c, cacheDepth: options.cacheDepth)
        var users = TreeDictionary<String, OnlineUser>()
        var newItemEvents: [FeedbackEvent] = []
        var applied = 0
        if let folder {
            let opened = try EventLog(folder: folder)
            let replay = opened.recovered
            for (k, e) in replay.events.enumerated() {
                do {
                    try Self.apply(e, model: model, users: &users, newItemEvents: &newItemEvents, context: c)
                    applied += 1
                } catch {
                    report("event \(k + 1) of the log (user \(e.user), item \(e.item)) cannot be applied to this model: \(error)")
                }
            }
            report("replayed \(applied) of \(replay.events.count) events from \(replay.files) file(s) in \(folder)"
                   + (replay.tornLines > 0 ? "; dropped \(replay.tornLines) line(s) cut short by a crash (never acknowledged)" : ""))
            log = opened
        } else {
            log = nil
        }
        state = ManagedAtomic(ServingState(model: model, users: users, eventsApplied: applied, newItemEvents: newItemEvents))
    }

    /// The state requests read now.
    var current: ServingState { state.load(ordering: .acquiring) }

    public var modelVersion: String { current.model.version }
    public var modelName: String { current.model.modelName }
    public var eventsApplied: Int { current.eventsApplied }
    public var onlineUsers: Int { current.users.count }
    /// Events on new items waiting for the next refit.
    public var pendingNewItemEvents: Int { current.newItemEvents.count }

    /// The factors the server learned online for `user` (nil: no feedback from them).
    public func onlineUser(_ user: String) -> FoldedInUser? { current.users[user]?.folded }

    func nextRequestID() -> String {
        "\(startTag)-\(requests.loadThenWrappingIncrement(ordering: .relaxed))"
    }

    func checkN(_ n: Int) throws {
        guard n >= 1, n <= options.maxN else { throw ServingError.badRequest("n", "must be in 1…\(options.maxN), got \(n)") }
    }

    // MARK: Reading

    /// The top `n` for a known user (a training user, or one the server learned online).
    public func recommend(user: String, n: Int, policy: Policy? = nil, excludeSeen: Bool = true, seed: UInt64? = nil) throws -> RecommendResponse {
        try checkN(n)
        let s = current
        let policy = policy ?? options.defaultPolicy
        // Greedy lists with the user's own items left out, up to the cache's depth, come from a
        // cache: computed at load for training users, and for a user learned online by the first
        // such request after their latest feedback.
        let cacheable = policy == .greedy && excludeSeen && n <= s.model.cacheDepth
        if let online = s.users[user] {
            if cacheable, let folding = s.model.folding {
                let top = try online.greedyTop.prefix(n) {
                    try folding.recommend(online.folded, count: s.model.cacheDepth, filter: RecommendationFilter(excludeTrainingItems: true), context: context)
                }
                return greedyResponse(s, user: user, top: top[...], online: true)
            }
            return try respond(s, user: user, folded: online.folded, history: online.history, n: n, policy: policy, excludeSeen: excludeSeen, seed: seed, online: true)
        }
        guard let u = s.model.userIDs.index(of: user) else {
            throw ServingError.notFound("user", "user '\(user)' is not in the model and has sent no feedback; POST /v1/recommend with a history recommends for a new user")
        }
        if cacheable, let top = s.model.cachedTop(u, n: n) {
            return greedyResponse(s, user: user, top: top[...], online: false)
        }
        if let folded = s.model.trainingUser(u) {
            return try respond(s, user: user, folded: folded, history: s.model.trainingHistory(u), n: n, policy: policy, excludeSeen: excludeSeen, seed: seed, online: false)
        }
        // A model without factors: its own greedy list.
        guard policy == .greedy else { throw ServingError.unprocessable("policy", "\(s.model.modelName) has no factors to explore with; only greedy") }
        let list = try s.model.recommender.recommend(users: u..<(u + 1), count: n,
                                                     filter: RecommendationFilter(excludeTrainingItems: excludeSeen), context: context)[0]
        return greedyResponse(s, user: user, top: list[...], online: false)
    }

    /// The answer of the greedy policy with the list `top`.
    func greedyResponse(_ s: ServingState, user: String?, top: ArraySlice<Recommendation>, online: Bool) -> RecommendResponse {
        RecommendResponse(user: user, items: top.enumerated().map { k, r in
            .init(item: s.model.itemIDs.externalID(r.item), score: r.score, position: k + 1, propensity: 1)
        }, modelVersion: s.model.version, requestId: nextRequestID(), policy: "greedy", propensityMethod: Policy.greedy.propensityMethod, online: online)
    }

    /// The top `n` for a user described by a history (item ids with values): folded in, not stored.
    public func recommend(history: [(item: String, value: Float)], n: Int, policy: Policy? = nil, excludeSeen: Bool = true,
                          seed: UInt64? = nil) throws -> RecommendResponse {
        try checkN(n)
        let s = current
        guard let folding = s.model.folding else { throw ServingError.unprocessable("history", "\(s.model.modelName) cannot fold in a new user") }
        var items: [Int32] = [], values: [Float] = []
        for (k, h) in history.enumerated() {
            guard h.value.isFinite else { throw ServingError.badRequest("history[\(k)].value", "must be a finite number") }
            (items, values) = OnlineUser.merged(items, values, item: try s.model.item(h.item, field: "history[\(k)].item"), value: h.value)
        }
        let folded: FoldedInUser
        do { folded = try folding.foldIn(items: items, ratings: values) } catch { throw ServingError.unprocessable("history", "\(error)") }
        return try respond(s, user: nil, folded: folded, history: zip(items, values).map { ($0, $1) }, n: n, policy: policy ?? options.defaultPolicy,
                           excludeSeen: excludeSeen, seed: seed, online: true)
    }

    func respond(_ s: ServingState, user: String?, folded: FoldedInUser, history: [(item: Int32, value: Float)], n: Int, policy: Policy,
                 excludeSeen: Bool, seed: UInt64?, online: Bool) throws -> RecommendResponse {
        let folding = s.model.folding!
        if policy == .greedy {
            let list = try folding.recommend(folded, count: n, filter: RecommendationFilter(excludeTrainingItems: excludeSeen), context: context)
            return greedyResponse(s, user: user, top: list[...], online: online)
        }
        let c = try s.model.candidates(for: folded, history: history, excluding: excludeSeen ? Set(folded.items) : [], policy: policy,
                                       posteriorScale: options.posteriorScale, context: context)
        var rng = SeededGenerator(seed: seed ?? UInt64.random(in: 0...UInt64.max))
        let slate = policy.choose(n: n, scores: c.scores, uncertainty: c.uncertainty, rows: c.rows, rng: &rng)
        let entries: [RecommendResponse.Item] = slate.candidates.indices.map { k in
            .init(item: s.model.itemIDs.externalID(c.rows[slate.candidates[k]]), score: slate.scores[k], position: k + 1, propensity: slate.propensities[k])
        }
        return RecommendResponse(user: user, items: entries, modelVersion: s.model.version, requestId: nextRequestID(), policy: policy.description,
                                 propensityMethod: policy.propensityMethod, online: online)
    }

    /// The `n` items whose factors are most like `item`'s (cosine).
    public func similar(item: String, n: Int) throws -> SimilarResponse {
        try checkN(n)
        let s = current
        guard let folding = s.model.folding else { throw ServingError.unprocessable("item", "\(s.model.modelName) has no factors to compare") }
        let i = try s.model.itemIDs.index(of: item).map { $0 } ?? { throw ServingError.notFound("item", "item '\(item)' is not in the model") }()
        let list = try folding.similarItems(to: i, count: n, context: context)
        return SimilarResponse(item: item, items: list.enumerated().map { k, r in .init(item: s.model.itemIDs.externalID(r.item), score: r.score, position: k + 1) },
                               modelVersion: s.model.version)
    }

    /// The model's score of `item` for `user`.
    public func explain(user: String, item: String) throws -> ExplainResponse {
        let s = current
        let i = try s.model.itemIDs.index(of: item).map { $0 } ?? { throw ServingError.notFound("item", "item '\(item)' is not in the model") }()
        if let online = s.users[user], let folding = s.model.folding {
            let score = try folding.scores(for: online.folded, context: context)[i]
            return ExplainResponse(user: user, item: item, score: score, modelVersion: s.model.version)
        }
        guard let u = s.model.userIDs.index(of: user) else { throw ServingError.notFound("user", "user '\(user)' is not in the model") }
        return ExplainResponse(user: user, item: item, score: s.model.recommender.predict(user: u, item: i), modelVersion: s.model.version)
    }

    // MARK: Writing

    /// Checks every event, applies them (each user's factors are folded in again from their whole
    /// history), queues them on the event log in the order they were applied, and returns once they
    /// are synced to disk — committed in a group with the feedback of other requests that arrived
    /// meanwhile. Nothing is logged or applied when one event is wrong. The answer (the
    /// acknowledgement) comes only after the sync; a reader may see the new factors a moment before.
    /// Blocks the calling thread during the sync (≈ 0.1–0.2 ms on an SSD), which it usually performs
    /// itself: a server answers sooner this way than by suspending the request until another
    /// thread has synced (docs/serving.md has the measurement).
    public func feedback(_ events: [FeedbackEvent]) throws -> FeedbackResponse {
        let (response, group) = try applyAndLog(events)
        if let group { try log?.waitUntilDurable(group) }
        return response
    }

    /// The part of feedback before the sync: checks, applies and queues `events` on the log (the
    /// group to wait for, nil without a log).
    private func applyAndLog(_ events: [FeedbackEvent]) throws -> (FeedbackResponse, Int?) {
        guard !events.isEmpty else { throw ServingError.badRequest("events", "no events") }
        guard events.count <= options.maxEvents else { throw ServingError.badRequest("events", "\(events.count) events; at most \(options.maxEvents) per request") }
        return try writer.withLock { _ in
            let s = current
            guard s.model.folding != nil else { throw ServingError.unprocessable(nil, "\(s.model.modelName) cannot learn online (it has no factors to fold in)") }
            var checked: [FeedbackEvent] = []
            for (k, e) in events.enumerated() {
                let field = events.count == 1 ? "" : "events[\(k)]."
                var v = try e.validated(at: field)
                if v.newItem != true { _ = try s.model.item(v.item, field: "\(field)item") }
                if v.timestamp == nil { v.timestamp = Date().timeIntervalSince1970 }
                checked.append(v)
            }
            var users = s.users, newItemEvents = s.newItemEvents
            var touched = Set<String>()
            // Apply to a copy first, so that an event the model refuses is refused before it is logged.
            for (k, e) in checked.enumerated() {
                do {
                    if try Self.apply(e, model: s.model, users: &users, newItemEvents: &newItemEvents, context: context) { touched.insert(e.user) }
                } catch {
                    throw ServingError.unprocessable(events.count == 1 ? "value" : "events[\(k)].value", "\(error)")
                }
            }
            let group = try log?.enqueue(checked)
            state.store(ServingState(model: s.model, users: users, eventsApplied: s.eventsApplied + checked.count, newItemEvents: newItemEvents),
                        ordering: .releasing)
            return (FeedbackResponse(accepted: checked.count, usersUpdated: touched.count, newItemEvents: newItemEvents.count - s.newItemEvents.count,
                                     modelVersion: s.model.version), group)
        }
    }

    /// Updates `e`'s user with `e` added to their history (the model's online step) and returns true; an event on an
    /// item the model does not know, sent as a new item, is kept for the next refit instead (false).
    @discardableResult
    static func apply(_ e: FeedbackEvent, model: ServingModel, users: inout TreeDictionary<String, OnlineUser>,
                      newItemEvents: inout [FeedbackEvent], context: ExecutionContext) throws -> Bool {
        guard let folding = model.folding else { throw ServingError.unprocessable(nil, "\(model.modelName) cannot learn online") }
        if e.newItem == true, model.itemIDs.index(of: e.item) == nil {
            newItemEvents.append(e)
            return false
        }
        let item = try model.item(e.item, field: "item")
        var items: [Int32], values: [Float], count: Int
        var previous: FoldedInUser?
        if let online = users[e.user] {
            (items, values, count) = (online.items, online.values, online.events)
            previous = online.folded
        } else if let u = model.userIDs.index(of: e.user) {
            let h = model.trainingHistory(u)
            (items, values, count) = (h.map(\.item), h.map(\.value), 0)
            previous = model.trainingUser(u)
        } else {
            (items, values, count) = ([], [], 0)
        }
        (items, values) = OnlineUser.merged(items, values, item: item, value: e.value)
        // The model's own online step: a fresh fold-in (ALS, SVD: the exact user step) or a few
        // SGD passes from the user's current factors (biased MF).
        let folded = try folding.onlineUpdate(previous, items: items, ratings: values)
        users[e.user] = OnlineUser(items: items, values: values, folded: folded, events: count + 1)
        return true
    }

    /// Loads the model file again (or `path`) and swaps it in; every online user is folded in again
    /// against the new model. Requests keep being served from the old model until the swap.
    public func reload(path: String? = nil) throws -> ReloadResponse {
        try writer.withLock { _ in
            let s = current
            let model = try ServingModel(path: path ?? s.model.path, context: context, cacheDepth: options.cacheDepth)
            let next = carryOver(s, to: model)
            state.store(next, ordering: .releasing)
            return ReloadResponse(modelVersion: model.version, previousVersion: s.model.version, onlineUsers: next.users.count)
        }
    }

    /// `s`'s online learning moved onto `model`: each online user's history, mapped to the new
    /// model's items by id, folded in again (items the new model lacks are left out of the fold-in
    /// and kept as new-item events), and new-item events the model now knows applied.
    func carryOver(_ s: ServingState, to model: ServingModel) -> ServingState {
        var users = TreeDictionary<String, OnlineUser>()
        var newItemEvents: [FeedbackEvent] = []
        if let folding = model.folding {
            for (id, online) in s.users {
                var items: [Int32] = [], values: [Float] = []
                for (i, v) in zip(online.items, online.values) {
                    let external = s.model.itemIDs.externalID(Int(i))
                    if let j = model.itemIDs.index(of: external) {
                        (items, values) = OnlineUser.merged(items, values, item: Int32(j), value: v)
                    } else {
                        newItemEvents.append(FeedbackEvent(user: id, item: external, value: v, newItem: true))
                    }
                }
                guard !items.isEmpty, let folded = try? folding.foldIn(items: items, ratings: values) else { continue }
                users[id] = OnlineUser(items: items, values: values, folded: folded, events: online.events)
            }
            for e in s.newItemEvents { _ = try? Self.apply(e, model: model, users: &users, newItemEvents: &newItemEvents, context: context) }
        }
        return ServingState(model: model, users: users, eventsApplied: s.eventsApplied, newItemEvents: newItemEvents)
    }

    // MARK: Refitting

    private let refitState = Mutex(RefitStatus.idle)

    /// The last refit's state.
    public var refitStatus: RefitStatus { refitState.withLock { $0 } }

    /// Starts refitting the model in the background from its training data plus everything learned
    /// online (every online user's history and the new-item events), with the same configuration;
    /// the result is written atomically to `path` (default: the model's file name with `.refit`
    /// added, so the file the server was started with is never overwritten) and swapped in, with
    /// the feedback that arrived during the refit carried over. Returns at once; a refit already
    /// running is refused (409).
    public func startRefit(to path: String? = nil, threads: Int = ExecutionContext.current.threads) throws -> RefitStatus {
        let s = current
        guard s.model.folding != nil else { throw ServingError(status: 422, field: nil, "\(s.model.modelName) has no factors to refit online; train it again with reckit train") }
        guard !type(of: s.model.recommender).needsTimestamps else {
            throw ServingError(status: 422, field: nil, "\(s.model.modelName) needs timestamps, which feedback does not carry; train it again with reckit train")
        }
        let target = path ?? (s.model.path.hasSuffix(".refit") ? s.model.path : s.model.path + ".refit")
        let started = try refitState.withLock { status -> RefitStatus in
            guard status.state != "running" else { throw ServingError(status: 409, field: nil, "a refit is already running (from \(status.fromVersion ?? "?"))") }
            status = RefitStatus(state: "running", fromVersion: s.model.version, path: target)
            return status
        }
        let thread = Thread { [self] in
            let clock = ContinuousClock.now
            var status = started
            do {
                let data = try Self.refitData(s)
                status.ratings = data.ratingCount; status.users = data.userCount; status.items = data.itemCount
                var c = ExecutionContext.current
                c.threads = max(1, threads)
                let fitted = try Self.fitAgain(s.model.recommender, on: data, context: c)
                try fitted.save(to: target)
                let model = try ServingModel(path: target, context: context, cacheDepth: options.cacheDepth, loadContext: c)
                writer.withLock { _ in state.store(carryOver(current, to: model), ordering: .releasing) }
                status.state = "succeeded"
                status.modelVersion = model.version
            } catch {
                status.state = "failed"
                status.error = "\(error)"
            }
            status.seconds = (ContinuousClock.now - clock).seconds
            let final = status
            refitState.withLock { $0 = final }
        }
        thread.stackSize = 8 << 20
        thread.start()
        return started
    }

    /// The training ratings, then every online user's history (replacing their training values),
    /// then the new-item events, as one dataset with external ids.
    static func refitData(_ s: ServingState) throws -> RatingDataset {
        let t = s.model.training
        var users: [String] = [], items: [String] = [], values: [Float] = []
        users.reserveCapacity(t.ratingCount); items.reserveCapacity(t.ratingCount); values.reserveCapacity(t.ratingCount)
        for u in 0..<t.userCount {
            let id = t.userIDs.externalID(u)
            for k in t.ratings.range(ofRow: u) {
                users.append(id); items.append(t.itemIDs.externalID(Int(t.ratings.columnIndices[k]))); values.append(t.ratings.values[k])
            }
        }
        for (id, online) in s.users {
            for (i, v) in zip(online.items, online.values) { users.append(id); items.append(s.model.itemIDs.externalID(Int(i))); values.append(v) }
        }
        for e in s.newItemEvents { users.append(e.user); items.append(e.item); values.append(e.value) }
        return try RatingDataset.fromTriples(users: users, items: items, values: values, what: "the refit's ratings")
    }

    /// A new model of `model`'s type and configuration, fitted on `data`.
    static func fitAgain<R: Recommender>(_ model: R, on data: RatingDataset, context: ExecutionContext) throws -> any Recommender {
        var fresh = R(model.configuration)
        try fresh.fit(data, context: context, progress: nil)
        return fresh
    }
}
