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
