import Foundation

/// One part of a delimited rating file, read without the rest: the lines that start in the part's
/// share of the file's bytes (after the header). The parts `0..<parts` together hold every line
/// exactly once, in file order — what each rank of a distributed job reads.
///
/// Ids stay raw (integers, or strings when the file's ids are not all integers): dense indexes
/// need every part's ids, which only the caller can gather. The ratings pass the same checks as
/// ``RatingDataset/load(path:format:options:)``; in strict mode the part stops at its first bad
/// line and returns it (``problem``) instead of throwing, because its line number in the whole
/// file needs the line counts of the parts before it (``error(linesBefore:)``).
public struct RatingFilePart: Sendable {
    /// A bad line found in strict mode; `line` counts from the part's first line (1-based).
    public struct BadLine: Sendable {
        public var line: Int
        public var reason: LineProblem
        public var text: String
    }

    public var userNumbers: [Int64] = [], itemNumbers: [Int64] = []
    public var userStrings: [String] = [], itemStrings: [String] = []
    public var values: [Float] = []
    /// The ids were read as strings (`userStrings`, `itemStrings`).
    public var stringIDs: Bool
    /// Read as integers, a line's ids were not integers: every part must be read again with
    /// `stringIDs` (the parts must agree on the kind of id).
    public var needsStringIDs = false
    /// Lines of the part (header and blank lines included), up to the first bad line in strict mode.
    public var lines = 0
    public var problem: BadLine?
    /// Lines, skipped lines and ratings of this part (``LoadReport``).
    public var report: LoadReport
    public var count: Int { values.count }

    /// Reads part `part` of `parts` of the delimited file at `path`, laid out as `format`.
    /// - Throws: ``DataError/io(path:reason:)`` when the file cannot be read,
    ///   ``DataError/invalidArgument(_:)`` for a part outside `0..<parts`.
    public static func read(path: String, part: Int, of parts: Int, format: RatingFileFormat, options: LoadOptions = LoadOptions(),
                            stringIDs: Bool = false) throws -> RatingFilePart {
        guard parts >= 1, (0..<parts).contains(part) else { throw DataError.invalidArgument("part \(part) of \(parts) does not exist") }
        let name = (path as NSString).lastPathComponent
        let file = try MappedFile(path: path)
        var (parsed, lines, problem) = try RatingParser(format: format, options: options, fileName: name)
            .parsePart(file, part: part, of: parts, stringIDs: stringIDs)
        var result = RatingFilePart(stringIDs: stringIDs, report: parsed.report)
        result.lines = lines
        result.problem = problem.map { BadLine(line: $0.line, reason: $0.problem, text: $0.text) }
        result.needsStringIDs = parsed.chunks.contains { $0.needsStringIDs }
        // The chunks are moved out (one holder), so each is freed as soon as it is copied.
        var chunks = parsed.chunks
        parsed.chunks = []
        if chunks.count == 1 {
            result.userNumbers = chunks[0].userNumbers
            result.itemNumbers = chunks[0].itemNumbers
            result.userStrings = chunks[0].userStrings
            result.itemStrings = chunks[0].itemStrings
            result.values = chunks[0].ratings
            chunks = []
        }
        let total = chunks.reduce(0) { $0 + $1.ratings.count }
        if stringIDs { result.userStrings.reserveCapacity(total); result.itemStrings.reserveCapacity(total) }
        else { result.userNumbers.reserveCapacity(total); result.itemNumbers.reserveCapacity(total) }
        result.values.reserveCapacity(total)
        for k in chunks.indices {
            result.userNumbers += chunks[k].userNumbers; chunks[k].userNumbers = []
            result.itemNumbers += chunks[k].itemNumbers; chunks[k].itemNumbers = []
            result.userStrings += chunks[k].userStrings; chunks[k].userStrings = []
            result.itemStrings += chunks[k].itemStrings; chunks[k].itemStrings = []
            result.values += chunks[k].ratings; chunks[k].ratings = []
        }
        result.report.ratingsRead = result.values.count
        return result
    }

    /// The strict-mode error of this part's bad line, numbered in the whole file given how many
    /// lines the parts before it hold; nil without one.
    public func error(linesBefore: Int) -> DataError? {
        problem.map { DataError.badLine(file: report.file, line: linesBefore + $0.line, reason: $0.reason, text: $0.text) }
    }
}
