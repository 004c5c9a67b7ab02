import RecKitLinearAlgebra
/// Errors from loading, converting and transforming rating data. Each says what and where.
public enum DataError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A line of an input file is bad: file, 1-based line number, and why.
    case badLine(file: String, line: Int, reason: LineProblem, text: String)
    /// A file's header or overall structure is wrong (Matrix Market banner, cache magic, …).
    case badFile(file: String, reason: String)
    /// The file could not be opened, read or written.
    case io(path: String, reason: String)
    /// A sparse matrix's arrays are inconsistent.
    case invalidSparseStructure(String)
    /// Operands of a sparse product do not fit together.
    case shapeMismatch(operation: String, details: String)
    /// A parameter is out of range.
    case invalidArgument(String)
    /// The data holds nothing to work on (after cleaning or filtering).
    case empty(String)

    public var description: String {
        switch self {
        case let .badLine(file, line, reason, text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
            return "\(Self.printable(file)):\(line): \(reason.description) — \"\(Self.printable(shown))\""
        case let .badFile(file, reason): return "\(Self.printable(file)): \(reason)"
        case let .io(path, reason): return "\(Self.printable(path)): \(reason)"
        case let .invalidSparseStructure(m): return "invalid sparse matrix: \(m)"
        case let .shapeMismatch(op, details): return "\(op): shape mismatch: \(details)"
        case let .invalidArgument(m): return m
        case let .empty(m): return m
        }
    }

    /// `text` safe to print on a terminal: control characters (escape sequences, NUL, carriage
    /// returns, line breaks), bidirectional overrides and the replacement character that stands
    /// for undecodable bytes are shown as `\u{…}` escapes, so a hostile line can neither move the
    /// cursor nor hide or reorder text.
    public static func printable(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let hidden = v < 0x20 || (0x7F..<0xA0).contains(v) || (0x200B...0x200F).contains(v) || (0x2028...0x202E).contains(v)
                || (0x2066...0x2069).contains(v) || v == 0xFEFF || v == 0xFFFD
            if v == 0x09 { out += "\\t" } else if hidden { out += "\\u{" + String(v, radix: 16) + "}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

/// Why a line of a rating file was rejected (strict mode) or skipped (lenient mode).
public enum LineProblem: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case missingField = "missing field"
    case badID = "bad id"
    case nonNumericRating = "non-numeric rating"
    case nonFiniteRating = "NaN or infinite rating"
    case outsideScale = "rating outside the declared scale"
    case badTimestamp = "bad timestamp"
    case indexOutOfRange = "index out of range"
    case badAttribute = "bad attribute value"
    case unterminatedQuote = "unterminated quoted field"

    public var description: String { rawValue }
}
