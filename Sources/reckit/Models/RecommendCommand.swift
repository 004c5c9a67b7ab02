import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit recommend`.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Top-N recommendations from a saved model, for one user or all (CSV with the original ids).",
        discussion: """
            The score column is what the model ranks by; its kind is stated on standard error and in \
            the JSON (score_kind): predicted_rating (clipped to the training data's rating range), \
            item_bias (baseline), count (popularity, slices) or relevance (a ranking score whose \
            order alone means something).

            Example: reckit recommend --model als.model --all-users --n 20 --out top20.csv
            """)
    @Option(help: "A model saved by `reckit train`.") var model: String
    @Option(help: "A user id as in the training file.") var user: String?
    @Flag(help: "Recommend for every training user.") var allUsers = false
    @Option(help: "Items per user.") var n = 10
    @Flag(help: "Also recommend items the user already has in training.") var includeSeen = false
    @Option(help: "Only these item ids may be recommended (comma-separated).") var allow: String?
    @Option(help: "These item ids are never recommended (comma-separated).") var deny: String?
    @Option(help: "Cold start: a new user's ratings as ITEM:RATING,… (folded in without refitting; factor models).") var history: String?
    @Option(help: "Cold start: a user with no history gets the most popular items of their slice, ATTRIBUTE=VALUE (e.g. occupation=student).")
    var slice: String?
    @Option(help: "With --slice: the user attributes file (MovieLens u.user).") var userAttributes: String?
    @Option(help: "Write user,item,rank,score CSV here (default: standard output).") var out: String?
    @Option(help: "Write the lists as JSON to this file (schema reckit-recommend/1, docs/cli.md).") var json: String?
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var output: OutputOptions

    /// One user's list with original ids, as written.
    struct UserList: Encodable {
        var user: String
        var items: [Entry]
        struct Entry: Encodable { var item: String; var rank: Int; var score: Float }
    }

    struct Document: Encodable {
        var model: String
        var scoreKind: ScoreKind
        var ratingRange: [Float]?
        var n: Int
        var users: [UserList]
    }

    func run() throws {
        try output.apply()
        try OutputGuard.check(inputs: [model], outputs: [("--out", out), ("--json", json)])
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        // Who to recommend for is said once: two of these at a time would leave one silently ignored.
        let given = [("--user", user != nil), ("--all-users", allUsers), ("--history", history != nil), ("--slice", slice != nil)].filter(\.1).map(\.0)
        guard given.count <= 1 else { throw ValidationError("give one of \(given.joined(separator: ", ")): each chooses the users to recommend for") }
        if let history, history.split(separator: ",").isEmpty {
            throw ValidationError("--history is empty: give the new user's ratings as ITEM:RATING,… (a user without any is --slice's case)")
        }
        let m = try ModelRegistry.load(from: model)
        guard let train = m.training else { throw ValidationError("the model file has no training data") }
        var userIDs = train.userIDs
        userIDs.prepareLookup()
        if history != nil || slice != nil { return try coldStart(m, train) }
        let users: Range<Int>
        if allUsers { users = 0..<train.userCount }
        else if let user {
            guard let u = userIDs.index(of: user) else { throw ValidationError("user '\(user)' is not in the model's training data") }
            users = u..<(u + 1)
        } else { throw ValidationError("give --user ID, --all-users, --history ITEM:RATING,… or --slice ATTRIBUTE=VALUE") }
        var itemIDs = train.itemIDs
        itemIDs.prepareLookup()
        func items(_ list: String?, _ flag: String) throws -> Set<Int32>? {
            guard let list else { return nil }
            return Set(try list.split(separator: ",").map { id in
                guard let i = itemIDs.index(of: String(id)) else { throw ValidationError("--\(flag): item '\(id)' is not in the model's training data") }
                return Int32(i)
            })
        }
        let filter = RecommendationFilter(excludeTrainingItems: !includeSeen, allowed: try items(allow, "allow"), denied: try items(deny, "deny") ?? [])
        let lists = try m.recommend(users: users, count: n, filter: filter, context: try execution.context(command: "recommend"))
        let range = train.ratingScale
        let written = lists.enumerated().map { offset, list in
            UserList(user: train.userIDs.externalID(users.lowerBound + offset), items: entries(list, m.scoreKind, train, range))
        }
        try emit(written, kind: m.scoreKind, train: train, range: range)
    }

    /// The list with original ids; predicted ratings clipped to the training data's range (a
    /// prediction beyond it means the end of the scale).
    /// `range` is the training data's rating range (``RatingDataset/ratingScale`` scans every
    /// rating: computed once per command, not per user).
    func entries(_ list: [Recommendation], _ kind: ScoreKind, _ train: RatingDataset, _ range: ClosedRange<Float>) -> [UserList.Entry] {
        list.enumerated().map { rank, r in
            let score = kind == .predictedRating ? min(max(r.score, range.lowerBound), range.upperBound) : r.score
            return UserList.Entry(item: train.itemIDs.externalID(r.item), rank: rank + 1, score: score)
        }
    }

    func emit(_ lists: [UserList], kind: ScoreKind, train: RatingDataset, range: ClosedRange<Float>) throws {
        let kindText: String
        switch kind {
        case .predictedRating: kindText = "predicted ratings, clipped to \(range.lowerBound)…\(range.upperBound)"
        case .itemBias: kindText = "item biases (how far above the mean rating an item is; the baseline's ranking)"
        case .count: kindText = "training interaction counts"
        case .similarity: kindText = "cosine similarities"
        case .relevance: kindText = "relevance (a ranking score: only its order means something)"
        }
        note("scores are \(kindText)")
        var text = "user,item,rank,score\n"
        for list in lists { for e in list.items { text += "\(CSV.field(list.user)),\(CSV.field(e.item)),\(e.rank),\(e.score)\n" } }
        let count = lists.reduce(0) { $0 + $1.items.count }
        if let out {
            try AtomicOutput.write(text, to: out)
            note("wrote \(count) recommendations for \(lists.count) user\(lists.count == 1 ? "" : "s") to \(out)")
        } else {
            print(text, terminator: "")
        }
        if let json {
            let doc = Document(model: model, scoreKind: kind, ratingRange: kind == .predictedRating ? [range.lowerBound, range.upperBound] : nil,
                               n: n, users: lists)
            try Report.writeJSON(JSONDocument(schema: "reckit-recommend/1", body: doc), to: json)
            note("wrote \(json)")
        }
    }

    /// A user outside the training data: folded in from `--history` (written as user `new`), or
    /// the popular items of their `--slice` (written as the slice, e.g. `occupation=student`).
    func coldStart(_ m: any Recommender, _ train: RatingDataset) throws {
        var itemIDs = train.itemIDs
        itemIDs.prepareLookup()
        if let history {
            guard let folding = m as? any FoldingIn else {
                throw ValidationError("'\(type(of: m).name)' cannot fold in a new user; use \(ModelRegistry.all.filter(\.foldsIn).map(\.name).joined(separator: ", "))")
            }
            var items: [Int32] = [], ratings: [Float] = []
            for pair in history.split(separator: ",") {
                let parts = pair.split(separator: ":")
                guard parts.count == 2, let r = Float(parts[1]), r.isFinite else { throw ValidationError("--history: '\(pair)' is not ITEM:RATING") }
                guard let i = itemIDs.index(of: String(parts[0])) else { throw ValidationError("--history: item '\(parts[0])' is not in the model's training data") }
                items.append(Int32(i)); ratings.append(r)
            }
            let user = try folding.foldIn(items: items, ratings: ratings)
            let list = try folding.recommend(user, count: n, filter: RecommendationFilter(excludeTrainingItems: !includeSeen))
            let range = train.ratingScale
            try emit([UserList(user: "new", items: entries(list, m.scoreKind, train, range))], kind: m.scoreKind, train: train, range: range)
        } else {
            let parts = slice!.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--slice needs ATTRIBUTE=VALUE, got '\(slice!)'") }
            guard let path = userAttributes else { throw ValidationError("--slice needs --user-attributes FILE (MovieLens u.user)") }
            let popular = try SlicePopularity(train: train, users: try AttributeTable.movieLensUsers(path: path), attribute: parts[0])
            if popular.counts[parts[1]] == nil { Reporter.shared.warning("no training user has \(parts[0]) = \(parts[1]); recommending the most popular items overall") }
            let list = popular.recommend(slice: parts[1], count: n)
            let range = train.ratingScale
            try emit([UserList(user: "\(parts[0])=\(parts[1])", items: entries(list, .count, train, range))], kind: .count, train: train, range: range)
        }
    }
}
