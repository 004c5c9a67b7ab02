import Foundation

/// What a caller states about a rating file's layout; everything left `nil` is read from the file.
///
/// Stated values always win: over what the first lines suggest and over the file name.
public struct FormatHints: Sendable, Equatable {
    public var delimiter: RatingFileFormat.Delimiter?
    /// Whether the first non-blank line is a header.
    public var header: Bool?
    /// Which fields hold user, item, rating and timestamp: by position or by header name.
    public var columns: ColumnSelection?

    public init(delimiter: RatingFileFormat.Delimiter? = nil, header: Bool? = nil, columns: ColumnSelection? = nil) {
        self.delimiter = delimiter
        self.header = header
        self.columns = columns
    }

    /// No hints: detect everything.
    public static let none = FormatHints()
}

/// Fields chosen by position (0-based) or by the names in the header line.
public enum ColumnSelection: Sendable, Equatable {
    case positions(RatingFileFormat.Columns)
    /// Header names, matched without regard to case; `rating`/`timestamp` nil: none.
    case names(user: String, item: String, rating: String?, timestamp: String?)

    /// Parses `user,item[,rating[,timestamp]]`: all numbers (positions, `-` for none) or all names.
    /// - Throws: ``DataError/invalidArgument(_:)`` naming what is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (2...4).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != "-", parts[1] != "-" else {
            throw DataError.invalidArgument("--columns needs user,item[,rating[,timestamp]] (positions from 0, or header names), got '\(text)'")
        }
        let optional = { (k: Int) -> String? in k < parts.count && parts[k] != "-" && !parts[k].isEmpty ? parts[k] : nil }
        let numbers = parts.filter { $0 != "-" }.map { Int($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            guard numbers.allSatisfy({ $0! >= 0 }) else { throw DataError.invalidArgument("--columns: positions count from 0, got '\(text)'") }
            self = .positions(.init(user: Int(parts[0])!, item: Int(parts[1])!, rating: optional(2).flatMap { Int($0) },
                                    timestamp: optional(3).flatMap { Int($0) }))
        } else if numbers.allSatisfy({ $0 == nil }) {
            self = .names(user: parts[0], item: parts[1], rating: optional(2), timestamp: optional(3))
        } else {
            throw DataError.invalidArgument("--columns: give all positions or all header names, not both ('\(text)')")
        }
    }
}

extension RatingFileFormat {
    /// The layout of the delimited rating file at `path`.
    ///
    /// What `hints` state is used as is. The rest is read from the first 64 KiB:
    /// - the delimiter: the first of `::`, tab, comma, semicolon, `|` and whitespace that splits at
    ///   least 80 % of the lines into the same number (≥ 2) of fields;
    /// - quoting: a field that starts with `"` makes the file RFC 4180-quoted (`""` inside quotes is
    ///   one quote; a quoted field does not span lines);
    /// - the header: a first line whose fields are known column names, or non-numbers where the
    ///   following lines have numbers;
    /// - the columns: by header name (`user`/`user_id`/`userId`/…, `item`/`movie_id`/`product`/…,
    ///   `rating`/`score`/…, `timestamp`/`time`/…), else user and item first, then a numeric rating
    ///   and an integer timestamp after it when the lines have them.
    /// A file name MovieLens uses (`u.data`, `*.base`, `ratings.dat`, …) only decides, when the
    /// content agrees with that layout, that ids must be integers (for `ratings.csv`, also only
    /// when the sampled ids are integers).
    /// - Returns: the format and one line per decision for the load report.
    /// - Throws: ``DataError/io(path:reason:)``; ``DataError/badFile(file:reason:)`` when names in
    ///   `hints.columns` are not in the header.
    public static func detect(path: String, hints: FormatHints = .none) throws -> (format: RatingFileFormat, notes: [String]) {
        let sample = try Self.sample(path: path)
        return try detect(sample: sample, fileName: (path as NSString).lastPathComponent, hints: hints)
    }

    /// ``detect(path:hints:)`` on the first lines of a file.
    static func detect(sample lines: [String], fileName: String, hints: FormatHints) throws -> (format: RatingFileFormat, notes: [String]) {
        var notes: [String] = []
        let byName = RatingFileFormat.forFile(fileName)
        let delimiter: Delimiter
        if let d = hints.delimiter {
            delimiter = d
        } else if let d = Self.delimiter(of: lines) {
            delimiter = d
            notes.append("delimiter \(d.name) (read from the file)")
        } else {
            delimiter = byName.delimiter
            notes.append("delimiter \(delimiter.name) (from the file name; the first lines did not decide)")
        }
        let quoted: Bool
        if case .byte(let b) = delimiter, lines.contains(where: { $0.utf8.first == 34 || $0.contains("\(Character(Unicode.Scalar(b)))\"") }) {
            quoted = true
            notes.append("quoted fields (RFC 4180)")
        } else {
            quoted = false
        }
        let rows = lines.map { Self.fields($0, delimiter: delimiter, quoted: quoted) }
        let header: Bool
        if let h = hints.header { header = h } else {
            header = Self.looksLikeHeader(rows)
            if header { notes.append("header line: \(rows.first!.joined(separator: ", "))") }
        }
        let data = header ? Array(rows.dropFirst()) : rows
        var columns: Columns
        switch hints.columns {
        case .positions(let c)?:
            columns = c
        case let .names(user, item, rating, timestamp)?:
            guard header, let names = rows.first else {
                throw DataError.badFile(file: fileName, reason: "--columns names fields, but the file has no header line (give positions, or --header)")
            }
            func find(_ name: String) throws -> Int {
                guard let k = names.firstIndex(where: { Self.normalized($0) == Self.normalized(name) }) else {
                    throw DataError.badFile(file: fileName, reason: "no column '\(name)' in the header (\(names.joined(separator: ", ")))")
                }
                return k
            }
            columns = Columns(user: try find(user), item: try find(item), rating: try rating.map(find), timestamp: try timestamp.map(find))
        case nil:
            let width = Self.commonWidth(data)
            if Self.isMovieLens(byName), byName.delimiter == delimiter, header == (byName.hasHeader ?? false), width > byName.columns.maxField,
               byName != .movieLensCSV || Self.integerIDs(data, byName.columns) {
                columns = byName.columns
                notes.append("columns of the MovieLens layout the file name suggests: " + Self.describe(columns, header ? rows.first : nil))
            } else {
                columns = Self.columns(header: header ? rows.first : nil, data: data, notes: &notes)
            }
        }
        let numericIDs = Self.isMovieLens(byName) && byName.delimiter == delimiter && header == (byName.hasHeader ?? false) && byName.columns == columns
            && (byName != .movieLensCSV || Self.integerIDs(data, columns))
        return (RatingFileFormat(delimiter: delimiter, hasHeader: header, columns: columns, numericIDs: numericIDs, quoted: quoted), notes)
    }

    /// Whether every sampled line has integer user and item ids (as MovieLens files do). Asked of
    /// files named `ratings.csv` only: that name is MovieLens 20M's and also everyone's, while
    /// `u.data`, `*.base`, `*.test` and `::`-separated `ratings.dat` are MovieLens's own.
    static func integerIDs(_ rows: [[String]], _ columns: Columns) -> Bool {
        rows.allSatisfy { row in
            row.count > Swift.max(columns.user, columns.item) && Int(row[columns.user]) != nil && Int(row[columns.item]) != nil
        }
    }

    static func isMovieLens(_ f: RatingFileFormat) -> Bool { f == .movieLens100K || f == .movieLensDat || f == .movieLensCSV }

    /// Up to 200 non-blank lines from the first 64 KiB, without a byte-order mark or CR.
    static func sample(path: String) throws -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot open the file (permissions?)" : "no such file"
            throw DataError.io(path: path, reason: reason)
        }
        defer { try? handle.close() }
        var bytes = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        if bytes.count == 1 << 16, lines.count > 1 { lines.removeLast() }  // the last may be cut
        return lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            .filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
            .prefix(200).map { $0 }
    }

    /// The delimiter that splits most lines into one field count ≥ 2, in order of preference.
    static func delimiter(of lines: [String]) -> Delimiter? {
        guard !lines.isEmpty else { return nil }
        let candidates: [Delimiter] = [.doubleColon, .tab, .comma, .semicolon, .byte(124), .whitespace]
        for d in candidates {
            let quoted: Bool = { if case .byte = d { return true } else { return false } }()
            let counts = lines.map { fields($0, delimiter: d, quoted: quoted).count }
            let mode = Dictionary(grouping: counts, by: { $0 }).max { $0.value.count < $1.value.count }!
            if mode.key >= 2 && Double(mode.value.count) >= 0.8 * Double(lines.count) { return d }
        }
        return nil
    }

    /// The fields of one line; quoted fields without their quotes, `""` as `"`.
    static func fields(_ line: String, delimiter: Delimiter, quoted: Bool) -> [String] {
        switch delimiter {
        case .doubleColon:
            return line.components(separatedBy: "::")
        case .whitespace:
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        case .byte(let b):
            let d = Character(Unicode.Scalar(b))
            guard quoted else { return line.split(separator: d, omittingEmptySubsequences: false).map(String.init) }
            var out: [String] = [], field = "", inQuotes = false, atStart = true
            var chars = line.makeIterator()
            var pending: Character? = nil
            while let c = pending ?? chars.next() {
                pending = nil
                if inQuotes {
                    if c == "\"" {
                        if let next = chars.next() {
                            if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                        } else { inQuotes = false }
                    } else { field.append(c) }
                } else if c == d {
                    out.append(field); field = ""; atStart = true
                    continue
                } else if c == "\"" && atStart {
                    inQuotes = true
                } else {
                    field.append(c)
                }
                atStart = false
            }
            out.append(field)
            return out
        }
    }

    /// Lower case without `_`, `-`, spaces and quotes: `User_ID` and `userId` are both `userid`.
    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    static let userNames: Set<String> = ["user", "userid", "users", "uid", "customer", "customerid", "visitor", "visitorid", "member", "memberid", "reviewer", "reviewerid", "client", "clientid", "account", "accountid"]
    static let itemNames: Set<String> = ["item", "itemid", "items", "iid", "movie", "movieid", "product", "productid", "asin", "track", "trackid", "song", "songid", "book", "bookid", "isbn", "article", "articleid", "artist", "artistid", "video", "videoid", "object", "objectid"]
    static let ratingNames: Set<String> = ["rating", "ratings", "score", "value", "stars", "star", "preference", "weight", "count", "plays", "playcount", "clicks", "label", "grade"]
    static let timestampNames: Set<String> = ["timestamp", "time", "ts", "unixtime", "unixtimestamp", "epoch", "datetime", "date", "created", "createdat"]

    static func isNumber(_ s: String) -> Bool { Double(s.trimmingCharacters(in: .whitespaces)) != nil }
    static func isInteger(_ s: String) -> Bool { Int64(s.trimmingCharacters(in: .whitespaces)) != nil }

    /// A header: known column names for user and item, or a field that is not a number where most
    /// following lines have one.
    static func looksLikeHeader(_ rows: [[String]]) -> Bool {
        guard let first = rows.first else { return false }
        let names = first.map(normalized)
        if names.contains(where: userNames.contains) && names.contains(where: itemNames.contains) { return true }
        let rest = rows.dropFirst()
        guard !rest.isEmpty else { return false }
        for (k, field) in first.enumerated() where !isNumber(field) {
            let numeric = rest.filter { k < $0.count && isNumber($0[k]) }.count
            if Double(numeric) >= 0.8 * Double(rest.count) { return true }
        }
        return false
    }

    /// Columns from the header's names, else by position: user, item, then a numeric rating and an
    /// integer timestamp when most lines have them.
    static func columns(header: [String]?, data: [[String]], notes: inout [String]) -> Columns {
        if let header {
            let names = header.map(normalized)
            let user = names.firstIndex(where: userNames.contains), item = names.firstIndex(where: itemNames.contains)
            if let user, let item {
                let rating = names.firstIndex(where: ratingNames.contains)
                var timestamp = names.firstIndex(where: timestampNames.contains)
                if let t = timestamp, share(data, t, isInteger) <= 0.5 {
                    notes.append("column '\(header[t])' is not an integer timestamp; ignored")
                    timestamp = nil
                }
                let c = Columns(user: user, item: item, rating: rating, timestamp: timestamp)
                notes.append("columns by header name: " + describe(c, header))
                return c
            }
        }
        let width = commonWidth(data)
        var c = Columns(user: 0, item: 1, rating: nil, timestamp: nil)
        // A third field is the rating unless no line has a number there (a bad value is then a
        // bad line, not a reason to drop the ratings); a field after it is the timestamp when most
        // lines hold an integer there.
        if width > 2 {
            if data.contains(where: { $0.count > 2 && isNumber($0[2]) }) { c.rating = 2 }
            else { notes.append("field 2 holds no numbers: read as implicit feedback (every line is 1); give --columns to choose") }
        }
        let next = c.rating == nil ? 2 : 3
        if width > next {
            if share(data, next, isInteger) > 0.5 { c.timestamp = next }
            else { notes.append("field \(next) is not an integer timestamp; ignored") }
        }
        notes.append("columns by position: " + describe(c, header))
        return c
    }

    static func share(_ rows: [[String]], _ k: Int, _ test: (String) -> Bool) -> Double {
        guard !rows.isEmpty else { return 0 }
        return Double(rows.filter { k < $0.count && test($0[k]) }.count) / Double(rows.count)
    }

    /// The most common number of fields.
    static func commonWidth(_ rows: [[String]]) -> Int {
        Dictionary(grouping: rows.map(\.count), by: { $0 }).max { $0.value.count < $1.value.count }?.key ?? 2
    }

    static func describe(_ c: Columns, _ header: [String]?) -> String {
        func name(_ k: Int?) -> String {
            guard let k else { return "none" }
            if let header, k < header.count { return "\(k) '\(header[k])'" }
            return "\(k)"
        }
        return "user \(name(c.user)), item \(name(c.item)), rating \(c.rating == nil ? "none (implicit: every line is 1)" : name(c.rating)), timestamp \(name(c.timestamp))"
    }
}
