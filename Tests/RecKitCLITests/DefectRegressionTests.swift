import Foundation
import Testing

/// Reproductions of defects found by trying RecKit as a new user would (issue 26), each now a clear
/// error or a correct result with nothing destroyed. On main at 2c6d47b each of these trapped,
/// aborted, or overwrote an input with exit 0.
@Suite(.enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct DefectRegressionTests {
    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    /// Defect 1: a rating of 1e30 trapped `data stats` (SIGILL) in the histogram label; 1e10 was shown as "10000000".
    @Test func hugeRatingsAreShownNotTrappedOn() throws {
        let dir = try CLI.temporaryFolder("huge"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("1\t1\t1e30\t1\n2\t1\t5\t1\n", "\(dir)/big.data")
        let r = try CLI.run(["data", "stats", "\(dir)/big.data"])
        #expect(r.status == 0 && r.stdout.contains("1e+30"), "\(r.status) \(r.stdout) \(r.stderr.prefix(300))")
        try Self.write("1\t1\t1e10\t1\n2\t1\t5\t1\n", "\(dir)/ten.data")
        let t = try CLI.run(["data", "stats", "\(dir)/ten.data"])
        #expect(t.status == 0 && t.stdout.contains("1e+10") && !t.stdout.contains("10000000 "), "\(t.stdout)")
        // More than 20 distinct values spanning the whole Float range: binned without overflow.
        var lines = "1,1,-3e38\n1,2,3e38\n"
        for k in 0..<30 { lines += "\(k + 2),\(k + 3),\(k)\n" }
        try Self.write(lines, "\(dir)/wide.csv")
        #expect(try CLI.run(["data", "stats", "\(dir)/wide.csv"]).status == 0)
    }

    /// Defect 2: an output naming an input replaced it and exited 0; two outputs naming one file
    /// reported "saved" with the JSON in it.
    @Test func anOutputOverAnInputIsRefusedBeforeAnyWork() throws {
        let dir = try CLI.temporaryFolder("over"); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "50", "--items", "30", "--ratings", "500", "--out", "\(dir)/r.csv", "-q"])
        let original = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/r.csv"))
        let cases: [([String], String)] = [
            (["train", "als", "\(dir)/r.csv", "--out", "\(dir)/r.csv"], "is the input"),
            (["train", "als", "\(dir)/r.csv", "--out", "\(dir)/./r.csv"], "is the input"),
            (["data", "convert", "\(dir)/r.csv", "--lenient", "--out", "\(dir)/r.csv"], "is the input"),
            (["data", "stats", "\(dir)/r.csv", "--json", "\(dir)/r.csv"], "is the input"),
            (["svd", "\(dir)/r.csv", "--rank", "2", "--out", "\(dir)/s", "--json", "\(dir)/r.csv"], "is the input"),
            (["evaluate", "--model", "baseline", "\(dir)/r.csv", "--json", "\(dir)/r.csv"], "is the input"),
            (["train", "als", "\(dir)/r.csv", "--out", "\(dir)/x.model", "--json", "\(dir)/x.model"], "both name"),
            (["train", "als", "\(dir)/r.csv", "--out", "\(dir)/no-such-folder/x.model"], "does not exist"),
            (["train", "als", "\(dir)/r.csv", "--out", "\(dir)/x.model", "--json", "\(dir)/no-such-folder/x.json"], "does not exist"),
        ]
        for (arguments, message) in cases {
            let r = try CLI.run(arguments)
            #expect(CLI.failsClearly(r, message), "\(arguments.joined(separator: " ")): \(r.status) \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/r.csv")) == original, "the input is unchanged")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.model"), "nothing was fitted or saved")
        // The same file under another name (a hard link) is the same input.
        try FileManager.default.linkItem(atPath: "\(dir)/r.csv", toPath: "\(dir)/link.csv")
        #expect(CLI.failsClearly(try CLI.run(["data", "convert", "\(dir)/r.csv", "--out", "\(dir)/link.csv"]), "is the input"))
        // A model recommending over itself.
        #expect(try CLI.run(["train", "als", "\(dir)/r.csv", "--factors", "2", "--iterations", "1", "--out", "\(dir)/m.model", "-q"]).status == 0)
        let model = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/m.model"))
        #expect(CLI.failsClearly(try CLI.run(["recommend", "--model", "\(dir)/m.model", "--user", "1", "--out", "\(dir)/m.model"]), "is the input"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/m.model")) == model)
    }

    /// Defect 3: sizes from arguments and headers were not checked: 40 GB for --factors 100000,
    /// n × 16 bytes reserved for --n 10⁹, 400 GB for a Matrix Market header's entry count.
    @Test func impossibleSizesAreClearErrors() throws {
        let dir = try CLI.temporaryFolder("sizes"); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "900", "--items", "1600", "--ratings", "5000", "--out", "\(dir)/r.csv", "-q"])
        let f = try CLI.run(["train", "als", "\(dir)/r.csv", "--factors", "100000", "--out", "\(dir)/x.model"])
        #expect(CLI.failsClearly(f, "--factors must be small enough to fit in memory"), "\(f.stderr)")
        #expect(f.stderr.contains("GB") && !FileManager.default.fileExists(atPath: "\(dir)/x.model"))
        #expect(try CLI.run(["train", "als", "\(dir)/r.csv", "--factors", "2", "--iterations", "1", "--out", "\(dir)/m.model", "-q"]).status == 0)
        let n = try CLI.run(["recommend", "--model", "\(dir)/m.model", "--user", "1", "--n", "1000000000"])
        #expect(n.status == 0 && n.stdout.split(separator: "\n").count <= 1601, "every item at most, not an abort: \(n.stderr.prefix(300))")
        // Found this stop: a GEMM order the machine cannot hold aborted allocating (160 GB for order 200 000).
        let g = try CLI.run(["bench", "gemm", "--sizes", "200000", "--json", "\(dir)/g.json"])
        #expect(CLI.failsClearly(g, "--sizes 200000 needs about"), "\(g.stderr)")
        try Self.write("%%MatrixMarket matrix coordinate real general\n3 3 99999999999\n1 1 1\n", "\(dir)/h.mtx")
        let m = try CLI.run(["data", "stats", "\(dir)/h.mtx"])
        #expect(CLI.failsClearly(m, "declares 99999999999 entries"), "\(m.stderr)")
    }

    /// Defect 5: ratings beyond Float's range became +inf (and `data convert` wrote "inf").
    @Test func ratingsBeyondFloatRangeAreBadLines() throws {
        let dir = try CLI.temporaryFolder("float"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("1,1,1e39\n2,1,5\n3,2,4\n", "\(dir)/r.csv")
        let strict = try CLI.run(["data", "convert", "\(dir)/r.csv", "--out", "\(dir)/o.csv"])
        #expect(CLI.failsClearly(strict, "r.csv:1: NaN or infinite rating"), "\(strict.stderr)")
        let lenient = try CLI.run(["data", "convert", "\(dir)/r.csv", "--lenient", "--out", "\(dir)/o.csv"])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        let out = try String(contentsOfFile: "\(dir)/o.csv", encoding: .utf8)
        #expect(!out.contains("inf") && out.split(separator: "\n").count == 3, "\(out)")
        try Self.write("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 -1e39\n2 2 3\n", "\(dir)/r.mtx")
        #expect(CLI.failsClearly(try CLI.run(["data", "stats", "\(dir)/r.mtx"]), "infinite"))
    }

    /// Defect 6: quoted CSV fields were split inside the quotes ("a,b" became two fields), and "2"
    /// and 2 were different users.
    @Test func quotedFieldsAreOneFieldAndQuotedIDsEqualBareOnes() throws {
        let dir = try CLI.temporaryFolder("quotes"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("\"a,b\",10,4\n\"c\",11,3\n", "\(dir)/q.csv")
        let r = try CLI.run(["data", "stats", "\(dir)/q.csv", "--no-header"])
        #expect(r.status == 0 && r.stdout.contains("users: 2") && r.stdout.contains("items: 2") && r.stdout.contains("max 4"), "\(r.stdout) \(r.stderr)")
        try Self.write("\"2\",1,4\n2,2,5\n", "\(dir)/same.csv")
        let s = try CLI.run(["data", "stats", "\(dir)/same.csv", "--no-header"])
        #expect(s.status == 0 && s.stdout.contains("users: 1"), "\(s.stdout) \(s.stderr)")
    }

    /// Defect 8: a bad line's raw bytes (an escape sequence, NUL) reached the terminal in the error;
    /// extra fields on a line were ignored without a count.
    @Test func badLinesAreShownEscapedAndExtraFieldsCounted() throws {
        let dir = try CLI.temporaryFolder("bytes"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("1,1,4\n2,\u{1B}[2J\u{0}x,oops\n", "\(dir)/esc.csv")
        let r = try CLI.run(["data", "stats", "\(dir)/esc.csv", "--no-header"])
        #expect(CLI.failsClearly(r, "esc.csv:2"), "\(r.stderr)")
        #expect(!r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no control byte reaches the terminal: \(r.stderr.debugDescription)")
        #expect(r.stderr.contains("\\u{1b}"), "the escape is shown escaped: \(r.stderr)")
        try Self.write("1,1,4\n2,1,5,extra,fields\n3,2,3\n4,2,2,x\n", "\(dir)/extra.csv")
        let e = try CLI.run(["data", "stats", "\(dir)/extra.csv", "--no-header"])
        #expect(e.status == 0 && e.stderr.contains("2 lines with more fields than the first"), "\(e.stderr)")
        #expect(e.stdout.contains("ratings: 4"), "the lines are still read: \(e.stdout)")
    }

    /// Defect 8: `--user` beside `--all-users` was ignored silently; `--history ''` was accepted.
    @Test func recommendRefusesConflictingChoicesOfUsers() throws {
        let dir = try CLI.temporaryFolder("choices"); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "50", "--items", "30", "--ratings", "500", "--out", "\(dir)/r.csv", "-q"])
        #expect(try CLI.run(["train", "als", "\(dir)/r.csv", "--factors", "2", "--iterations", "1", "--out", "\(dir)/m.model", "-q"]).status == 0)
        for extra in [["--user", "1", "--all-users"], ["--user", "1", "--history", "1:5"], ["--all-users", "--slice", "gender=F"]] {
            let r = try CLI.run(["recommend", "--model", "\(dir)/m.model"] + extra)
            #expect(r.status != 0 && r.stderr.contains("give one of"), "\(extra): \(r.stderr)")
        }
        let empty = try CLI.run(["recommend", "--model", "\(dir)/m.model", "--history", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--history is empty"), "\(empty.stderr)")
        #expect(try CLI.run(["recommend", "--model", "\(dir)/m.model", "--history", "1:5"]).status == 0)
    }

    /// Defect 8: `evaluate` scored test users and items absent from training without saying how many.
    @Test func evaluateCountsTestRatingsUnknownToTraining() throws {
        let dir = try CLI.temporaryFolder("unknown"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write((1...40).map { "\($0 % 8),\($0 % 10),\(1 + $0 % 5)" }.joined(separator: "\n") + "\n", "\(dir)/train.csv")
        try Self.write("1,1,5\n2,3,4\n900,1,4\n901,2,5\n1,999,5\n", "\(dir)/test.csv")
        let rating = try CLI.run(["evaluate", "--model", "baseline", "--train", "\(dir)/train.csv", "--test", "\(dir)/test.csv"])
        #expect(rating.status == 0 && rating.stderr.contains("2 of an unknown user, 1 of an unknown item"), "\(rating.stderr)")
        let json = "\(dir)/e.json"
        let topn = try CLI.run(["evaluate", "--model", "popularity", "--protocol", "topn", "--train", "\(dir)/train.csv",
                                "--test", "\(dir)/test.csv", "--json", json])
        #expect(topn.status == 0 && topn.stderr.contains("3 test rating(s)"), "\(topn.stderr)")
        #expect(try String(contentsOfFile: json, encoding: .utf8).contains("\"unknown_test_ratings\" : 3"))
    }

    /// Defect 8: the ALS singular-system error named "leading minor 6 of 16" rather than the user
    /// and the remedy.
    @Test func singularALSNamesTheUserAndTheRemedy() throws {
        let dir = try CLI.temporaryFolder("singular"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("u1,i1,5\nu1,i2,3\nu2,i1,4\nu3,i3,2\n", "\(dir)/s.csv")
        let r = try CLI.run(["train", "als", "\(dir)/s.csv", "--factors", "8", "--regularization", "0", "--out", "\(dir)/m.model"])
        #expect(CLI.failsClearly(r, "user 'u1'") && r.stderr.contains("raise the regularization above 0.0"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/m.model"))
    }

    /// Found while fixing defect 7: `data synth` with fewer ratings than users looped forever.
    @Test func synthWithFewerRatingsThanUsersIsAClearError() throws {
        let dir = try CLI.temporaryFolder("synth"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["data", "synth", "--users", "5000", "--items", "100", "--ratings", "1000", "--out", "\(dir)/r.csv"])
        #expect(CLI.failsClearly(r, "fewer than the 5000 users"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/r.csv"))
    }
}
