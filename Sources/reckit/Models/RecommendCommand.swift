import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit recommend`.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Top-N recommendations from a saved model, for one user or all (CSV with the original ids).")
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
    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
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
        let lists = try m.recommend(users: users, count: n, filter: filter, context: try execution.context())
        var text = "user,item,rank,score\n"
        for (offset, list) in lists.enumerated() {
            let uid = train.userIDs.externalID(users.lowerBound + offset)
            for (rank, r) in list.enumerated() { text += "\(uid),\(train.itemIDs.externalID(r.item)),\(rank + 1),\(r.score)\n" }
        }
        try emit(text, count: lists.reduce(0) { $0 + $1.count }, users: lists.count)
    }

    func emit(_ text: String, count: Int, users: Int) throws {
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            note("wrote \(count) recommendations for \(users) user\(users == 1 ? "" : "s") to \(out)")
        } else {
            print(text, terminator: "")
        }
    }

    /// A user outside the training data (written as user `new`): folded in from `--history`, or the
    /// popular items of their `--slice`.
    func coldStart(_ m: any Recommender, _ train: RatingDataset) throws {
        guard (history == nil) != (slice == nil) else { throw ValidationError("give one of --history or --slice") }
        var itemIDs = train.itemIDs
        itemIDs.prepareLookup()
        let list: [Recommendation]
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
            list = try folding.recommend(user, count: n, filter: RecommendationFilter(excludeTrainingItems: !includeSeen))
        } else {
            let parts = slice!.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--slice needs ATTRIBUTE=VALUE, got '\(slice!)'") }
            guard let path = userAttributes else { throw ValidationError("--slice needs --user-attributes FILE (MovieLens u.user)") }
            let popular = try SlicePopularity(train: train, users: try AttributeTable.movieLensUsers(path: path), attribute: parts[0])
            if popular.counts[parts[1]] == nil { note("no training user has \(parts[0]) = \(parts[1]); recommending the most popular items overall") }
            list = popular.recommend(slice: parts[1], count: n)
        }
        var text = "user,item,rank,score\n"
        for (rank, r) in list.enumerated() { text += "new,\(train.itemIDs.externalID(r.item)),\(rank + 1),\(r.score)\n" }
        try emit(text, count: list.count, users: 1)
    }
}
