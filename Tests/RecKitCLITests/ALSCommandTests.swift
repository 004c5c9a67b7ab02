import Foundation
import Testing
import RecKitData

/// `reckit train als`, `recommend` and `similar` end to end through the executable.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct ALSCommandTests {
    @Test(arguments: [["--implicit", "--solver", "cg"], ["--implicit", "--solver", "cholesky", "--precision", "double"], ["--backend", "swift"]])
    func trainWritesTheModelAndTheDocumentedJSON(flags: [String]) throws {
        let file = try SVDCommandTests.ratingFile().path
        let model = CLI.temporaryPath("als.rkm"), json = model + ".json"
        defer { try? FileManager.default.removeItem(atPath: model); try? FileManager.default.removeItem(atPath: json) }
        let r = try CLI.run(["train", "als", "--data", file, "--factors", "4", "--iterations", "5", "--regularization", "0.1",
                             "--threads", "2", "--out", model, "--json", json] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("epoch 5/5"))
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let losses = obj["loss"] as! [Double], perIteration = obj["seconds_per_iteration"] as! [Double]
        #expect(losses.count == 5 && perIteration.count == 1 && perIteration[0] > 0)
        if flags.contains("cholesky") || !flags.contains("--implicit") {
            for k in 1..<losses.count { #expect(losses[k] <= losses[k - 1] * (1 + 1e-9)) }
        }
        let rec = try CLI.run(["recommend", "--model", model, "--user", "1003", "--n", "3", "--deny", "500"])
        #expect(rec.status == 0, "\(rec.stderr)")
        let lines = rec.stdout.split(separator: "\n")
        #expect(lines.first == "user,item,rank,score" && lines.count == 4 && !rec.stdout.contains(",500,"))
        let sim = try CLI.run(["similar", "--model", model, "--item", "501", "--n", "5"])
        #expect(sim.status == 0 && sim.stdout.split(separator: "\n").count == 6, "\(sim.stderr)")
        #expect(!sim.stdout.dropFirst().contains("501,501,"))
    }

    @Test func badFlagsAndIdsGetClearErrors() throws {
        let file = try SVDCommandTests.ratingFile().path
        let model = CLI.temporaryPath("als-bad.rkm")
        defer { try? FileManager.default.removeItem(atPath: model) }
        let r = try CLI.run(["train", "als", "--data", file, "--solver", "lu", "--out", model])
        #expect(r.status != 0 && r.stderr.contains("als: --solver must be one of automatic, cholesky, cg, got lu"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        let singular = try CLI.run(["train", "als", "--data", file, "--factors", "20", "--regularization", "0", "--out", model])
        #expect(singular.status != 0 && singular.stderr.contains("raise the regularization"), "\(singular.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        #expect(try CLI.run(["train", "als", "--data", file, "--factors", "3", "--iterations", "2", "--out", model]).status == 0)
        let unknown = try CLI.run(["similar", "--model", model, "--item", "99999"])
        #expect(unknown.status != 0 && unknown.stderr.contains("'99999' is not in the model's training data"))
    }
}
