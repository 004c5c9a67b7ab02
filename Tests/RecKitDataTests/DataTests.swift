import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitTestSupport

/// Where MovieLens 100K lives: `$RECKIT_DATA_DIR/ml-100k`, else `../shared/data/ml-100k` beside the
/// package. Its licence forbids copying it into the project, so tests that need it skip without it.
enum MovieLens {
    static var directory: String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["RECKIT_DATA_DIR"] { candidates.append(env + "/ml-100k") }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(package.deletingLastPathComponent().appendingPathComponent("shared/data/ml-100k").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/u.data") }
    }
    static let skipMessage = "MovieLens 100K not found: set RECKIT_DATA_DIR to a folder holding ml-100k/ (or put it at ../shared/data/ml-100k)"
}

func badFile(_ name: String) -> String {
    Bundle.module.url(forResource: "BadFiles/\(name)", withExtension: nil)!.path
}

/// A fresh path on every call: tests run in parallel, and two of them must never share a file.
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("reckit-data-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)").path
}

@Suite struct MovieLensTests {
    @Test(.enabled(if: MovieLens.directory != nil, Comment(rawValue: MovieLens.skipMessage)))
    func loadsML100K() throws {
        let d = try RatingDataset.load(path: MovieLens.directory! + "/u.data")
        #expect(d.userCount == 943 && d.itemCount == 1682 && d.ratingCount == 100_000)
        #expect(d.report?.skippedTotal == 0 && d.report?.duplicatesMerged == 0)
        #expect(d.userIDs.externalID(0) == "1" && d.itemIDs.index(of: "1682") == 1681)
        #expect(d.timestamps?.count == 100_000)
    }

    @Test(.enabled(if: MovieLens.directory != nil, Comment(rawValue: MovieLens.skipMessage)))
    func unionOfTheFiveTestFoldsIsTheWholeFile() throws {
        let dir = MovieLens.directory!
        func keyed(_ d: RatingDataset) -> [String] {
            d.entries.map { "\(d.userIDs.externalID($0.user)) \(d.itemIDs.externalID($0.item)) \($0.rating) \($0.timestamp!)" }
        }
        let all = keyed(try RatingDataset.load(path: dir + "/u.data")).sorted()
        let folds = try (1...5).flatMap { keyed(try RatingDataset.load(path: dir + "/u\($0).test")) }.sorted()
        #expect(folds.count == 100_000)
        #expect(folds == all)
    }
}

@Suite struct LoaderTests {
    @Test func strictModeNamesFileLineAndReason() throws {
        let cases: [(String, Int, LineProblem, LoadOptions)] = [
            ("missing_field.csv", 3, .missingField, LoadOptions()),
            ("non_numeric_rating.data", 2, .nonNumericRating, LoadOptions()),
            ("nan_rating.csv", 4, .nonFiniteRating, LoadOptions()),
            ("inf_rating.csv", 2, .nonFiniteRating, LoadOptions()),
            ("out_of_scale.csv", 5, .outsideScale, LoadOptions(ratingScale: 1...5)),
            ("bad_timestamp.data", 2, .badTimestamp, LoadOptions()),
            ("bad_id.dat", 3, .badID, LoadOptions()),
            ("mixed.csv", 3, .missingField, LoadOptions(ratingScale: 1...5)),
            ("index_out_of_range.mtx", 4, .indexOutOfRange, LoadOptions()),
        ]
        for (name, line, reason, options) in cases {
            #expect(performing: { _ = try RatingDataset.load(path: badFile(name), options: options) }, throws: { error in
                guard case let DataError.badLine(file, l, r, _) = error else { return false }
                return file == name && l == line && r == reason && "\(error)".contains("\(name):\(line):")
            })
        }
    }

    @Test func lenientModeCountsEveryReasonExactly() throws {
        let d = try RatingDataset.load(path: badFile("mixed.csv"), options: LoadOptions(mode: .lenient, ratingScale: 1...5))
        #expect(d.ratingCount == 3)
        #expect(d.report?.skipped == ["missing field": 1, "non-numeric rating": 1, "NaN or infinite rating": 2,
                                      "rating outside the declared scale": 1, "bad id": 1])
        #expect(d.report?.lines == 10 && d.report?.headerSkipped == true)
        for name in ["missing_field.csv", "non_numeric_rating.data", "nan_rating.csv", "bad_timestamp.data", "bad_id.dat"] {
            let r = try RatingDataset.load(path: badFile(name), options: LoadOptions(mode: .lenient))
            #expect(r.report?.skippedTotal == 1, "\(name)")
        }
        #expect(throws: DataError.empty("inf_rating.csv: no ratings left to load")) {
            try RatingDataset.load(path: badFile("inf_rating.csv"), options: LoadOptions(mode: .lenient))
        }
    }

    /// Plain `user,item,rating` lines take the loader's one-pass path; lines that only the general
    /// path reads (a sign, a CR, an exponent, an extra field, fractions of every shape) interleave
    /// with them, and every value comes out as the general path alone would give it.
    @Test func plainAndGeneralLinesGiveTheSameValues() throws {
        let text = "1,10,4\n+2,20,3.5\n3,30,.5\n4,40,4.\n5,50,1e0\n6,60,2\r\n7,70,3,extra\n8,80,0.123456789012345\n9,90,5"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for threads in [1, 2] {
            let d = try RatingDataset.load(path: path, options: LoadOptions(threads: threads))
            let expected: [(String, String, Float)] = [("1", "10", 4), ("2", "20", 3.5), ("3", "30", 0.5), ("4", "40", 4), ("5", "50", 1),
                                                       ("6", "60", 2), ("7", "70", 3), ("8", "80", Float(0.123456789012345)), ("9", "90", 5)]
            #expect(d.ratingCount == expected.count)
            for (user, item, value) in expected {
                let u = try #require(d.userIDs.index(of: user)), i = try #require(d.itemIDs.index(of: item))
                #expect(d.ratings[u, i] == value, "\(user),\(item)")
            }
            #expect(d.report?.linesWithExtraFields == 1 && d.report?.crlfLineEndings == true && d.report?.lines == 9)
        }
    }

    @Test func byteOrderMarkCRLFAndEmptyLinesAreHandledAndReported() throws {
        let d = try RatingDataset.load(path: badFile("bom_crlf_empty.csv"))
        #expect(d.ratingCount == 3)
        let r = try #require(d.report)
        #expect(r.byteOrderMark && r.crlfLineEndings && r.emptyLines == 2 && r.headerSkipped)
        #expect(d.userIDs.externalID(0) == "1" && d.ratings[0, 0] == 4)
    }

    @Test func duplicatePolicies() throws {
        for (policy, expected) in [(DuplicatePolicy.keepLast, Float(3)), (.mean, 3), (.sum, 9)] {
            let d = try RatingDataset.load(path: badFile("duplicates.csv"), options: LoadOptions(duplicates: policy))
            #expect(d.ratingCount == 2 && d.report?.duplicatesMerged == 2)
            #expect(d.ratings[d.userIDs.index(of: "1")!, d.itemIDs.index(of: "10")!] == expected, "\(policy)")
        }
    }

    @Test func matrixMarketErrors() throws {
        #expect(performing: { _ = try RatingDataset.load(path: badFile("not_coordinate.mtx")) },
                throws: { "\($0)".contains("matrix coordinate") })
        #expect(throws: DataError.badFile(file: "count_mismatch.mtx", reason: "the size line declares 3 entries but the file has 2")) {
            try RatingDataset.load(path: badFile("count_mismatch.mtx"))
        }
        let lenient = try RatingDataset.load(path: badFile("index_out_of_range.mtx"), options: LoadOptions(mode: .lenient))
        #expect(lenient.ratingCount == 1 && lenient.report?.skipped == ["index out of range": 1])
    }

    @Test func stringIDsAndColumnMappings() throws {
        let path = temporaryPath("strings.tsv")
        try "ts\tuser\titem\tstars\n5\talice\tm1\t4\n6\tbob\tm2\t3.5\n7\talice\tm2\t5\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let f = RatingFileFormat(delimiter: .tab, columns: .init(user: 1, item: 2, rating: 3, timestamp: 0))
        let d = try RatingDataset.load(path: path, format: f)
        #expect(d.userCount == 2 && d.itemCount == 2 && !d.userIDs.isNumeric)
        #expect(d.ratings[d.userIDs.index(of: "bob")!, d.itemIDs.index(of: "m2")!] == 3.5)
        #expect(d.timestamps?.sorted() == [5, 6, 7])
        // Implicit: no rating column.
        let implicit = try RatingDataset.load(path: path, format: RatingFileFormat(delimiter: .tab, hasHeader: true, columns: .init(user: 1, item: 2, rating: nil)))
        #expect(implicit.ratings.values == [1, 1, 1])
    }

    @Test func parallelParseMatchesSerialParse() throws {
        // Large enough to be cut into chunks; line numbers must still be global.
        var text = "user,item,rating\n"
        for k in 0..<30_000 { text += "\(k % 977),\(k % 1013),\(k % 5 + 1)\n" }
        text += "5,5,oops\n"
        let path = temporaryPath("big.csv")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try RatingDataset.load(path: path, options: LoadOptions(mode: .lenient, threads: 1))
        let two = try RatingDataset.load(path: path, options: LoadOptions(mode: .lenient, threads: 2))
        #expect(one == two && one.ratingCount > 0)
        #expect(performing: { _ = try RatingDataset.load(path: path, options: LoadOptions(threads: 2)) },
                throws: { if case DataError.badLine(_, 30_002, .nonNumericRating, _) = $0 { return true }; return false })
    }
}

@Suite struct InteropTests {
    static func sample() throws -> RatingDataset {
        let path = temporaryPath("sample.csv")
        try "user,item,rating,timestamp\n10,a,4,100\n10,b,3.5,101\n20,a,1,102\n30,c,5,99\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try RatingDataset.load(path: path, format: RatingFileFormat(delimiter: .comma, columns: .init(timestamp: 3)))
    }

    @Test func csvToCacheToTheSameMatrix() throws {
        let d = try Self.sample()
        let cache = temporaryPath("sample.rkds")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try d.writeCache(to: cache)
        let back = try RatingDataset.loadCache(path: cache)
        #expect(back == d)
        // CSV out and back.
        let csv = temporaryPath("out.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try d.writeCSV(to: csv)
        let again = try RatingDataset.load(path: csv, format: RatingFileFormat(delimiter: .comma, columns: .init(timestamp: 3)))
        #expect(again.ratings == d.ratings && again.timestamps == d.timestamps)
    }

    @Test func corruptedTruncatedOrForeignCachesAreRefused() throws {
        let d = try Self.sample()
        let cache = temporaryPath("bad.rkds")
        defer { try? FileManager.default.removeItem(atPath: cache) }
        try d.writeCache(to: cache)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cache))
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: cache))
        #expect(performing: { _ = try RatingDataset.loadCache(path: cache) }, throws: { "\($0)".contains("checksum") || "\($0)".contains("truncated") })
        bytes[20] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: cache))
        #expect(performing: { _ = try RatingDataset.loadCache(path: cache) }, throws: { "\($0)".contains("checksum") })
        bytes[8] = 99 // version
        try bytes.write(to: URL(fileURLWithPath: cache))
        #expect(performing: { _ = try RatingDataset.loadCache(path: cache) }, throws: { "\($0)".contains("version 99") })
        try Data("hello".utf8).write(to: URL(fileURLWithPath: cache))
        #expect(performing: { _ = try RatingDataset.loadCache(path: cache) }, throws: { "\($0)".contains("not a RecKit dataset cache") })
    }

    @Test func matrixMarketRoundTrip() throws {
        let d = try Self.sample()
        let path = temporaryPath("m.mtx")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MatrixMarket.write(d.ratings, to: path)
        let back = try RatingDataset.load(path: path)
        #expect(back.ratings == d.ratings)
    }

    @Test func npyFollowsTheFormatAndRoundTrips() throws {
        let m = Matrix<Float>.random(rows: 7, columns: 3, seed: 1)
        let path = temporaryPath("m.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NumPy.write(m, to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes[0] == 0x93 && Array(bytes[1..<6]) == Array("NUMPY".utf8) && bytes[6] == 1 && bytes[7] == 0)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0, "data must start on a 64-byte boundary")
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (7, 3), }") && header.hasSuffix("\n"))
        #expect(bytes.count == 10 + headerLength + 7 * 3 * 4)
        #expect(try NumPy.readMatrix(path: path, as: Float.self) == m)
        let v: [Double] = [1.5, -2, 3]
        try NumPy.write(v, to: path)
        #expect(try NumPy.read(path: path).shape == [3])
        #expect(try NumPy.read(path: path).elements == v)
    }

    /// Found by fuzzing (Fuzz/corpus/npy): a shape whose ")" came before its "(" trapped the
    /// reader; a dimension that is not a size was silently dropped. Each is now an error.
    @Test func malformedShapesAreErrors() throws {
        let path = temporaryPath("s.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        func file(shape: String) throws {
            var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }".utf8)
            while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
            header.append(0x0A)
            let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
                + [UInt8](repeating: 0, count: 64)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        for bad in [",)(1,", "(2, x)", "(-1,)", "(4611686018427387904, 4)"] {
            try file(shape: bad)
            #expect(throws: DataError.self, "shape \(bad)") { try NumPy.read(path: path) }
        }
        for (good, shape) in [("(2, 4)", [2, 4]), ("(8,)", [8]), ("()", [])] {
            try file(shape: good)
            #expect(try NumPy.read(path: path).shape == shape, "shape \(good)")
        }
    }

    /// numpy itself loads the file, when it is installed.
    @Test(.enabled(if: pythonHasNumPy, "python3 with numpy is not installed"))
    func numpyLoadsRecKitsFiles() throws {
        let m = try Matrix<Double>([[1, 2, 3], [4, 5, 6.5]])
        let path = temporaryPath("n.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NumPy.write(m, to: path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.shape, a.dtype, a.sum())", path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "(2, 3) float64 21.5")
    }
}

let pythonHasNumPy: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import numpy"]
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

/// `RatingDataset.writeCSV` (`reckit data convert … --out x.csv`, `data synth`): ids that need
/// RFC 4180 quoting come back unchanged, ratings and timestamps too.
@Suite struct CSVWriterTests {
    @Test func awkwardIDsRatingsAndTimestampsSurviveAWriteAndARead() throws {
        // A comma, doubled quotes, surrounding spaces, non-ASCII text and a quote that a combining
        // mark follows (one Character with it, but a quote to a CSV reader).
        let input = [
            "user,item,rating,timestamp",
            #""a, b",x,1.5,100"#,
            #""say ""hi""",y,2.25,200"#,
            #"" padded ","q""\#u{301}x",3,300"#,
            "é,\"a, b\",4.75,400",
            "7,x,5,500",
        ].joined(separator: "\n") + "\n"
        let source = temporaryPath("awkward.csv"), copy = temporaryPath("copy.csv")
        defer { for p in [source, copy] { try? FileManager.default.removeItem(atPath: p) } }
        try input.write(toFile: source, atomically: true, encoding: .utf8)
        let original = try RatingDataset.load(path: source)
        try original.writeCSV(to: copy)
        let again = try RatingDataset.load(path: copy)
        func rows(_ d: RatingDataset) -> [String] {
            (0..<d.userCount).flatMap { u in
                d.ratings.range(ofRow: u).map { k in
                    "\(d.userIDs.externalID(u))|\(d.itemIDs.externalID(Int(d.ratings.columnIndices[k])))|\(d.ratings.values[k])|\(d.timestamps?[k] ?? -1)"
                }
            }.sorted()
        }
        #expect(rows(original).count == 5)
        #expect(rows(original).contains("say \"hi\"|y|2.25|200") && rows(original).contains(" padded |q\"\u{301}x|3.0|300"),
                "the input was read as written: \(rows(original))")
        #expect(rows(again) == rows(original), "\(rows(again)) against \(rows(original))")
    }

    /// `CSV.field` and `CSV.fields(of:)` (the bandit logs' writer and reader) are inverses, also for
    /// a quote or a line break that a combining mark follows.
    @Test func fieldsReadBackWhatFieldWrote() {
        let ids = ["plain", "a, b", "say \"hi\"", " padded ", "q\"\u{301}x", "\"\u{301}", "é", "", "line\r\u{301}end"]
        for x in ids {
            for y in ids {
                let line = CSV.field(x) + "," + CSV.field(y)
                #expect(CSV.fields(of: Substring(line)) == [x, y], "\(line.debugDescription)")
            }
        }
        #expect(CSV.field("q\"\u{301}x") == "\"q\"\"\u{301}x\"", "the quote is doubled though a mark follows it")
        #expect(CSV.fields(of: "\"open") == nil && CSV.fields(of: "\"a\"b") == nil, "an open quote and text after a closing one are refused")
    }
}
