import Foundation
import Testing

/// `reckit evaluate`, `train` and `recommend`, end to end on generated data.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct EvaluateCommandTests {
    static func makeData(_ dir: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try CLI.run(["data", "synth", "--users", "400", "--items", "200", "--ratings", "8000", "--seed", "3", "--out", "\(dir)/all.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        return "\(dir)/all.csv"
    }

    @Test func ratingAndRankingProtocolsWriteTheDocumentedJSON() throws {
        let dir = CLI.temporaryPath("eval")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try Self.makeData(dir)
        let rating = try CLI.run(["evaluate", "--model", "baseline", data, "--folds", "3", "--json", "\(dir)/r.json"])
        #expect(rating.status == 0, "\(rating.stderr)")
        #expect(rating.stdout.contains("| baseline |"))
        let r = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/r.json"))) as! [String: Any]
        for key in ["rmse", "mae", "fit_seconds", "evaluate_seconds"] { #expect(r[key] is Double, "missing \(key)") }
        #expect(((r["models"] as! [[String: Any]])[0]["folds"] as! [Any]).count == 3)

        let topn = try CLI.run(["evaluate", "--model", "popularity", data, "--folds", "2", "--protocol", "topn", "--n", "5", "--json", "\(dir)/t.json"])
        #expect(topn.status == 0, "\(topn.stderr)")
        let t = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/t.json"))) as! [String: Any]
        for key in ["precision", "recall", "ndcg", "map", "hit_rate", "fit_seconds", "evaluate_seconds"] { #expect(t[key] is Double, "missing \(key)") }
        #expect(t["n"] as? Int == 5 && t["schema"] as? String == "reckit-evaluate/1")

        let loo = try CLI.run(["evaluate", "--model", "popularity,global-mean", data, "--protocol", "loo", "--negatives", "50", "--random-holdout"])
        #expect(loo.status == 0 && loo.stdout.contains("| popularity |") && loo.stdout.contains("| global-mean |"), "\(loo.stderr)")
    }

    @Test func searchConfigAndCSV() throws {
        let dir = CLI.temporaryPath("search")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try Self.makeData(dir)
        let s = try CLI.run(["evaluate", "--model", "baseline", data, "--folds", "2", "--search", "regularization-user=1,20;epochs=5"])
        #expect(s.status == 0 && s.stderr.contains("best of") && s.stderr.contains("on validation"), "\(s.stderr)")
        let config = "{ \"data\": { \"file\": \"\(data)\", \"folds\": 2 }, \"protocols\": [\"rating\", \"topn\"], \"seeds\": [1, 2], "
            + "\"models\": [ { \"name\": \"baseline\" }, { \"name\": \"popularity\" } ] }"
        try config.write(toFile: "\(dir)/exp.json", atomically: true, encoding: .utf8)
        let c = try CLI.run(["evaluate", "--config", "\(dir)/exp.json", "--out", "\(dir)/out.csv"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stderr.contains("skipping popularity for rating prediction"))
        let csv = try String(contentsOfFile: "\(dir)/out.csv", encoding: .utf8)
        #expect(csv.hasPrefix("protocol,model,metric,mean,std") && csv.contains("rating,baseline,rmse,") && csv.contains("topn,popularity,ndcg,"))
    }

    @Test func trainRecommendExportsOriginalIDs() throws {
        let dir = CLI.temporaryPath("export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "user,item,rating\nann,x,5\nann,y,3\nbob,y,4\nbob,z,2\ncat,x,4\n".write(toFile: "\(dir)/r.csv", atomically: true, encoding: .utf8)
        let t = try CLI.run(["train", "popularity", "\(dir)/r.csv", "--out", "\(dir)/p.model"])
        #expect(t.status == 0, "\(t.stderr)")
        let one = try CLI.run(["recommend", "--model", "\(dir)/p.model", "--user", "cat", "--n", "2"])
        #expect(one.stdout == "user,item,rank,score\ncat,y,1,2.0\ncat,z,2,1.0\n", "\(one.stdout)")
        let all = try CLI.run(["recommend", "--model", "\(dir)/p.model", "--all-users", "--n", "5", "--out", "\(dir)/recs.csv"])
        #expect(all.status == 0)
        let lines = try String(contentsOfFile: "\(dir)/recs.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "user,item,rank,score" && lines.contains("ann,z,1,1.0") && lines.count == 1 + 1 + 1 + 2)
        let unknown = try CLI.run(["recommend", "--model", "\(dir)/p.model", "--user", "dan"])
        #expect(CLI.failsClearly(unknown, "'dan' is not in the model's training data"))
        let wrongFlag = try CLI.run(["train", "popularity", "\(dir)/r.csv", "--out", "\(dir)/q.model", "--epochs", "3"])
        #expect(CLI.failsClearly(wrongFlag, "'popularity' has no setting --epochs; its settings: --minimum-rating"), "\(wrongFlag.stderr)")
        try "garbage".write(toFile: "\(dir)/bad.model", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["recommend", "--model", "\(dir)/bad.model", "--all-users"])
        #expect(CLI.failsClearly(bad, "not a RecKit model file"))
    }
}
