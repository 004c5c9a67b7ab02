/// Writing CSV that RecKit's reader (and any RFC 4180 reader) reads back unchanged.
public enum CSV {
    /// `text` as one field: quoted when it holds a comma, a quote or a line break (or starts or
    /// ends with a space), with its quotes doubled.
    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension CSV {
    /// The fields of one line of comma-separated text under RFC 4180's quoting (a quoted field may
    /// hold commas and `""` for a quote; it may not span lines). Nil when a quote is left open or
    /// text follows a closing quote.
    public static func fields(of line: Substring) -> [String]? {
        var fields: [String] = [], field = "", i = line.startIndex
        var quoted = false, wasQuoted = false
        while i < line.endIndex {
            let c = line[i]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex, line[next] == "\"" { field.append("\""); i = next } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "," {
                fields.append(field); field = ""; wasQuoted = false
            } else if c == "\"" && field.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else if wasQuoted {
                return nil
            } else {
                field.append(c)
            }
            i = line.index(after: i)
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}
