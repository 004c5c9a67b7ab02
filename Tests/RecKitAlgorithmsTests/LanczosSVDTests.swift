import Foundation
import Testing
import RecKitAlgorithms
import RecKitLinearAlgebra
import RecKitTestSupport

@Suite struct LanczosSVDTests {
    static func fast(_ i: Int) -> Double { pow(0.7, Double(i)) }
    static func slow(_ i: Int) -> Double { 1 / Double(i + 1) }
    static func clustered(_ i: Int) -> Double { i < 12 ? 1 + 1e-3 * Double(12 - i) : 0.5 / Double(i) }
    static func deficient(_ i: Int) -> Double { 10 - 0.4 * Double(i) }
    static func repeated(_ i: Int) -> Double { i < 3 ? 5 : (i < 6 ? 3 : (i < 8 ? 2 : 1 / Double(i))) }
    static let spectra: [(String, [Double])] = [
        ("fast decay", (0..<80).map(fast)),
        ("slow decay", (0..<80).map(slow)),
        ("clustered", (0..<80).map(clustered)),
        ("rank-deficient", (0..<20).map(deficient)),
        ("repeated", (0..<60).map(repeated)),
    ]

    @Test(arguments: Backend.allCases)
    func matchesLAPACKOnKnownSpectra(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        for (name, sigma) in Self.spectra {
            let a = TestSupport.withSingularValues(sigma, rows: 160, columns: 120, seed: 5)
            let exact = try LinearAlgebra.svd(a, context: ctx).singularValues
            let k = 10
            let r = try SingularValues.lanczos(DenseOperator(a), rank: k, context: ctx)
            #expect(r.method == "lanczos")
            for i in 0..<k { #expect(abs(r.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(name) σ\(i): \(r.singularValues[i]) vs \(exact[i])") }
            #expect(TestSupport.orthogonalityError(columnsOf: r.u) <= 1e-10, "\(name) UᵀU")
            #expect(TestSupport.orthogonalityError(columnsOf: r.vt.transposed) <= 1e-10, "\(name) VᵀV")
            #expect(r.converged, "\(name) reports convergence; max relative residual \(r.maxRelativeResidual)")
            // A small subspace forces thick restarts; the answer must not change.
            let restarted = try SingularValues.lanczos(DenseOperator(a), rank: k, options: LanczosSVDOptions(subspace: k + 4), context: ctx)
            #expect(restarted.iterations > 0, "\(name): the small subspace should need restarts")
            for i in 0..<k { #expect(abs(restarted.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(name) restarted σ\(i)") }
            #expect(TestSupport.orthogonalityError(columnsOf: restarted.u) <= 1e-10 && restarted.converged, "\(name) restarted")
            // Float within 1e-4.
            let rf = try SingularValues.lanczos(DenseOperator(a.converted(to: Float.self)), rank: k, context: ctx)
            for i in 0..<k { #expect(abs(Double(rf.singularValues[i]) - exact[i]) <= 1e-4 * exact[0], "\(name) Float σ\(i)") }
        }
    }
}

@Suite struct LanczosBadInputTests {
    @Test func clearErrors() throws {
        let a = DenseOperator(Matrix<Double>.random(rows: 30, columns: 20, seed: 1))
        #expect(throws: LinearAlgebraError.self) { try SingularValues.lanczos(a, rank: 0) }
        #expect(throws: LinearAlgebraError.self) { try SingularValues.lanczos(a, rank: 21) }
        #expect(performing: { try SingularValues.lanczos(DenseOperator(Matrix<Double>(rows: 30, columns: 20)), rank: 3) },
                throws: { "\($0)".contains("all zeros") })
        var nan = Matrix<Double>.random(rows: 30, columns: 20, seed: 1)
        nan[3, 4] = .nan
        #expect(throws: LinearAlgebraError.self) { try SingularValues.lanczos(DenseOperator(nan), rank: 3) }
    }
}
