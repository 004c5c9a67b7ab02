import Foundation
import Testing

/// `--tune` on `train` and `evaluate` (the report in the JSON and the model file; clear errors),
/// `train bpmf --probe` (the per-sweep trace) and `bench bpmf`.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct TuningCommandTests {
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test func trainTunesThenSavesTheChoiceWithItsReport() throws {
        let file = try SVDCommandTests.ratingFile().path
        let model = CLI.temporaryPath("tuned.rkm"), report = CLI.temporaryPath("tuned.json")
        defer { for p in [file, model, report] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try CLI.run(["train", "biased-mf", file, "--tune", "8", "--factors", "4", "--epochs", "9", "--out", model, "--json", report])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("biased-mf: 8 trials"), "\(r.stderr)")
        let tuning = try #require(try Self.json(report)["tuning"] as? [String: Any])
        let trials = tuning["trials"] as! [[String: Any]]
        #expect(trials.count == 8 && tuning["metric"] as? String == "validation RMSE")
        // `--factors 4` was given: fixed, never searched.
        #expect(trials.allSatisfy { ($0["settings"] as! [String: Any])["factors"] == nil })
        #expect((tuning["configuration"] as! [String: Any])["factors"] as? Int == 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)).range(of: Data("tuning_report".utf8)) != nil)
        #expect(try CLI.run(["recommend", "--model", model, "--user", "1003", "--n", "3"]).status == 0)
    }

    @Test func evaluateTunesEachFoldOnItsTrainingData() throws {
        let file = try SVDCommandTests.ratingFile().path
        let report = CLI.temporaryPath("tuned-eval.json")
        defer { for p in [file, report] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try CLI.run(["evaluate", "--model", "biased-mf", file, "--folds", "3", "--tune", "5", "--factors", "4", "--epochs", "9", "--json", report])
        #expect(r.status == 0, "\(r.stderr)")
        let models = try Self.json(report)["models"] as! [[String: Any]]
        let folds = models[0]["folds"] as! [[String: Any]]
        #expect(folds.count == 3)
        for fold in folds {
            let tuning = fold["tuning"] as! [String: Any]
            #expect((tuning["trials"] as! [Any]).count == 5)
            #expect((tuning["fit_ratings"] as! Int) + (tuning["validation_ratings"] as! Int) > 0)
        }
    }

    @Test func badTuningRequestsFailClearly() throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("never.rkm")
        for (arguments, message) in [
            (["--tune", "0"], "greater than zero"),
            (["--tune=-5s"], "greater than zero"),
            (["--tune", "3", "--tune-range", "learning-rate=0.01..0.1"], "contains the base value 0.005"),
            (["--tune", "3", "--tune-range", "learning-rate=abc"], "is not a range of learning-rate"),
            (["--tune-range", "learning-rate=0.001..0.1"], "--tune-range needs --tune"),
            (["--tune-finalists", "3"], "--tune-finalists needs --tune"),
            (["--tune", "3", "--tune-finalists", "1"], "0 (off) or 2…1000"),
            // A bare --tune (default budget) followed by another option parses; the range error comes first.
            (["--tune", "--tune-range", "planet=1..2"], "not name=lo..hi"),
        ] {
            let r = try CLI.run(["train", "biased-mf", file, "--out", model] + arguments)
            #expect(CLI.failsClearly(r, message), "\(arguments): \(r.stderr)")
        }
        #expect(CLI.failsClearly(try CLI.run(["train", "global-mean", file, "--out", model, "--tune", "3"]), "declares search ranges"))
        #expect(CLI.failsClearly(try CLI.run(["evaluate", "--model", "biased-mf", file, "--tune", "3", "--search", "factors=2,4"]), "not both"))
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    @Test func bpmfReportsItsTraceWithAProbe() throws {
        let file = try SVDCommandTests.ratingFile().path
        let model = CLI.temporaryPath("bpmf.rkm"), report = CLI.temporaryPath("bpmf.json")
        defer { for p in [file, model, report] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try CLI.run(["train", "bpmf", file, "--probe", file, "--burn-in", "2", "--samples", "3", "--out", model, "--json", report, "--verbose"])
        #expect(r.status == 0 && r.stderr.contains("probe RMSE"), "\(r.stderr)")
        let samples = try Self.json(report)["samples"] as! [[String: Any]]
        #expect(samples.count == 5 && samples.allSatisfy { ($0["log_likelihood"] as! Double).isFinite && $0["probe_rmse"] != nil })
        #expect(samples.prefix(2).allSatisfy { $0["averaged_probe_rmse"] == nil } && samples.suffix(3).allSatisfy { $0["averaged_probe_rmse"] != nil })
        #expect(try CLI.run(["recommend", "--model", model, "--history", "500:5,501:4", "--n", "3"]).status == 0)
        #expect(CLI.failsClearly(try CLI.run(["train", "biased-mf", file, "--probe", file, "--out", model]), "bpmf only"))
    }

    @Test func benchBPMFRowsForBothBackEndsAgree() throws {
        let file = try SVDCommandTests.ratingFile().path
        let path = CLI.temporaryPath("bpmf-bench.json")
        defer { for p in [file, path] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try CLI.run(["bench", "bpmf", file, "--sweeps", "2", "--threads", "1,2", "--json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.json(path)["rows"] as! [[String: Any]]
        #expect(rows.count == 2 * 2 && Set(rows.map { $0["backend"] as! String }) == ["blas", "swift"])
        for row in rows {
            #expect((row["seconds"] as! Double) > 0 && row["op"] as? String == "bpmf_gibbs_sweep")
            #expect(Double((row["results"] as! [String: String])["ratings_per_second"]!)! > 0)
            // Float: the same draws, the back ends' rounding only.
            #expect((row["agreement"] as! Double) < 1e-4, "back ends disagree: \(row)")
        }
    }
}
