import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension DataCommand {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users, items, ratings, density, rating histogram and long-tail share.")
        @OptionGroup var input: Input
        @Option(help: "Also write the statistics as JSON to this file.")
        var json: String?

        func run() throws {
            let d = try input.load()
            let stats = DatasetStatistics(d)
            print(stats.text)
            if let json { try Report.writeJSON(stats, to: json) }
        }
    }
}
