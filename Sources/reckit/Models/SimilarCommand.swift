import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit similar`.
struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Items or users most similar to one, by the cosine of a factor model's factors (\(ModelRegistry.all.filter(\.foldsIn).map(\.name).joined(separator: ", "))).")
    @Option(help: "A model saved by `reckit train`.") var model: String
    @Option(help: "An item id as in the training file.") var item: String?
    @Option(help: "A user id as in the training file.") var user: String?
    @Option(help: "How many to list.") var n = 10
    @OptionGroup var execution: ExecutionOptions

    func run() throws {
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        guard (item == nil) != (user == nil) else { throw ValidationError("give exactly one of --item ID or --user ID") }
        let loaded = try ModelRegistry.load(from: model)
        guard let m = loaded as? any FoldingIn, let train = m.training else {
            throw ValidationError("'\(type(of: loaded).name)' has no factors to compare; use \(ModelRegistry.all.filter(\.foldsIn).map(\.name).joined(separator: ", "))")
        }
        let context = try execution.context()
        var ids = item != nil ? train.itemIDs : train.userIDs
        ids.prepareLookup()
        let kind = item != nil ? "item" : "user", id = item ?? user!
        guard let index = ids.index(of: id) else { throw ValidationError("\(kind) '\(id)' is not in the model's training data") }
        let list = item != nil ? try m.similarItems(to: index, count: n, context: context) : try m.similarUsers(to: index, count: n, context: context)
        print("\(kind),similar,rank,cosine")
        for (rank, r) in list.enumerated() { print("\(id),\(ids.externalID(r.item)),\(rank + 1),\(r.score)") }
    }
}
