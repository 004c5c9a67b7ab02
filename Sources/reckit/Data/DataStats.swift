import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension DataCommand {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users, items, ratings, density, rating histogram and long-tail share.")
        @Argument(help: "The rating file.") var file: String
        @OptionGroup var input: RatingFileOptions
        @Option(help: "Also write the statistics as JSON to this file (schema reckit-data-stats/1, docs/cli.md).") var json: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.apply()
            try OutputGuard.check(inputs: [file], outputs: [("--json", json)])
            let d = try input.load(file)
            let stats = DatasetStatistics(d)
            print(stats.text)
            if let json {
                try Report.writeJSON(JSONDocument(schema: "reckit-data-stats/1", body: stats), to: json)
                note("wrote \(json)")
            }
        }
    }
}
