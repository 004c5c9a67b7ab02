import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
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

    @Test(arguments: Backend.allCases, LanczosReorthogonalization.allCases)
    func matchesLAPACKOnKnownSpectra(backend: Backend, reorthogonalization: LanczosReorthogonalization) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        for (name, sigma) in Self.spectra {
            let a = TestSupport.withSingularValues(sigma, rows: 160, columns: 120, seed: 5)
            let exact = try LinearAlgebra.svd(a, context: ctx).singularValues
            let k = 10
            let options = LanczosSVDOptions(reorthogonalization: reorthogonalization)
            let r = try SingularValues.lanczos(DenseOperator(a), rank: k, options: options, context: ctx)
            #expect(r.method == "lanczos")
            for i in 0..<k { #expect(abs(r.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(name) σ\(i): \(r.singularValues[i]) vs \(exact[i])") }
            #expect(TestSupport.orthogonalityError(columnsOf: r.u) <= 1e-10, "\(name) UᵀU")
            #expect(TestSupport.orthogonalityError(columnsOf: r.vt.transposed) <= 1e-10, "\(name) VᵀV")
            #expect(r.converged, "\(name) reports convergence; max relative residual \(r.maxRelativeResidual)")
            // A small subspace forces thick restarts; the answer must not change.
            var small = options
            small.subspace = k + 4
            let restarted = try SingularValues.lanczos(DenseOperator(a), rank: k, options: small, context: ctx)
            #expect(restarted.iterations > 0, "\(name): the small subspace should need restarts")
            for i in 0..<k { #expect(abs(restarted.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(name) restarted σ\(i)") }
            #expect(TestSupport.orthogonalityError(columnsOf: restarted.u) <= 1e-10 && restarted.converged, "\(name) restarted")
            // A wide matrix runs on Aᵀ; U and V swap back.
            let wide = try SingularValues.lanczos(DenseOperator(a.transposed), rank: k, options: options, context: ctx)
            for i in 0..<k { #expect(abs(wide.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(name) wide σ\(i)") }
            #expect(wide.u.rows == 120 && wide.vt.columns == 160 && wide.maxRelativeResidual <= 1e-11, "\(name) wide shapes and residuals")
            // Float within 1e-4.
            let rf = try SingularValues.lanczos(DenseOperator(a.converted(to: Float.self)), rank: k, options: options, context: ctx)
            for i in 0..<k { #expect(abs(Double(rf.singularValues[i]) - exact[i]) <= 1e-4 * exact[0], "\(name) Float σ\(i)") }
        }
    }

    /// Residuals are measured, not estimated: they must match ‖A·vᵢ − σᵢuᵢ‖ and ‖Aᵀuᵢ − σᵢvᵢ‖
    /// recomputed here from the returned triplets.
    @Test func reportedResidualsAreTheTripletResiduals() throws {
        let a = TestSupport.withSingularValues((0..<40).map(Self.slow), rows: 90, columns: 60, seed: 2)
        let r = try SingularValues.lanczos(DenseOperator(a), rank: 6, options: LanczosSVDOptions(tolerance: 1e-4, maxRestarts: 0))
        let av = TestSupport.referenceProduct(a, r.vt.transposed)
        let atu = TestSupport.referenceProduct(a, r.u, transposeA: true)
        for i in 0..<6 {
            var sum = 0.0
            for row in 0..<90 { let d = av[row][i] - r.singularValues[i] * r.u[row, i]; sum += d * d }
            for row in 0..<60 { let d = atu[row][i] - r.singularValues[i] * r.vt[i, row]; sum += d * d }
            #expect(abs(sum.squareRoot() - r.residuals[i]) <= 1e-12 + 1e-6 * r.residuals[i], "triplet \(i): \(sum.squareRoot()) vs \(r.residuals[i])")
        }
    }

    /// A rating matrix with users and items that have no entries (empty rows and columns) is a
    /// valid input; its SVD is that of the dense matrix.
    @Test(arguments: Backend.allCases)
    func sparseInputWithEmptyRowsAndColumns(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        var rows: [Int32] = [], columns: [Int32] = [], values: [Double] = []
        var rng = SeededGenerator(seed: 9)
        for i in 0..<120 where i % 7 != 3 {          // rows 3, 10, 17, … stay empty
            for j in 0..<80 where j % 5 != 1 && rng.next() % 5 == 0 {   // so do columns 1, 6, 11, …
                rows.append(Int32(i)); columns.append(Int32(j)); values.append(1 + Double(rng.next() % 5))
            }
        }
        let csr = try CSRMatrix<Double>.fromTriplets(rows: 120, columns: 80, rowIndices: rows, columnIndices: columns, values: values).matrix
        let exact = try LinearAlgebra.svd(csr.dense(), context: ctx).singularValues
        for reorthogonalization in LanczosReorthogonalization.allCases {
            let r = try SingularValues.lanczos(SparseOperator(csr), rank: 8, options: LanczosSVDOptions(reorthogonalization: reorthogonalization), context: ctx)
            for i in 0..<8 { #expect(abs(r.singularValues[i] - exact[i]) <= 1e-10 * exact[i], "\(reorthogonalization) σ\(i)") }
            #expect(r.converged)
        }
    }
}

@Suite struct LanczosBadInputTests {
    @Test func clearErrors() throws {
        let a = DenseOperator(Matrix<Double>.random(rows: 30, columns: 20, seed: 1))
        #expect(throws: AlgorithmError.self) { try SingularValues.lanczos(a, rank: 0) }
        #expect(throws: AlgorithmError.self) { try SingularValues.lanczos(a, rank: 21) }
        #expect(performing: { try SingularValues.lanczos(DenseOperator(Matrix<Double>(rows: 30, columns: 20)), rank: 3) },
                throws: { "\($0)".contains("all zeros") })
        var nan = Matrix<Double>.random(rows: 30, columns: 20, seed: 1)
        nan[3, 4] = .nan
        #expect(throws: AlgorithmError.self) { try SingularValues.lanczos(DenseOperator(nan), rank: 3) }
        #expect(performing: { try SingularValues.lanczos(DenseOperator(Matrix<Double>(rows: 0, columns: 20)), rank: 1) },
                throws: { "\($0)".contains("0×20") })
        #expect(performing: { try SingularValues.lanczos(SparseOperator(CSRMatrix<Double>(rows: 30, columns: 20)), rank: 2) },
                throws: { "\($0)".contains("all zeros") })
    }
}
