import ArgumentParser
import Foundation
import RecKit

/// How to read rating files, the same in every command that reads them. Nothing needs to be
/// given: the delimiter, quoting, header and columns are read from the file
/// (``RatingFileFormat/detect(path:hints:)``); what is given wins over that and over the file name.
struct RatingFileOptions: ParsableArguments {
    @Option(help: "Field delimiter: tab, comma, semicolon, pipe, '::', whitespace, or one character (default: read from the file).")
    var delimiter: String?
    @Option(help: ArgumentHelp("The fields as user,item[,rating[,timestamp]]: positions from 0 ('-' for none), or header names, e.g. user_id,movie_id,stars,ts (default: read from the header or the values).", valueName: "fields"))
    var columns: String?
    @Flag(inversion: .prefixedNo, help: "Whether the first line is a header (default: read from the file).")
    var header: Bool?
    @Option(help: ArgumentHelp("Allowed rating range, e.g. 1:5; ratings outside it are bad lines.", valueName: "min:max"))
    var ratingRange: String?
    @Option(help: .hidden) var scale: String?
    @Flag(help: "Skip bad lines and count them instead of stopping at the first one.")
    var lenient = false
    @Option(help: "How to merge repeated (user, item) pairs: last, mean or sum.")
    var duplicates = "last"

    /// What the flags state about the layout.
    func hints() throws -> FormatHints {
        var h = FormatHints()
        if let delimiter { h.delimiter = try parseDelimiter(delimiter) }
        h.header = header
        if let columns {
            do { h.columns = try ColumnSelection(parsing: columns) } catch { throw ValidationError("\(error)") }
        }
        return h
    }

    func loadOptions(threads: Int) throws -> LoadOptions {
        var options = LoadOptions(mode: lenient ? .lenient : .strict, threads: threads)
        guard let policy = DuplicatePolicy(rawValue: duplicates) else { throw ValidationError("--duplicates must be last, mean or sum") }
        options.duplicates = policy
        var range = ratingRange
        if let scale {
            deprecated("--scale (the rating range)", use: "--rating-range \(scale)")
            range = range ?? scale
        }
        if let range {
            guard let scale = LoadOptions.ratingScale(parsing: range) else { throw ValidationError("--rating-range must look like 1:5, got '\(range)'") }
            options.ratingScale = scale
        }
        return options
    }

    /// Loads `path`, telling how its layout was read and what was dropped or merged.
    func load(_ path: String, threads: Int = ExecutionContext.current.threads) throws -> RatingDataset {
        let d = try RatingDataset.load(path: path, hints: try hints(), options: try loadOptions(threads: threads))
        if let r = d.report { report(r) }
        return d
    }

    /// One line per load (its layout) by default; the details with `--verbose`; drops and merges
    /// always.
    func report(_ r: LoadReport) {
        let out = Reporter.shared
        out.line("read \(r.file): \(r.ratingsKept) ratings" + (r.format.map { " (\($0))" } ?? ""))
        for n in r.formatNotes { out.detail("  " + n) }
        out.detail("  " + r.summary)
        if r.dropsOrMerges { out.warning(r.summary) }
    }
}

func parseDelimiter(_ text: String) throws -> RatingFileFormat.Delimiter {
    guard let d = RatingFileFormat.Delimiter(named: text) else {
        throw ValidationError("--delimiter must be tab, comma, semicolon, pipe, '::', whitespace or one character")
    }
    return d
}
