import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Distributed ALS against the single-process fit on the same file: same seed, same options, one
/// thread per rank and one in the reference. Tolerances: relative 1e-5 in Float, 1e-10 in Double
/// (each row's solve is the same arithmetic whichever rank does it; the tolerance covers the
/// Gram product's rounding, the one step whose summation order a BLAS may vary).
@Suite(.serialized, .enabled(if: MPIJob.available, "mpirun (openmpi-bin) or reckit-mpi is missing: the README's test command installs Open MPI"))
struct DistributedALSTests {
    struct Setting: CustomStringConvertible, Sendable {
        var implicit: Bool
        var solver: String
        var precision: String
        var description: String { "\(implicit ? "implicit" : "explicit") \(solver) \(precision)" }

        var options: ALSOptions {
            ALSOptions(factors: 8, regularization: 0.1, iterations: 6, feedback: implicit ? .implicit(alpha: 0.5) : .explicit,
                       solver: solver == "cg" ? .conjugateGradient(steps: 3) : .cholesky, seed: 11)
        }
        var arguments: [String] {
            ["--factors", "8", "--regularization", "0.1", "--iterations", "6", "--solver", solver, "--precision", precision, "--seed", "11"]
                + (implicit ? ["--implicit", "--alpha", "0.5"] : [])
        }
        var tolerance: Double { precision == "double" ? 1e-10 : 1e-5 }
    }

    static let settings = [
        Setting(implicit: true, solver: "cg", precision: "float"),
        Setting(implicit: false, solver: "cholesky", precision: "double"),
        Setting(implicit: true, solver: "cholesky", precision: "double"),
        Setting(implicit: false, solver: "cholesky", precision: "float"),
    ]

    /// The single-process factors of `file`, in Double for comparing.
    static func reference(_ file: String, _ s: Setting) throws -> (users: Matrix<Double>, items: Matrix<Double>, data: RatingDataset) {
        let data = try RatingDataset.load(path: file)
        let context = ExecutionContext.current.with(threads: 1)
        if s.precision == "double" {
            let fit = try AlternatingLeastSquares.fit(data.ratings.converted(to: Double.self), options: s.options, context: context)
            return (fit.users, fit.items, data)
        }
        let fit = try AlternatingLeastSquares.fit(data.ratings, options: s.options, context: context)
        return (fit.users.converted(to: Double.self), fit.items.converted(to: Double.self), data)
    }

    static func relativeError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
        let scale = Swift.max(a.storage.map(abs).max() ?? 0, .leastNormalMagnitude)
        return zip(a.storage, b.storage).map { abs($0 - $1) }.max()! / scale
    }

    static func factors(_ folder: String) throws -> (users: Matrix<Double>, items: Matrix<Double>, userIDs: [String], itemIDs: [String]) {
        let users = try NumPy.readMatrix(path: folder + "/users.npy", as: Double.self)
        let items = try NumPy.readMatrix(path: folder + "/items.npy", as: Double.self)
        let u = try String(contentsOfFile: folder + "/users.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        let i = try String(contentsOfFile: folder + "/items.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        return (users, items, u, i)
    }

    @Test(arguments: settings)
    func factorsEqualTheSingleProcessFit(setting: Setting) throws {
        let file = try MPIJob.ratingFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let expected = try Self.reference(file, setting)
        for ranks in 1...4 {
            let out = MPIJob.temporaryPath("als-\(ranks)")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try MPIJob.run(ranks: ranks, ["als", file, "--out", out, "-q"] + setting.arguments)
            try #require(r.status == 0, "\(ranks) ranks: \(r.stderr)")
            let got = try Self.factors(out)
            #expect(got.userIDs == (0..<expected.data.userCount).map { expected.data.userIDs.externalID($0) }, "\(ranks) ranks: user order")
            #expect(got.itemIDs == (0..<expected.data.itemCount).map { expected.data.itemIDs.externalID($0) }, "\(ranks) ranks: item order")
            let eu = Self.relativeError(got.users, expected.users), ei = Self.relativeError(got.items, expected.items)
            #expect(eu <= setting.tolerance && ei <= setting.tolerance, "\(setting), \(ranks) ranks: users \(eu), items \(ei)")
        }
    }

    @Test func stringIDsAndRepeatedPairsMatchTheSingleProcessLoad() throws {
        let file = try MPIJob.ratingFile(users: 1100, items: 60, stringIDs: true, seed: 9)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let setting = Self.settings[1]
        let expected = try Self.reference(file, setting)
        let out = MPIJob.temporaryPath("als-strings")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try MPIJob.run(ranks: 3, ["als", file, "--out", out, "-q"] + setting.arguments)
        try #require(r.status == 0, "\(r.stderr)")
        let got = try Self.factors(out)
        #expect(got.userIDs == (0..<expected.data.userCount).map { expected.data.userIDs.externalID($0) })
        #expect(got.itemIDs == (0..<expected.data.itemCount).map { expected.data.itemIDs.externalID($0) })
        #expect(Self.relativeError(got.users, expected.users) <= 1e-10 && Self.relativeError(got.items, expected.items) <= 1e-10)
    }

    /// The merged top-k is the same file for every rank count, and the lists one process ranks
    /// from the same factors (seen items excluded).
    @Test func mergedTopKIsIdenticalForEveryRankCount() throws {
        let file = try MPIJob.ratingFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        var outputs: [String] = []
        let folders = (1...4).map { MPIJob.temporaryPath("top-\($0)") }
        defer { for f in folders { try? FileManager.default.removeItem(atPath: f) } }
        let factorsFolder = folders[0]
        for ranks in 1...4 {
            let csv = MPIJob.temporaryPath("top-\(ranks).csv"), out = folders[ranks - 1]
            defer { try? FileManager.default.removeItem(atPath: csv) }
            let r = try MPIJob.run(ranks: ranks, ["als", file, "--implicit", "--factors", "8", "--iterations", "4", "--out", out,
                                                  "--recommend", "5", "--recommendations", csv, "-q"])
            try #require(r.status == 0, "\(r.stderr)")
            outputs.append(try String(contentsOfFile: csv, encoding: .utf8))
            #expect(!FileManager.default.fileExists(atPath: "\(csv).part-0-of-\(ranks)"), "the parts are removed")
        }
        for k in 1..<4 { #expect(outputs[k] == outputs[0], "\(k + 1) ranks differ from 1") }
        // The same lists from one process, with the model API.
        let data = try RatingDataset.load(path: file)
        let f = try Self.factors(factorsFolder)
        let model = try FactorModel(userFactors: f.users.converted(to: Float.self), itemFactors: f.items.converted(to: Float.self), training: data)
        let lists = try model.recommend(users: 0..<data.userCount, count: 5)
        var expected = "user,item,rank,score\n"
        for (u, list) in lists.enumerated() {
            for (k, r) in list.enumerated() { expected += "\(data.userIDs.externalID(u)),\(data.itemIDs.externalID(r.item)),\(k + 1),\(r.score)\n" }
        }
        #expect(outputs[0] == expected)
        let lines = outputs[0].split(separator: "\n").count
        #expect(lines == 1 + 5 * data.userCount)
    }
}
