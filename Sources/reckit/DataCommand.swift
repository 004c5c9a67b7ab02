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

extension DataCommand {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a synthetic rating matrix (power-law activity and popularity, low-rank truth + noise).")
        @Option(help: "Users.") var users = 100_000
        @Option(help: "Items.") var items = 20_000
        @Option(help: "Ratings.") var ratings = 2_000_000
        @Option(help: "explicit (1–5 stars) or implicit (counts).") var kind = "explicit"
        @Option(help: "Rank of the ground truth.") var rank = 16
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Output: .csv (user,item,rating), .mtx, or .rkds (RecKit cache).") var out: String

        func run() throws {
            guard let k = SyntheticRatings.Kind(rawValue: kind) else { throw ValidationError("--kind must be explicit or implicit") }
            var spec = SyntheticRatings(users: users, items: items, ratings: ratings, kind: k, seed: seed)
            spec.rank = rank
            let clock = ContinuousClock()
            let start = clock.now
            let d = try spec.generate()
            note(String(format: "generated %d users × %d items, %d ratings in %.2f s", d.userCount, d.itemCount, d.ratingCount, (clock.now - start).seconds))
            try write(d, to: out)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert a rating file to CSV, Matrix Market or a RecKit binary cache (.rkds).")
        @OptionGroup var input: Input
        @Option(help: "Output: .csv, .mtx or .rkds.") var out: String

        func run() throws { try write(try input.load(), to: out) }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Split ratings into train and test files, deterministically for a seed.")
        @OptionGroup var input: Input
        @Option(help: "random, kfold, per-user, leave-last-out, temporal.") var method = "random"
        @Option(help: "Test share for random, per-user and temporal.") var testFraction = 0.2
        @Option(help: "Folds for kfold.") var folds = 5
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Output folder (train/test files in the output format).") var outDir: String
        @Option(help: "Output format: csv, mtx or rkds.") var outFormat = "csv"

        func run() throws {
            let d = try input.load()
            let splits: [RatingSplit]
            switch method {
            case "random": splits = [try d.randomHoldout(testFraction: testFraction, seed: seed)]
            case "kfold": splits = try d.kFold(folds, seed: seed)
            case "per-user": splits = [try d.perUserHoldout(testFraction: testFraction, seed: seed)]
            case "leave-last-out": splits = [d.leaveLastOut(seed: seed)]
            case "temporal": splits = [try d.temporalSplit(testFraction: testFraction)]
            default: throw ValidationError("--method must be random, kfold, per-user, leave-last-out or temporal")
            }
            guard ["csv", "mtx", "rkds"].contains(outFormat) else { throw ValidationError("--out-format must be csv, mtx or rkds") }
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            for (f, s) in splits.enumerated() {
                let suffix = splits.count > 1 ? "\(f + 1)" : ""
                try write(s.train, to: "\(outDir)/train\(suffix).\(outFormat)")
                try write(s.test, to: "\(outDir)/test\(suffix).\(outFormat)")
                note("split \(f + 1): \(s.train.ratingCount) train, \(s.test.ratingCount) test ratings")
            }
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
