import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitTestSupport

@Suite struct RandomizedSVDTests {
    /// HMT Corollary 10.10's expected-error bound for the spectrum `sigma`.
    static func bound(_ sigma: [Double], k: Int, p: Int, q: Int) -> Double {
        let e = 2 * Double(q) + 1
        let tail = sigma.dropFirst(k).reduce(0.0) { $0 + pow($1, 2 * e) }.squareRoot()
        let first = (1 + (Double(k) / Double(p - 1)).squareRoot()) * pow(sigma[k], e)
        let second = M_E * Double(k + p).squareRoot() / Double(p) * tail
        return pow(first + second, 1 / e)
    }

    /// ‖A − U·Σ·Vᵀ‖₂ in Double, by a dense SVD of the difference.
    static func spectralError(_ a: Matrix<Double>, _ r: TruncatedSVD<Double>) throws -> Double {
        var us = r.u
        for i in 0..<us.rows { for j in 0..<us.columns { us[i, j] *= r.singularValues[j] } }
        let approx = try LinearAlgebra.multiply(us, r.vt)
        return try LinearAlgebra.svd(a - approx).singularValues[0]
    }

    @Test(arguments: [0, 1, 2])
    func errorMeetsTheDocumentedBound(powerIterations q: Int) throws {
        // Slow decay, where power iterations matter: σ_j = 1/(j+1).
        let sigma = (0..<60).map { 1 / Double($0 + 1) }
        let a = TestSupport.withSingularValues(sigma, rows: 150, columns: 100, seed: 4)
        let k = 10, p = 10
        var errors: [Double] = []
        for seed in 0..<5 as Range<UInt64> {
            let r = try SingularValues.randomized(DenseOperator(a), rank: k,
                                                  options: RandomizedSVDOptions(oversampling: p, powerIterations: q, seed: seed))
            errors.append(try Self.spectralError(a, r))
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let b = Self.bound(sigma, k: k, p: p, q: q)
        // The bound is on the expectation of ‖A − QQᵀA‖, which ‖A − UΣVᵀ‖ (rank-k truncation of QQᵀA)
        // can exceed by at most σ_{k+1}; we test the mean over 5 seeds against bound + σ_{k+1}.
        #expect(mean <= b + sigma[k], "q = \(q): mean error \(mean), bound \(b)")
        #expect(mean >= sigma[k] * (1 - 1e-9), "no rank-k approximation beats σ_{k+1} (Eckart–Young)")
    }

    @Test(arguments: Backend.allCases)
    func fastDecayIsRecoveredToHighAccuracy(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let sigma = (0..<40).map { pow(2.0, -Double($0)) }
        let a = TestSupport.withSingularValues(sigma, rows: 120, columns: 90, seed: 8)
        let r = try SingularValues.randomized(DenseOperator(a), rank: 8, options: RandomizedSVDOptions(powerIterations: 4, tolerance: 1e-8), context: ctx)
        for i in 0..<8 { #expect(abs(r.singularValues[i] - sigma[i]) <= 1e-10 * sigma[0], "σ\(i): \(r.singularValues[i]) vs \(sigma[i])") }
        #expect(TestSupport.orthogonalityError(columnsOf: r.u) <= 1e-12 && TestSupport.orthogonalityError(columnsOf: r.vt.transposed) <= 1e-12)
        #expect(r.converged && r.maxRelativeResidual <= 1e-8)
        // Float: the same within single-precision tolerance.
        let rf = try SingularValues.randomized(DenseOperator(a.converted(to: Float.self)), rank: 8, options: RandomizedSVDOptions(powerIterations: 4), context: ctx)
        for i in 0..<8 { #expect(abs(Double(rf.singularValues[i]) - sigma[i]) <= 1e-5, "Float σ\(i)") }
    }

    @Test func sparseAndCenteredOperatorsMatchDense() throws {
        var spec = SyntheticRatings(users: 80, items: 50, ratings: 900, seed: 3)
        spec.rank = 3
        let csr = try spec.generate(threads: 1).ratings.converted(to: Double.self)
        let dense = csr.dense()
        let x = Matrix<Double>.random(rows: 50, columns: 4, seed: 1), y = Matrix<Double>.random(rows: 80, columns: 3, seed: 2)
        let means = (0..<50).map { j in (0..<80).reduce(0.0) { $0 + dense[$1, j] } / 80 }
        let centredDense = Matrix<Double>(rows: 80, columns: 50) { i, j in dense[i, j] - means[j] }
        let op = try CenteredOperator(SparseOperator(csr), columnMeans: means)
        for backend in Backend.allCases {
            let ctx = ExecutionContext(backend: backend, threads: 2)
            #expect(TestSupport.relativeDifference(try op.apply(x, context: ctx), TestSupport.referenceProduct(centredDense, x)) < 1e-12)
            #expect(TestSupport.relativeDifference(try op.applyTransposed(y, context: ctx), TestSupport.referenceProduct(centredDense, y, transposeA: true)) < 1e-12)
        }
        let r = try SingularValues.randomized(op, rank: 5, options: RandomizedSVDOptions(powerIterations: 6))
        let exact = try LinearAlgebra.svd(centredDense).singularValues
        for i in 0..<5 {
            // σᵢ(QᵀA) ≤ σᵢ(A) (interlacing), and 6 power iterations on this slowly decaying spectrum
            // land within 1e-4·σ₁ (measured: 6e-6·σ₁).
            #expect(r.singularValues[i] <= exact[i] * (1 + 1e-12))
            #expect(exact[i] - r.singularValues[i] <= 1e-4 * exact[0])
        }
    }

    /// A Float sketch with a Double finish: the basis is orthonormalised and projected in Double, so
    /// the vectors are orthonormal to Double rounding and σ obeys interlacing exactly; the subspace
    /// carries Float's rounding (~6e-8), which moves σ by its square (Rayleigh–Ritz) and the
    /// residuals by about itself.
    @Test(arguments: Backend.allCases)
    func floatSketchKeepsDoubleResults(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let sigma = (0..<40).map { pow(2.0, -Double($0)) }
        let a = TestSupport.withSingularValues(sigma, rows: 120, columns: 90, seed: 8)
        let options = RandomizedSVDOptions(powerIterations: 4, tolerance: 1e-5, sketchPrecision: .float)
        let r = try SingularValues.randomized(DenseOperator(a), rank: 8, options: options, context: ctx)
        for i in 0..<8 { #expect(abs(r.singularValues[i] - sigma[i]) <= 1e-10 * sigma[0], "σ\(i): \(r.singularValues[i]) vs \(sigma[i])") }
        #expect(TestSupport.orthogonalityError(columnsOf: r.u) <= 1e-12 && TestSupport.orthogonalityError(columnsOf: r.vt.transposed) <= 1e-12)
        #expect(r.converged && r.maxRelativeResidual <= 1e-5, "residual \(r.maxRelativeResidual)")

        // Sparse and centred sparse ratings: interlacing against the exact σ, and as close to them
        // as the Double sketch (6 power iterations on this slow spectrum: within 1e-4·σ₁).
        var spec = SyntheticRatings(users: 80, items: 50, ratings: 900, seed: 3)
        spec.rank = 3
        let csr = try spec.generate(threads: 1).ratings.converted(to: Double.self)
        let dense = csr.dense()
        let means = (0..<50).map { j in (0..<80).reduce(0.0) { $0 + dense[$1, j] } / 80 }
        let centredDense = Matrix<Double>(rows: 80, columns: 50) { i, j in dense[i, j] - means[j] }
        let cases: [(String, Matrix<Double>, TruncatedSVD<Double>)] = [
            ("sparse", dense, try SingularValues.randomized(SparseOperator(csr), rank: 5,
                                                            options: RandomizedSVDOptions(powerIterations: 6, sketchPrecision: .float), context: ctx)),
            ("centred", centredDense, try SingularValues.randomized(try CenteredOperator(SparseOperator(csr), columnMeans: means), rank: 5,
                                                                    options: RandomizedSVDOptions(powerIterations: 6, sketchPrecision: .float), context: ctx)),
        ]
        for (name, matrix, result) in cases {
            let exact = try LinearAlgebra.svd(matrix).singularValues
            for i in 0..<5 {
                #expect(result.singularValues[i] <= exact[i] * (1 + 1e-12), "\(name) σ\(i)")
                #expect(exact[i] - result.singularValues[i] <= 1e-4 * exact[0], "\(name) σ\(i)")
            }
            #expect(TestSupport.orthogonalityError(columnsOf: result.u) <= 1e-12, "\(name)")
        }

        // For a Float matrix the option changes nothing.
        let f = DenseOperator(a.converted(to: Float.self))
        let plain = try SingularValues.randomized(f, rank: 8, options: RandomizedSVDOptions(powerIterations: 4), context: ctx)
        let sketched = try SingularValues.randomized(f, rank: 8, options: RandomizedSVDOptions(powerIterations: 4, sketchPrecision: .float), context: ctx)
        #expect(plain.singularValues == sketched.singularValues)
    }

    @Test func floatSketchRefusesWhatFloatCannotHold() throws {
        var huge = Matrix<Double>.random(rows: 6, columns: 4, seed: 1)
        huge[1, 3] = 1e30
        let options = RandomizedSVDOptions(sketchPrecision: .float)
        #expect(performing: { try SingularValues.randomized(DenseOperator(huge), rank: 2, options: options) },
                throws: { "\($0)".contains("sketchPrecision") && "\($0)".contains("1e+30") })
        var nan = Matrix<Double>.random(rows: 6, columns: 4, seed: 1)
        nan[2, 1] = .nan
        #expect(performing: { try SingularValues.randomized(DenseOperator(nan), rank: 2, options: options) },
                throws: { "\($0)".contains("NaN") })
        let transposed = TransposedOperator(DenseOperator(Matrix<Double>.random(rows: 6, columns: 4, seed: 1)))
        #expect(performing: { try SingularValues.randomized(transposed, rank: 2, options: options) },
                throws: { "\($0)".contains("TransposedOperator") })
    }

    @Test func badInputGetsClearErrors() throws {
        let a = DenseOperator(Matrix<Double>.random(rows: 6, columns: 4, seed: 1))
        #expect(throws: AlgorithmError.self) { try SingularValues.randomized(a, rank: 0) }
        #expect(throws: AlgorithmError.self) { try SingularValues.randomized(a, rank: 5) }
        #expect(performing: { try SingularValues.randomized(DenseOperator(Matrix<Double>(rows: 5, columns: 4)), rank: 2) },
                throws: { "\($0)".contains("all zeros") })
        var nan = Matrix<Double>.random(rows: 6, columns: 4, seed: 1)
        nan[2, 2] = .nan
        #expect(throws: AlgorithmError.self) { try SingularValues.randomized(DenseOperator(nan), rank: 2) }
        #expect(throws: AlgorithmError.self) { try SingularValues.randomized(DenseOperator(Matrix<Double>(rows: 0, columns: 4)), rank: 1) }
    }
}
