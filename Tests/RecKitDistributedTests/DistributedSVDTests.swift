import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Distributed Lanczos against the single-process solver: σ within 1e-10·σ₁ for 1…4 ranks, with
/// the users (more users than items) or the items (more items) as the distributed rows, and the
/// written triplets satisfying A·vᵢ = σᵢuᵢ to the same tolerance.
@Suite(.serialized, .enabled(if: MPIJob.available, "mpirun (openmpi-bin) or reckit-mpi is missing: the README's test command installs Open MPI"))
struct DistributedSVDTests {
    @Test(arguments: [(1100, 80), (60, 300)])
    func singularValuesEqualTheSingleProcessSolve(shape: (users: Int, items: Int)) throws {
        let file = try MPIJob.ratingFile(users: shape.users, items: shape.items, density: 0.1, seed: 21)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let data = try RatingDataset.load(path: file)
        let a = data.ratings.converted(to: Double.self)
        let k = 6
        let expected = try SingularValues.lanczos(SparseOperator(a), rank: k, context: ExecutionContext.current.with(threads: 1)).singularValues
        let dense = a.dense()
        for ranks in 1...4 {
            let out = MPIJob.temporaryPath("svd-\(ranks)")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try MPIJob.run(ranks: ranks, ["svd", file, "--rank", "\(k)", "--out", out, "-q"])
            try #require(r.status == 0, "\(ranks) ranks: \(r.stderr)")
            let s = try NumPy.readMatrix(path: out + "/s.npy", as: Double.self).storage
            let u = try NumPy.readMatrix(path: out + "/U.npy", as: Double.self)
            let vt = try NumPy.readMatrix(path: out + "/Vt.npy", as: Double.self)
            #expect(u.rows == data.userCount && u.columns == k && vt.rows == k && vt.columns == data.itemCount)
            for i in 0..<k { #expect(abs(s[i] - expected[i]) <= 1e-10 * expected[0], "\(ranks) ranks, σ\(i): \(s[i]) vs \(expected[i])") }
            // A·vᵢ − σᵢuᵢ
            var worst = 0.0
            for i in 0..<k {
                for row in 0..<dense.rows {
                    var av = 0.0
                    for c in 0..<dense.columns { av += dense[row, c] * vt[i, c] }
                    worst = max(worst, abs(av - s[i] * u[row, i]))
                }
            }
            #expect(worst <= 1e-10 * expected[0], "\(ranks) ranks: ‖A·v − σu‖∞ = \(worst)")
        }
    }
}
