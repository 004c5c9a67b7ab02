import Foundation
/// How the fields of a rating file are laid out.
public struct RatingFileFormat: Sendable, Equatable, CustomStringConvertible {
    /// What separates fields.
    public enum Delimiter: Sendable, Equatable {
        /// One byte, e.g. `\t`, `,`, `;`.
        case byte(UInt8)
        /// The two-byte `::` of MovieLens 1M/10M.
        case doubleColon
        /// Runs of spaces and tabs (Matrix Market and many text dumps).
        case whitespace

        public static let tab = Delimiter.byte(9), comma = Delimiter.byte(44), semicolon = Delimiter.byte(59)

        /// A delimiter by name, as the command lines take it: tab, comma, semicolon, pipe, `::`,
        /// whitespace, or one character; nil for anything else.
        public init?(named text: String) {
            switch text.lowercased() {
            case "tab", "\\t", "\t": self = .tab
            case "comma", ",": self = .comma
            case "semicolon", ";": self = .semicolon
            case "pipe", "|": self = .byte(124)
            case "::": self = .doubleColon
            case "whitespace", "space", " ": self = .whitespace
            default:
                guard text.utf8.count == 1 else { return nil }
                self = .byte(text.utf8.first!)
            }
        }

        var name: String {
            switch self {
            case .byte(9): return "tab"
            case .byte(let b): return "'\(Character(Unicode.Scalar(b)))'"
            case .doubleColon: return "'::'"
            case .whitespace: return "whitespace"
            }
        }
    }

    /// Which field (0-based) holds what. Fields beyond those named are ignored.
    public struct Columns: Sendable, Equatable {
        public var user: Int
        public var item: Int
        /// `nil`: every line is one implicit interaction with value 1.
        public var rating: Int?
        public var timestamp: Int?

        public init(user: Int = 0, item: Int = 1, rating: Int? = 2, timestamp: Int? = nil) {
            self.user = user
            self.item = item
            self.rating = rating
            self.timestamp = timestamp
        }

        var maxField: Int { [user, item, rating ?? 0, timestamp ?? 0].max()! }
    }

    public var delimiter: Delimiter
    /// `true`: the first non-empty line is a header; `nil`: decided by looking at it (a header's
    /// rating or id fields are not numbers).
    public var hasHeader: Bool?
    public var columns: Columns
    /// Require integer user/item ids (a non-integer id is a bad line). Otherwise ids may be strings.
    public var numericIDs: Bool
    /// RFC 4180 quoting (one-byte delimiters only): a field that starts with `"` runs to the next
    /// lone `"`, may hold the delimiter, and writes a quote as `""`. A quoted field does not span
    /// lines; an unterminated one is a bad line.
    public var quoted: Bool

    public init(delimiter: Delimiter, hasHeader: Bool? = nil, columns: Columns = Columns(), numericIDs: Bool = false, quoted: Bool = false) {
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.columns = columns
        self.numericIDs = numericIDs
        self.quoted = quoted
    }

    /// MovieLens 100K `u.data` (and `u1.base` …): `user\titem\trating\ttimestamp`.
    public static let movieLens100K = RatingFileFormat(delimiter: .tab, hasHeader: false, columns: Columns(timestamp: 3), numericIDs: true)
    /// MovieLens 1M/10M `ratings.dat`: `user::item::rating::timestamp`.
    public static let movieLensDat = RatingFileFormat(delimiter: .doubleColon, hasHeader: false, columns: Columns(timestamp: 3), numericIDs: true)
    /// MovieLens 20M/25M/latest `ratings.csv`: header `userId,movieId,rating,timestamp`.
    public static let movieLensCSV = RatingFileFormat(delimiter: .comma, hasHeader: true, columns: Columns(timestamp: 3), numericIDs: true)
    /// `user,item,rating` CSV, header detected.
    public static let csv = RatingFileFormat(delimiter: .comma)

    /// The format a file's name suggests: `u.data`/`*.data`/`*.base`/`*.test` → MovieLens 100K,
    /// `*.dat` → MovieLens 1M/10M, `ratings.csv` → MovieLens CSV, `*.csv` → CSV, `*.tsv` → tab-separated.
    public static func forFile(_ path: String) -> RatingFileFormat {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let lower = name.lowercased()
        if lower.hasSuffix(".data") || lower.hasSuffix(".base") || lower.hasSuffix(".test") { return .movieLens100K }
        if lower.hasSuffix(".dat") { return .movieLensDat }
        if lower == "ratings.csv" { return .movieLensCSV }
        if lower.hasSuffix(".tsv") { return RatingFileFormat(delimiter: .tab) }
        return .csv
    }

    public var description: String {
        var parts = ["delimiter \(delimiter.name)", "user field \(columns.user)", "item field \(columns.item)"]
        parts.append(columns.rating.map { "rating field \($0)" } ?? "implicit (no rating field)")
        if let t = columns.timestamp { parts.append("timestamp field \(t)") }
        parts.append(hasHeader.map { $0 ? "header" : "no header" } ?? "header detected")
        if quoted { parts.append("quoted fields") }
        return parts.joined(separator: ", ")
    }
}

/// How to load and clean a rating file.
public struct LoadOptions: Sendable {
    /// Strict: stop at the first bad line with file, line and reason. Lenient: skip bad lines and
    /// count them per reason in the report.
    public enum Mode: String, Sendable, Codable { case strict, lenient }

    public var mode: Mode
    /// How repeated (user, item) pairs are combined; always reported.
    public var duplicates: DuplicatePolicy
    /// Ratings outside this range are bad lines (e.g. `1...5`); `nil` accepts any finite value.
    public var ratingScale: ClosedRange<Float>?

    /// A rating range written `min:max` (e.g. `1:5`), as the command lines take it; nil when the
    /// text is not two numbers in order.
    public static func ratingScale(parsing text: String) -> ClosedRange<Float>? {
        let parts = text.split(separator: ":").compactMap { Float($0) }
        guard parts.count == 2, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }
    /// Worker threads for parsing and building the matrix.
    public var threads: Int

    public init(mode: Mode = .strict, duplicates: DuplicatePolicy = .keepLast, ratingScale: ClosedRange<Float>? = nil,
                threads: Int = ExecutionContextDefaults.threads) {
        self.mode = mode
        self.duplicates = duplicates
        self.ratingScale = ratingScale
        self.threads = threads
    }
}

import RecKitLinearAlgebra
/// The engine's default thread count, for option defaults.
public enum ExecutionContextDefaults {
    public static var threads: Int { ExecutionContext.current.threads }
}

/// What loading did to the input: never silent.
public struct LoadReport: Sendable, Codable, Equatable {
    public var file: String
    /// Lines in the file (the last one counts even without a final newline).
    public var lines = 0
    public var headerSkipped = false
    public var emptyLines = 0
    public var byteOrderMark = false
    public var crlfLineEndings = false
    /// Bad lines skipped in lenient mode, per reason.
    public var skipped: [String: Int] = [:]
    /// Good lines with more fields than the file's first line (header or first data line): read,
    /// the extra fields ignored, and counted so that a shifted or mis-delimited file is noticed.
    public var linesWithExtraFields = 0
    /// Ratings read from good lines.
    public var ratingsRead = 0
    /// Entries merged away as duplicate (user, item) pairs, and how.
    public var duplicatesMerged = 0
    public var duplicatePolicy: String = DuplicatePolicy.keepLast.rawValue
    /// Ratings in the loaded matrix.
    public var ratingsKept = 0
    public var parseSeconds = 0.0
    /// The layout the file was read with, and how each part of it was decided.
    public var format: String?
    public var formatNotes: [String] = []

    public var skippedTotal: Int { skipped.values.reduce(0, +) }
    /// Whether the load skipped or merged anything: what a short report must still mention.
    public var dropsOrMerges: Bool { skippedTotal > 0 || duplicatesMerged > 0 || linesWithExtraFields > 0 }

    /// One paragraph for people.
    public var summary: String {
        var s = "\(file): \(lines) lines, \(ratingsKept) ratings kept" + String(format: " (%.3f s)", parseSeconds)
        if headerSkipped { s += ", header skipped" }
        if emptyLines > 0 { s += ", \(emptyLines) empty lines" }
        if byteOrderMark { s += ", byte-order mark removed" }
        if crlfLineEndings { s += ", CRLF line endings" }
        if linesWithExtraFields > 0 { s += ", \(linesWithExtraFields) lines with more fields than the first (extra fields ignored)" }
        if duplicatesMerged > 0 { s += ", \(duplicatesMerged) duplicate (user, item) entries merged (\(duplicatePolicy))" }
        if !skipped.isEmpty {
            s += "; skipped " + skipped.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        }
        return s
    }
}
