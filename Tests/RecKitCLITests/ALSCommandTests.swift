import Foundation
import Testing
import RecKitData

/// `reckit train als`, `recommend` and `similar` end to end through the executable.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct ALSCommandTests {
    @Test(arguments: [["--implicit", "--solver", "cg"], ["--implicit", "--solver", "cholesky", "--precision", "double"], ["--backend", "swift"]])
    func trainWritesTheModelAndTheDocumentedJSON(flags: [String]) throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("als.rkm"), json = model + ".json"
        defer { try? FileManager.default.removeItem(atPath: model); try? FileManager.default.removeItem(atPath: json) }
        let r = try CLI.run(["train", "als", file, "--factors", "4", "--iterations", "5", "--regularization", "0.1",
                             "--threads", "2", "--out", model, "--json", json, "--verbose"] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("epoch 5/5"))
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        #expect(obj["schema"] as? String == "reckit-train/1" && obj["epochs"] as? Int == 5)
        let losses = try #require(obj["losses"] as? [Double]), perEpoch = try #require(obj["seconds_per_epoch"] as? Double, "a scalar, not a list")
        #expect(losses.count == 5 && perEpoch > 0 && (obj["fit_seconds"] as? Double ?? 0) > 0)
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
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("als-bad.rkm")
        defer { try? FileManager.default.removeItem(atPath: model) }
        let r = try CLI.run(["train", "als", file, "--solver", "lu", "--out", model])
        #expect(CLI.failsClearly(r, "als: --solver must be one of automatic, cholesky, cg, got lu"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        let singular = try CLI.run(["train", "als", file, "--factors", "20", "--regularization", "0", "--out", model])
        #expect(CLI.failsClearly(singular, "raise the regularization"), "\(singular.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        #expect(try CLI.run(["train", "als", file, "--factors", "3", "--iterations", "2", "--out", model]).status == 0)
        let unknown = try CLI.run(["similar", "--model", model, "--item", "99999"])
        #expect(CLI.failsClearly(unknown, "'99999' is not in the model's training data"))
    }
}
