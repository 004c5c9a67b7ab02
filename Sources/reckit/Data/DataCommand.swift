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

    /// How to read a rating file: its layout and how strictly to clean it.
    struct Input: ParsableArguments {
        @Argument(help: "Rating file: MovieLens u.data/ratings.dat/ratings.csv, CSV/TSV, Matrix Market .mtx, or a RecKit .rkds cache.")
        var file: String
        @Option(help: "Field delimiter: tab, comma, semicolon, '::', whitespace, or one character (default: from the file name).")
        var delimiter: String?
        @Option(help: "Fields as user,item[,rating[,timestamp]] positions, e.g. 0,1,2,3; '-' for none (default: 0,1,2).")
        var columns: String?
        @Flag(inversion: .prefixedNo, help: "Whether the first line is a header (default: detected).")
        var header: Bool?
        @Flag(help: "Skip bad lines and count them instead of stopping at the first one.")
        var lenient = false
        @Option(help: "How to merge repeated (user, item) pairs: last, mean, sum.")
        var duplicates = "last"
        @Option(help: "Allowed rating range, e.g. 1:5; ratings outside it are bad lines.")
        var scale: String?

        func load() throws -> RatingDataset {
            var options = LoadOptions(mode: lenient ? .lenient : .strict)
            guard let policy = DuplicatePolicy(rawValue: duplicates) else { throw ValidationError("--duplicates must be last, mean or sum") }
            options.duplicates = policy
            if let scale {
                let parts = scale.split(separator: ":").compactMap { Float($0) }
                guard parts.count == 2, parts[0] <= parts[1] else { throw ValidationError("--scale must look like 1:5") }
                options.ratingScale = parts[0]...parts[1]
            }
            var format: RatingFileFormat? = nil
            if delimiter != nil || columns != nil || header != nil {
                var f = RatingFileFormat.forFile(file)
                if let delimiter { f.delimiter = try parseDelimiter(delimiter) }
                if let columns {
                    let c = columns.split(separator: ",").map { $0 == "-" ? nil : Int($0) }
                    guard c.count >= 2, let u = c[0], let i = c[1], u >= 0, i >= 0 else {
                        throw ValidationError("--columns needs user,item[,rating[,timestamp]] field numbers")
                    }
                    f.columns = .init(user: u, item: i, rating: c.count > 2 ? c[2] : nil, timestamp: c.count > 3 ? c[3] : nil)
                }
                if let header { f.hasHeader = header }
                format = f
            }
            let d = try RatingDataset.load(path: file, format: format, options: options)
            if let r = d.report { note(r.summary) }
            return d
        }
    }
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

func parseDelimiter(_ text: String) throws -> RatingFileFormat.Delimiter {
    switch text.lowercased() {
    case "tab", "\\t", "\t": return .tab
    case "comma", ",": return .comma
    case "semicolon", ";": return .semicolon
    case "::": return .doubleColon
    case "whitespace", "space", " ": return .whitespace
    default:
        guard text.utf8.count == 1 else { throw ValidationError("--delimiter must be tab, comma, semicolon, '::', whitespace or one character") }
        return .byte(text.utf8.first!)
    }
}
