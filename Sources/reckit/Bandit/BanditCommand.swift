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
