import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit similar`.
struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Items or users most similar to one, by the cosine of a model's factors.",
        discussion: "Models with factors: \(ModelRegistry.all.filter(\.foldsIn).map(\.name).joined(separator: ", ")).\n\n"
            + "Example: reckit similar --model als.model --item 50 --n 5")
    @Option(help: "A model saved by `reckit train`.") var model: String
    @Option(help: "An item id as in the training file.") var item: String?
    @Option(help: "A user id as in the training file.") var user: String?
    @Option(help: "How many to list.") var n = 10
    @Option(help: "Write the CSV (item or user,similar,rank,cosine) here (default: standard output).") var out: String?
    @Option(help: "Write the list as JSON to this file (schema reckit-similar/1, docs/cli.md).") var json: String?
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var output: OutputOptions

    struct Document: Encodable {
        var model: String
        var kind: String
        var id: String
        var scoreKind = ScoreKind.similarity
        var similar: [Entry]
        struct Entry: Encodable { var id: String; var rank: Int; var score: Float }
    }

    func run() throws {
        try output.apply()
        try OutputGuard.check(inputs: [model], outputs: [("--out", out), ("--json", json)])
        guard n >= 1 else { throw ValidationError("--n must be ≥ 1") }
        guard (item == nil) != (user == nil) else { throw ValidationError("give exactly one of --item ID or --user ID") }
        let loaded = try ModelRegistry.load(from: model)
        guard let m = loaded as? any FoldingIn, let train = m.training else {
            throw ValidationError("'\(type(of: loaded).name)' has no factors to compare; use \(ModelRegistry.all.filter(\.foldsIn).map(\.name).joined(separator: ", "))")
        }
        let context = try execution.context(command: "similar")
        var ids = item != nil ? train.itemIDs : train.userIDs
        ids.prepareLookup()
        let kind = item != nil ? "item" : "user", id = item ?? user!
        guard let index = ids.index(of: id) else { throw ValidationError("\(kind) '\(id)' is not in the model's training data") }
        let list = item != nil ? try m.similarItems(to: index, count: n, context: context) : try m.similarUsers(to: index, count: n, context: context)
        let entries = list.enumerated().map { Document.Entry(id: ids.externalID($1.item), rank: $0 + 1, score: $1.score) }
        var text = "\(kind),similar,rank,cosine\n"
        for e in entries { text += "\(CSV.field(id)),\(CSV.field(e.id)),\(e.rank),\(e.score)\n" }
        if let out {
            try AtomicOutput.write(text, to: out)
            note("wrote \(entries.count) similar \(kind)s to \(out)")
        } else {
            print(text, terminator: "")
        }
        if let json {
            try Report.writeJSON(JSONDocument(schema: "reckit-similar/1", body: Document(model: model, kind: kind, id: id, similar: entries)), to: json)
            note("wrote \(json)")
        }
    }
}
