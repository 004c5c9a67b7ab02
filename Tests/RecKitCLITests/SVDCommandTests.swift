import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra

@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct SVDCommandTests {
    /// A 40 × 25 rating file with ids that are not 0-based, and its dense matrix in file order.
    static func ratingFile() throws -> (path: String, dense: Matrix<Double>) {
        var rng = SeededGenerator(seed: 5)
        var lines: [String] = []
        var dense = Matrix<Double>(rows: 40, columns: 25)
        for u in 0..<40 {
            for i in 0..<25 where rng.next() % 3 == 0 || i == u % 25 {
                let r = Double(1 + rng.next() % 5)
                lines.append("\(1000 + u),\(500 + i),\(r)")
                dense[u, i] = r
            }
        }
        let path = CLI.temporaryPath("svd.csv")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, dense)
    }

    @Test(arguments: ["lanczos", "randomized"])
    func writesTheFactorsAndTheDocumentedJSON(method: String) throws {
        let (file, dense) = try Self.ratingFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let out = CLI.temporaryPath("svd-\(method)"), json = out + ".json"
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: json) }
        let r = try CLI.run(["svd", file, "--rank", "4", "--method", method, "--power-iterations", "6", "--out", out, "--json", json, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        for key in ["seconds_solve", "seconds_load", "max_residual"] { #expect((obj[key] as? Double ?? -1) >= 0, "\(key)") }
        #expect(obj["converged"] is Bool && obj["rank"] as? Int == 4)
        let u = try NumPy.readMatrix(path: out + "/U.npy", as: Double.self)
        let s = try NumPy.readMatrix(path: out + "/s.npy", as: Double.self).storage
        let vt = try NumPy.readMatrix(path: out + "/Vt.npy", as: Double.self)
        #expect(u.rows == 40 && u.columns == 4 && s.count == 4 && vt.rows == 4 && vt.columns == 25)
        let exact = try LinearAlgebra.svd(dense).singularValues
        let tolerance = method == "lanczos" ? 1e-10 : 1e-2
        for i in 0..<4 { #expect(abs(s[i] - exact[i]) <= tolerance * exact[0], "σ\(i): \(s[i]) vs \(exact[i])") }
        // Rows of U follow users.txt, columns of Vt follow items.txt.
        let users = try String(contentsOfFile: out + "/users.txt", encoding: .utf8).split(separator: "\n")
        let items = try String(contentsOfFile: out + "/items.txt", encoding: .utf8).split(separator: "\n")
        #expect(users.count == 40 && users.first == "1000" && items.count == 25 && Set(items) == Set((0..<25).map { "\(500 + $0)" }))
    }

    @Test func badInputFailsClearlyAndWritesNothing() throws {
        let (file, _) = try Self.ratingFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let out = CLI.temporaryPath("svd-bad")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var r = try CLI.run(["svd", file, "--rank", "0", "--out", out])
        #expect(CLI.failsClearly(r, "--rank must be ≥ 1"))
        r = try CLI.run(["svd", file, "--rank", "26", "--out", out])
        #expect(CLI.failsClearly(r, "exceeds min(users, items) = 25"))
        r = try CLI.run(["svd", file, "--rank", "2", "--method", "qr", "--out", out])
        #expect(CLI.failsClearly(r, "--method must be lanczos or randomized"))
        let zeros = CLI.temporaryPath("zeros.csv"), nan = CLI.temporaryPath("nan.csv")
        defer { for path in [zeros, nan] { try? FileManager.default.removeItem(atPath: path) } }
        try "1,1,0\n2,2,0\n3,1,0\n".write(toFile: zeros, atomically: true, encoding: .utf8)
        try "1,1,5\n2,2,nan\n".write(toFile: nan, atomically: true, encoding: .utf8)
        r = try CLI.run(["svd", zeros, "--rank", "1", "--out", out])
        #expect(CLI.failsClearly(r, "all zeros"))
        r = try CLI.run(["svd", nan, "--rank", "1", "--out", out])
        #expect(CLI.failsClearly(r, "nan.csv:2") && r.stderr.contains("NaN"))
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written when the command fails")
    }
}
