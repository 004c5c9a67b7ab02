/// Writing CSV that RecKit's reader (and any RFC 4180 reader) reads back unchanged.
public enum CSV {
    /// `text` as one field: quoted when it holds a comma, a quote or a line break (or starts or
    /// ends with a space), with its quotes doubled.
    public static func field(_ text: String) -> String {
        // Bytes, not Characters: a quote or a line break that a combining mark follows is one
        // Character with it, but still a quote or a line break to a CSV reader.
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == quote || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
            || text.utf8.first == space || text.utf8.last == space
        guard needsQuotes else { return text }
        var bytes: [UInt8] = [quote]
        for byte in text.utf8 {
            if byte == quote { bytes.append(quote) }
            bytes.append(byte)
        }
        bytes.append(quote)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension CSV {
    /// The fields of one line of comma-separated text under RFC 4180's quoting (a quoted field may
    /// hold commas and `""` for a quote; it may not span lines). Nil when a quote is left open or
    /// text follows a closing quote. Read as bytes, as ``field(_:)`` writes: a quote that a
    /// combining mark follows is still a quote.
    public static func fields(of line: Substring) -> [String]? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var fields: [String] = [], field: [UInt8] = []
        var quoted = false, wasQuoted = false
        let bytes = Array(line.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote { field.append(quote); i += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == comma {
                fields.append(String(decoding: field, as: UTF8.self)); field = []; wasQuoted = false
            } else if c == quote && field.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else if wasQuoted {
                return nil
            } else {
                field.append(c)
            }
            i += 1
        }
        guard !quoted else { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}
