import Foundation
import RecKitData

/// Logged bandit feedback read from a CSV file with a header (`reckit bandit evaluate --log`): one
/// row per shown item, with the user (or context id), the item, its 1-based position in the slate,
/// the reward observed and the propensity the logging policy had of showing it there given the
/// items above it (what `reckit serve` returns per item, and what `reckit bandit simulate --log`
/// writes). Rows of one slate share a slate id (`request_id`) when the file has that column; without
/// it, each row is a slate of its own.
///
/// Every row is checked: a missing field, an unparsable or non-finite number, a propensity outside
/// (0, 1] or a position < 1 is an error naming the line and column — nothing is dropped silently.
public struct LoggedFeedback: Sendable {
    public struct Row: Sendable, Equatable {
        public var user: String
        public var item: String
        public var position: Int
        public var reward: Double
        public var propensity: Double
        public var slate: String?
        /// 1-based line in the file (0 for rows not read from one).
        public var line: Int

        public init(user: String, item: String, position: Int, reward: Double, propensity: Double, slate: String? = nil, line: Int = 0) {
            self.user = user
            self.item = item
            self.position = position
            self.reward = reward
            self.propensity = propensity
            self.slate = slate
            self.line = line
        }
    }

    /// Column names (matched against the header, case-insensitively).
    public struct Columns: Sendable {
        public var user = "user"
        public var item = "item"
        public var position = "position"
        public var reward = "reward"
        public var propensity = "propensity"
        /// Optional: rows with equal values form one slate.
        public var slate = "request_id"
        public init() {}
    }

    public var rows: [Row]
    public var hasSlates: Bool

    public init(rows: [Row], hasSlates: Bool) {
        self.rows = rows
        self.hasSlates = hasSlates
    }

    /// Reads `path`.
    /// - Throws: ``ServingError`` (status 400) naming the file, line and column of the first bad field.
    public static func read(path: String, columns: Columns = Columns()) throws -> LoggedFeedback {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ServingError.badRequest("log", "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, columns: columns, name: path)
    }

    /// Parses CSV text (see ``read(path:columns:)``).
    public static func parse(_ text: String, columns: Columns = Columns(), name: String = "log") throws -> LoggedFeedback {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().makeIterator()
        guard let (_, headerLine) = lines.next(), let header = CSV.fields(of: headerLine.drop { $0 == "\u{FEFF}" }),
              !header.allSatisfy({ $0.isEmpty }) else {
            throw ServingError.badRequest("log", "\(name) is empty; it needs a header line naming its columns")
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ wanted: String, flag: String) throws -> Int {
            guard let k = names.firstIndex(of: wanted.lowercased()) else {
                throw ServingError.badRequest("log", "\(name) has no column '\(wanted)' (its header: \(header.joined(separator: ","))); name it with --\(flag)")
            }
            return k
        }
        let u = try column(columns.user, flag: "user-column"), i = try column(columns.item, flag: "item-column")
        let p = try column(columns.position, flag: "position-column"), r = try column(columns.reward, flag: "reward-column")
        let q = try column(columns.propensity, flag: "propensity-column")
        let s = names.firstIndex(of: columns.slate.lowercased())
        var rows: [Row] = []
        while let (k, line) = lines.next() {
            let number = k + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let f = CSV.fields(of: line) else { throw ServingError.badRequest("log", "\(name) line \(number): a quote is not closed") }
            guard f.count == names.count else {
                throw ServingError.badRequest("log", "\(name) line \(number): \(f.count) fields where the header has \(names.count)")
            }
            func numeric(_ c: Int) throws -> Double {
                let t = f[c].trimmingCharacters(in: .whitespaces)
                guard let v = Double(t), v.isFinite else {
                    throw ServingError.badRequest(header[c], "\(name) line \(number): '\(t.prefix(40))' is not a finite number")
                }
                return v
            }
            let position = try numeric(p), reward = try numeric(r), propensity = try numeric(q)
            guard position >= 1, position == position.rounded(), position < 1e9 else {
                throw ServingError.badRequest(header[p], "\(name) line \(number): the position must be an integer ≥ 1, got \(f[p])")
            }
            guard propensity > 0, propensity <= 1 else {
                throw ServingError.badRequest(header[q], "\(name) line \(number): a propensity must be in (0, 1], got \(f[q])")
            }
            guard !f[u].isEmpty, !f[i].isEmpty else {
                throw ServingError.badRequest(f[u].isEmpty ? header[u] : header[i], "\(name) line \(number): empty id")
            }
            rows.append(Row(user: f[u], item: f[i], position: Int(position), reward: reward, propensity: propensity,
                            slate: s.map { f[$0] }, line: number))
        }
        guard !rows.isEmpty else { throw ServingError.badRequest("log", "\(name) has a header but no rows") }
        return LoggedFeedback(rows: rows, hasSlates: s != nil)
    }

    /// The rows as CSV text with the default column names (the format ``parse(_:columns:name:)`` reads).
    public static func csv<S: Sequence>(_ rows: S) -> String where S.Element == Row {
        var out = "request_id,user,item,position,reward,propensity\n"
        for r in rows {
            out += "\(CSV.field(r.slate ?? "")),\(CSV.field(r.user)),\(CSV.field(r.item)),\(r.position),\(r.reward),\(r.propensity)\n"
        }
        return out
    }
}
