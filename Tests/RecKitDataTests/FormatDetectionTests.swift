import Foundation
import Testing
import RecKitData

/// Reading a rating file's layout from its content (``RatingFileFormat/detect(path:hints:)``), and
/// RFC 4180 quoting.
@Suite struct FormatDetectionTests {
    /// A file as a real export looks: header, string ids, a quoted id holding a comma and a quote,
    /// a timestamp column, CRLF line endings.
    static let export = "user_id,item_id,rating,timestamp\r\n"
        + "alice,\"The Matrix, 1999\",5,978300760\r\n"
        + "bob,\"The Matrix, 1999\",4,978300761\r\n"
        + "alice,\"Say \"\"Hi\"\"\",3,978300762\r\n"
        + "carol,Heat,2,978300763\r\n"

    static func write(_ text: String, name: String) throws -> String {
        let path = temporaryPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// (user, item, rating, timestamp) of every entry, by external ids.
    static func entries(_ d: RatingDataset) -> [String] {
        var out: [String] = []
        for u in 0..<d.userCount {
            for q in d.ratings.range(ofRow: u) {
                let t = d.timestamps.map { "\($0[q])" } ?? "-"
                out.append("\(d.userIDs.externalID(u))|\(d.itemIDs.externalID(Int(d.ratings.columnIndices[q])))|\(d.ratings.values[q])|\(t)")
            }
        }
        return out.sorted()
    }

    @Test(arguments: ["export.csv", "export.txt", "export.dat", "ratings.csv"])
    func anExportLoadsTheSameWhateverItsName(name: String) throws {
        let path = try Self.write(Self.export, name: name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try RatingDataset.load(path: path)
        #expect(Self.entries(d) == ["alice|Say \"Hi\"|3.0|978300762", "alice|The Matrix, 1999|5.0|978300760",
                                    "bob|The Matrix, 1999|4.0|978300761", "carol|Heat|2.0|978300763"])
        #expect(d.report?.headerSkipped == true && d.report?.crlfLineEndings == true)
        #expect(d.report?.formatNotes.contains { $0.contains("quoted") } == true)
    }

    @Test func aTabSeparatedDatWithAHeaderNeedsNoFlags() throws {
        let path = try Self.write("user\titem\trating\tts\n1\t10\t4\t5\n2\t10\t3\t6\n2\t11\t5\t7\n", name: "tabs.dat")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try RatingDataset.load(path: path)
        #expect(d.ratingCount == 3 && d.timestamps == [5, 6, 7])
    }

    @Test func statedHintsBeatTheFileNameAndTheContent() throws {
        // Two fields per line: detected as implicit pairs; stated as user,item,rating by position it is a bad file.
        let path = try Self.write("a;b;1\nc;d;2\n", name: "pairs.dat")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let detected = try RatingFileFormat.detect(path: path)
        #expect(detected.format.delimiter == .semicolon && detected.format.columns.rating == 2)
        let told = try RatingFileFormat.detect(path: path, hints: FormatHints(delimiter: .semicolon, header: true,
                                                                              columns: .positions(.init(user: 1, item: 0, rating: nil))))
        #expect(told.format.hasHeader == true && told.format.columns == .init(user: 1, item: 0, rating: nil, timestamp: nil))
        let d = try RatingDataset.load(path: path, hints: FormatHints(header: true, columns: .positions(.init(user: 1, item: 0, rating: nil))))
        #expect(d.ratingCount == 1 && d.userIDs.externalID(0) == "d")
    }

    @Test func columnsByHeaderName() throws {
        let path = try Self.write("when,who,what,stars\n5,u1,i1,4\n6,u2,i1,2\n", name: "named.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try RatingDataset.load(path: path, hints: FormatHints(columns: try ColumnSelection(parsing: "who,what,stars,when")))
        #expect(Self.entries(d) == ["u1|i1|4.0|5", "u2|i1|2.0|6"])
        #expect(throws: DataError.badFile(file: (path as NSString).lastPathComponent, reason: "no column 'user' in the header (when, who, what, stars)")) {
            try RatingDataset.load(path: path, hints: FormatHints(columns: try ColumnSelection(parsing: "user,what")))
        }
    }

    @Test func badColumnSelectionsAreRefused() {
        #expect(throws: DataError.self) { try ColumnSelection(parsing: "0") }
        #expect(throws: DataError.self) { try ColumnSelection(parsing: "0,item") }
        #expect(throws: DataError.self) { try ColumnSelection(parsing: "-1,2") }
        #expect((try? ColumnSelection(parsing: "0,1,-,3")) == .positions(.init(user: 0, item: 1, rating: nil, timestamp: 3)))
    }

    @Test func anUnterminatedQuoteIsABadLine() throws {
        // The quote opens the first field and never closes on that line.
        let path = try Self.write("user,item,rating\n\"a,b,1\nc,d,2\n", name: "open-quote.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DataError.badLine(file: (path as NSString).lastPathComponent, line: 2, reason: .unterminatedQuote, text: "\"a,b,1")) {
            try RatingDataset.load(path: path)
        }
        let lenient = try RatingDataset.load(path: path, options: LoadOptions(mode: .lenient))
        #expect(lenient.ratingCount == 1 && lenient.report?.skipped == ["unterminated quoted field": 1])
    }

    @Test func movieLensNamesStillRequireIntegerIDs() throws {
        let path = try Self.write("1\t10\t4\t881250949\nx\t20\t3\t881250950\n", name: "u9.base")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DataError.badLine(file: (path as NSString).lastPathComponent, line: 2, reason: .badID, text: "x\t20\t3\t881250950")) {
            try RatingDataset.load(path: path)
        }
    }
}
