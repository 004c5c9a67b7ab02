import Foundation

/// The JSON document `reckit bench --json` writes (schema in docs/benchmarks.md).
public struct BenchmarkDocument: Codable, Sendable {
    /// `reckit-bench/2`: snake_case keys throughout (version 1 wrote the machine's in camelCase;
    /// both are read).
    public var schema = "reckit-bench/2"
    public var suite: String
    public var machine: MachineDescription
    public var rows: [BenchmarkRow]
    /// False while the run goes on (the file is rewritten after every row, so a run stopped early
    /// leaves the rows it finished), true once every row is in; absent in reckit-bench/1 files.
    public var complete: Bool?

    public init(suite: String, machine: MachineDescription, rows: [BenchmarkRow], complete: Bool = true) {
        self.suite = suite
        self.machine = machine
        self.rows = rows
        self.complete = complete
    }

    /// Reads a document written by `reckit bench --json`.
    /// - Throws: ``BenchmarkError/badDocument(path:reason:)`` naming the file and what is wrong.
    public static func read(path: String) throws -> BenchmarkDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file (permissions?)" : "no such file"
            throw BenchmarkError.badDocument(path: path, reason: reason)
        }
        let document: BenchmarkDocument
        do { document = try Report.decode(BenchmarkDocument.self, from: data) } catch {
            throw BenchmarkError.badDocument(path: path, reason: "not a reckit bench JSON document (\(error))")
        }
        guard ["reckit-bench/1", "reckit-bench/2"].contains(document.schema) else {
            throw BenchmarkError.badDocument(path: path, reason: "schema '\(document.schema)'; this RecKit reads reckit-bench/1 and /2")
        }
        return document
    }
}

public enum BenchmarkError: Error, CustomStringConvertible, Equatable {
    case badDocument(path: String, reason: String)
    /// A suite parameter outside what the suite can run (the CLI refuses these first).
    case invalidParameter(String)
    public var description: String {
        switch self {
        case let .badDocument(path, reason): return "\(path): \(reason)"
        case let .invalidParameter(what): return "unsupported \(what)"
        }
    }
}

/// Rows of two benchmark runs matched by configuration (op, precision, size, back end, threads and
/// parameters), with the new run's time over the old one's.
public struct BenchmarkComparison: Sendable {
    public struct Entry: Sendable {
        public var old: BenchmarkRow
        public var new: BenchmarkRow
        /// `new.seconds / old.seconds`: above 1 is slower.
        public var ratio: Double { new.seconds / old.seconds }
    }

    public var entries: [Entry]
    /// Configurations only one of the runs has.
    public var onlyOld: [BenchmarkRow]
    public var onlyNew: [BenchmarkRow]

    public init(old: [BenchmarkRow], new: [BenchmarkRow]) {
        func key(_ r: BenchmarkRow) -> String {
            "\(r.op)|\(r.dtype)|\(r.size)|\(r.backend)|\(r.threads)|" + r.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        let newByKey = Dictionary(new.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let oldKeys = Set(old.map(key))
        entries = old.compactMap { o in newByKey[key(o)].map { Entry(old: o, new: $0) } }
        onlyOld = old.filter { newByKey[key($0)] == nil }
        onlyNew = new.filter { !oldKeys.contains(key($0)) }
    }

    /// Entries whose time grew by more than `threshold` (1.25: 25 % slower).
    public func regressions(threshold: Double) -> [Entry] { entries.filter { $0.ratio > threshold } }

    /// A table of every matched row, regressions marked.
    public func table(threshold: Double) -> String {
        var lines = ["op                    dtype   size  backend  threads     old s     new s   new/old"]
        for e in entries {
            let r = e.new
            lines.append(String(format: "%@ %@ %5d  %@ %7d  %8.4f  %8.4f  %8.2f%@",
                                r.op.padding(toLength: 21, withPad: " ", startingAt: 0), r.dtype.padding(toLength: 6, withPad: " ", startingAt: 0),
                                r.size, r.backend.padding(toLength: 7, withPad: " ", startingAt: 0), r.threads, e.old.seconds, r.seconds, e.ratio,
                                e.ratio > threshold ? "  REGRESSION" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
