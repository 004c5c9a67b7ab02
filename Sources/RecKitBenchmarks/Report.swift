import Foundation
import RecKitData

/// Plain-text tables and JSON files for benchmark rows.
public enum Report {
    /// A fixed-width table of rows, with speed-up over 1 thread, the OpenBLAS/Swift ratio and how
    /// far the resident memory rose during the row (``MemoryWatermark``).
    public static func table(_ rows: [BenchmarkRow]) -> String {
        let header = ["op", "dtype", "size", "backend", "threads", "median s", "min–max s", "GFLOP/s", "×1 thread", "blas/swift", "agreement", "+MB"]
        var lines: [[String]] = [header]
        for r in rows {
            let one = rows.first { $0.op == r.op && $0.dtype == r.dtype && $0.size == r.size && $0.backend == r.backend && $0.threads == 1 && $0.params == r.params }
            let speedup = one.map { String(format: "%.2f", $0.seconds / r.seconds) } ?? "–"
            let other = rows.first { $0.op == r.op && $0.dtype == r.dtype && $0.size == r.size && $0.threads == r.threads && $0.params == r.params && $0.backend == "swift" }
            let ratio = r.backend == "blas" ? (other.map { String(format: "%.2f", $0.seconds / r.seconds) } ?? "–") : ""
            let size = r.params["batch"].map { "\($0)×\(r.size)²" } ?? "\(r.size)"
            lines.append([r.op, r.dtype, size, r.backend, "\(r.threads)", String(format: "%.4f", r.seconds),
                          String(format: "%.4f–%.4f", r.secondsMin, r.secondsMax),
                          r.gflops.map { String(format: "%.1f", $0) } ?? "–", speedup, ratio,
                          r.agreement.map { String(format: "%.1e", $0) } ?? "–", r.memoryIncreaseBytes.map { String(format: "%.0f", Double($0) / 1e6) } ?? "–"])
        }
        let widths = header.indices.map { c in lines.map { $0[c].count }.max() ?? 0 }
        return lines.map { cells in
            cells.enumerated().map { c, s in c < 4 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - s.count) + s }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `value` as pretty, key-sorted JSON with snake_case keys (every `--json` document RecKit
    /// writes uses them).
    public static func json<V: Encodable>(_ value: V) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }

    /// Reads a document ``json(_:)`` wrote (snake_case keys; camelCase keys of older files too).
    public static func decode<V: Decodable>(_ type: V.Type, from data: Data) throws -> V {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    /// Writes `value` as JSON atomically (``AtomicOutput``), so a reader never sees a half-written
    /// file.
    public static func writeJSON<V: Encodable>(_ value: V, to path: String) throws {
        try AtomicOutput.write(json(value), to: path)
    }
}
