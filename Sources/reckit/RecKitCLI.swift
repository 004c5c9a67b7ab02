import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

@main
struct RecKitCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reckit",
        abstract: "RecKit: a numerical engine for recommender systems on OpenBLAS and pure Swift.",
        version: RecKitVersion.string,
        subcommands: [Info.self, DataCommand.self, SVDCommand.self, Train.self, Evaluate.self, Recommend.self, Similar.self, Bench.self]
    )
}
