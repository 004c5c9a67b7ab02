import Foundation
import Testing
import RecKitData

/// `reckit train` for the SGD and item–item models, the diverging learning rate, and cold-start
/// `recommend` (--history, --slice).
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct ModelCommandTests {
    @Test(arguments: ["biased-mf", "svd++", "bpr", "item-knn", "ease"])
    func trainSavesAModelThatRecommends(name: String) throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("\(name).rkm")
        defer { try? FileManager.default.removeItem(atPath: model) }
        let sgd = ["biased-mf", "svd++", "bpr"].contains(name) ? ["--factors", "4", "--epochs", "5"] : []
        let r = try CLI.run(["train", name, file, "--out", model, "--verbose"] + sgd)
        #expect(r.status == 0, "\(r.stderr)")
        if !sgd.isEmpty { #expect(r.stderr.contains("epoch 5/5")) }
        let rec = try CLI.run(["recommend", "--model", model, "--user", "1003", "--n", "3"])
        #expect(rec.status == 0 && rec.stdout.split(separator: "\n").count == 4, "\(rec.stderr)")
    }

    @Test func aDivergingLearningRateStopsWithAHintAndWritesNothing() throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("diverged.rkm")
        let r = try CLI.run(["train", "biased-mf", file, "--learning-rate", "100", "--epochs", "20", "--out", model])
        #expect(CLI.failsClearly(r, "diverged") && r.stderr.contains("lower it"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    @Test func coldStartRecommendations() throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let model = CLI.temporaryPath("cold.rkm"), users = CLI.temporaryPath("u.user")
        defer { try? FileManager.default.removeItem(atPath: model); try? FileManager.default.removeItem(atPath: users) }
        #expect(try CLI.run(["train", "biased-mf", file, "--factors", "4", "--epochs", "10", "--out", model]).status == 0)
        // A new user from three ratings: ten items, none of the three.
        let folded = try CLI.run(["recommend", "--model", model, "--history", "500:5,501:4,502:1", "--n", "10"])
        #expect(folded.status == 0, "\(folded.stderr)")
        let items = folded.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(items.count == 10 && !items.contains { ["500", "501", "502"].contains(String($0)) })
        #expect(try CLI.run(["recommend", "--model", model, "--history", "999:5"]).stderr.contains("item '999' is not in"))
        // A user with no history: the most popular items of their occupation.
        let table = (0..<40).map { "\(1000 + $0)|30|M|\($0 < 20 ? "student" : "writer")|00000" }.joined(separator: "\n")
        try table.write(toFile: users, atomically: true, encoding: .utf8)
        let popular = try CLI.run(["recommend", "--model", model, "--slice", "occupation=student", "--user-attributes", users, "--n", "3"])
        #expect(popular.status == 0 && popular.stdout.split(separator: "\n").count == 4, "\(popular.stderr)")
        let bad = try CLI.run(["recommend", "--model", model, "--slice", "planet=mars", "--user-attributes", users])
        #expect(CLI.failsClearly(bad, "no user attribute 'planet'"))
    }
}

extension ModelCommandTests {
    @Test func benchSGDRowsForBothBackEndsAgree() throws {
        let file = try SVDCommandTests.ratingFile().path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let path = CLI.temporaryPath("sgd.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["bench", "sgd", file, "--factors", "8", "--epochs", "3", "--threads", "1,2", "--json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(rows.count == 2 * 2 && Set(rows.map { $0["backend"] as! String }) == ["blas", "swift"])
        for row in rows {
            #expect((row["seconds"] as! Double) > 0 && row["op"] as? String == "sgd_biased_mf")
            #expect((row["agreement"] as! Double) < 1e-4, "back ends disagree: \(row)")
        }
    }
}

extension ModelCommandTests {
    @Test func benchNeuralRowsReportSamplesPerSecond() throws {
        let path = CLI.temporaryPath("neural.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["bench", "neural", "--interactions", "2000", "--sequences", "100", "--sequence-length", "20", "--epochs", "2",
                             "--threads", "1,2", "--json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any])["rows"] as! [[String: Any]]
        // NeuMF and SASRec, each on both back ends at 1 and 2 threads
        #expect(rows.count == 2 * 2 * 2 && Set(rows.map { $0["backend"] as! String }) == ["blas", "swift"])
        #expect(Set(rows.map { $0["op"] as! String }) == ["neumf_train_epoch", "sasrec_train_epoch"])
        for row in rows {
            #expect((row["seconds"] as! Double) > 0)
            #expect(Double((row["results"] as! [String: String])["samples_per_second"]!)! > 0)
            #expect((row["agreement"] as! Double) < 1e-3, "back ends disagree: \(row)")
        }
    }
}
