import Foundation
import Testing

/// `reckit data …` end to end, as a user runs it.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct DataCommandTests {
    @Test func synthStatsConvertAndSplit() throws {
        let dir = CLI.temporaryPath("data")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try CLI.run(["data", "synth", "--users", "500", "--items", "300", "--ratings", "8000", "--out", "\(dir)/s.csv"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let stats = try CLI.run(["data", "stats", "\(dir)/s.csv", "--json", "\(dir)/stats.json"])
        #expect(stats.status == 0 && stats.stdout.contains("ratings: 8000"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/stats.json"))) as! [String: Any]
        #expect(json["users"] as? Int == 500 && json["ratings"] as? Int == 8000)
        for out in ["s.rkds", "s.mtx", "back.csv"] {
            let c = try CLI.run(["data", "convert", "\(dir)/s.csv", "--out", "\(dir)/\(out)"])
            #expect(c.status == 0, "\(c.stderr)")
            let again = try CLI.run(["data", "stats", "\(dir)/\(out)"])
            #expect(again.stdout.contains("ratings: 8000"), "\(out): \(again.stdout)")
        }
        let split = try CLI.run(["data", "split", "\(dir)/s.csv", "--method", "kfold", "--folds", "4", "--out-dir", "\(dir)/folds"])
        #expect(split.status == 0, "\(split.stderr)")
        var total = 0
        for f in 1...4 {
            let s = try CLI.run(["data", "stats", "\(dir)/folds/test\(f).csv"])
            total += Int(s.stdout.split(separator: "\n").first { $0.hasPrefix("ratings: ") }!.dropFirst(9))!
        }
        #expect(total == 8000, "the four test folds partition the ratings")
    }

    @Test func badInputIsAClearErrorWithFileAndLine() throws {
        let path = CLI.temporaryPath("bad.csv")
        try "user,item,rating\n1,2,3\n1,3,x\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let strict = try CLI.run(["data", "stats", path])
        #expect(CLI.failsClearly(strict, "bad.csv:3: non-numeric rating"))
        let lenient = try CLI.run(["data", "stats", path, "--lenient"])
        #expect(lenient.status == 0 && lenient.stderr.contains("skipped 1 × non-numeric rating"))
        let missing = try CLI.run(["data", "stats", "/nonexistent/ratings.csv"])
        #expect(CLI.failsClearly(missing, "no such file") && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let columns = try CLI.run(["data", "stats", path, "--columns", "x"])
        #expect(CLI.failsClearly(columns, "--columns"))
    }

    @Test func loadBenchmarkReportsParseAndReload() throws {
        let dir = CLI.temporaryPath("load")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "300", "--items", "100", "--ratings", "3000", "--out", "\(dir)/s.csv"])
        let r = try CLI.run(["bench", "load", "\(dir)/s.csv", "--threads", "1", "--json", "\(dir)/load.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/load.json"))) as! [String: Any]
        let ops = (doc["rows"] as! [[String: Any]]).map { $0["op"] as! String }
        #expect(ops == ["parse_csr", "cache_write", "cache_reload"])
    }
}
