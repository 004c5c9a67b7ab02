import ArgumentParser
import Foundation
import RecKit
import RecKitServing

/// `reckit bandit`.
struct Bandit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore/exploit policies: replayed on rating data (simulate), evaluated off-policy on logged feedback (evaluate).",
        subcommands: [Simulate.self, Evaluate.self])
}

extension Bandit {
    /// A comma-separated list of policies given to `flag`, at least one.
    static func policies(_ text: String, flag: String) throws -> [Policy] {
        let list = try text.split(separator: ",").map { name in
            do { return try Policy(parsing: String(name)) } catch { throw ValidationError("\(flag): \(error)") }
        }
        guard !list.isEmpty else { throw ValidationError("\(flag) names no policy") }
        return list
    }
}
