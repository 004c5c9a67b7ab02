import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, generate, convert and split rating data.",
        subcommands: [Stats.self, Synth.self, Convert.self, Split.self]
    )
}

/// Writes a dataset in the format its extension names.
func write(_ d: RatingDataset, to path: String) throws {
    let lower = path.lowercased()
    if lower.hasSuffix(".rkds") { try d.writeCache(to: path) }
    else if lower.hasSuffix(".mtx") { try MatrixMarket.write(d.ratings, to: path, comment: "written by reckit") }
    else if lower.hasSuffix(".csv") { try d.writeCSV(to: path) }
    else { throw ValidationError("output \(path): use a .csv, .mtx or .rkds file name") }
    note("wrote \(path)")
}
