import Foundation
import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra
import RecKitTestSupport

/// Item–item algorithms: similarities from the sparse Gram product against a brute-force
/// computation, EASE's closed form against its optimality conditions, the Cholesky inverse.
@Suite struct ItemItemTests {
    static func ratings(seed: UInt64 = 11) throws -> CSRMatrix<Float> {
        try SyntheticRatings(users: 80, items: 30, ratings: 900, seed: seed).generate(threads: 1).ratings
    }

    /// The similarity of columns `i` and `j` over their co-rating users, computed directly.
    static func bruteForce(_ r: CSRMatrix<Float>, _ i: Int, _ j: Int, kind: SimilarityKind, shrinkage: Double) -> Double? {
        let dense = r.dense()
        var x: [Double] = [], y: [Double] = []
        for u in 0..<r.rows where r.position(u, i) && r.position(u, j) { x.append(Double(dense[u, i])); y.append(Double(dense[u, j])) }
        guard !x.isEmpty else { return nil }
        var s: Double
        switch kind {
        case .cosine:
            s = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (x.reduce(0) { $0 + $1 * $1 } * y.reduce(0) { $0 + $1 * $1 }).squareRoot()
        case .pearson:
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            if x.allSatisfy({ $0 == x[0] }) || y.allSatisfy({ $0 == y[0] }) { return nil }  // no variance: undefined
            let num = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            s = num / (x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) } * y.reduce(0) { $0 + ($1 - my) * ($1 - my) }).squareRoot()
        case .vectorCosine:
            let column: (Int) -> Double = { c in (0..<r.rows).reduce(0) { $0 + Double(dense[$1, c]) * Double(dense[$1, c]) }.squareRoot() }
            s = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (column(i) * column(j))
        }
        let n = Double(x.count)
        if shrinkage > 0 { s *= (n - 1) / (n - 1 + shrinkage) }
        return s.isFinite && abs(s) > 1e-9 ? s : nil
    }

    @Test(arguments: SimilarityKind.allCases, [0.0, 25.0])
    func similaritiesMatchABruteForceComputation(kind: SimilarityKind, shrinkage: Double) throws {
        let r = try Self.ratings()
        for threads in [1, 2] {
            let nb = try ItemSimilarity.neighbors(r, kind: kind, shrinkage: shrinkage, context: ExecutionContext(backend: .blas, threads: threads))
            var worst = 0.0, found = 0
            for i in 0..<r.columns {
                var expected: [Int: Double] = [:]
                for j in 0..<r.columns where j != i { if let s = Self.bruteForce(r, i, j, kind: kind, shrinkage: shrinkage) { expected[j] = s } }
                let range = nb.range(of: i)
                #expect(range.count == expected.count, "item \(i): \(range.count) neighbours, expected \(expected.count): missing \(expected.filter { e in !nb.items[range].contains(Int32(e.key)) })")
                for p in range {
                    let j = Int(nb.items[p])
                    worst = max(worst, abs(Double(nb.similarities[p]) - (expected[j] ?? .infinity)))
                    found += 1
                }
                #expect(zip(nb.similarities[range], nb.similarities[range].dropFirst()).allSatisfy { $0 >= $1 }, "item \(i) not sorted")
            }
            #expect(found > 0 && worst <= 1e-5, "\(kind), shrinkage \(shrinkage), \(threads) threads: largest error \(worst)")
        }
        // keep and positiveOnly cut the lists.
        let kept = try ItemSimilarity.neighbors(r, kind: kind, keep: 3, positiveOnly: true)
        for i in 0..<r.columns { #expect(kept.range(of: i).count <= 3 && kept.similarities[kept.range(of: i)].allSatisfy { $0 > 0 }) }
    }

    @Test(arguments: Backend.allCases, [DType.float, .double])
    func easeSatisfiesItsOptimalityConditions(backend: Backend, dtype: DType) throws {
        // B solves min ‖X − XB‖² + λ‖B‖² s.t. diag(B) = 0, so (XᵀX + λI)·B − XᵀX has non-zeros only
        // on its diagonal (the constraints' multipliers), and diag(B) = 0.
        let x = try Self.ratings().mapValues { _ in 1 }
        let lambda = 7.0, n = x.columns
        let b = try EASE.weights(x, lambda: lambda, dtype: dtype, context: ExecutionContext(backend: backend, threads: 2))
        let dense = x.dense().converted(to: Double.self)
        let g = TestSupport.referenceProduct(dense, dense, transposeA: true)
        var worst = 0.0, scale = 0.0
        for i in 0..<n {
            #expect(b[i, i] == 0)
            for j in 0..<n where i != j {
                var v = lambda * Double(b[i, j]) - g[i][j]
                for k in 0..<n { v += g[i][k] * Double(b[k, j]) }
                worst = max(worst, abs(v))
                scale = max(scale, abs(g[i][j]))
            }
        }
        // B is returned in Float whatever precision solved it, hence 1e-5 for Double.
        let tolerance = dtype == .double ? 1e-5 : 1e-3
        #expect(worst <= tolerance * scale, "\(backend) \(dtype): off-diagonal residual \(worst) (scale \(scale))")
        #expect(throws: AlgorithmError.self) { _ = try EASE.weights(x, lambda: 0) }
    }

    @Test(arguments: Backend.allCases)
    func choleskyInverseInverts(backend: Backend) throws {
        let context = ExecutionContext(backend: backend, threads: 2)
        for n in [1, 5, 70] {
            let a: Matrix<Double> = TestSupport.spd(n, seed: UInt64(n))
            let inv = try LinearAlgebra.cholesky(a, context: context).inverse()
            let product = TestSupport.referenceProduct(a, inv)
            var worst = 0.0
            for i in 0..<n { for j in 0..<n { worst = max(worst, abs(product[i][j] - (i == j ? 1 : 0))) } }
            #expect(worst <= 1e-10, "n = \(n): ‖A·A⁻¹ − I‖_max = \(worst)")
            let f: Matrix<Float> = TestSupport.spd(n, seed: UInt64(n))
            let fi = try LinearAlgebra.cholesky(f, context: context).inverse()
            let pf = TestSupport.referenceProduct(f, fi)
            for i in 0..<n { for j in 0..<n { #expect(abs(pf[i][j] - (i == j ? 1 : 0)) <= 1e-3) } }
        }
    }
}

extension CSRMatrix {
    func position(_ row: Int, _ column: Int) -> Bool { columnIndices[range(ofRow: row)].contains(Int32(column)) }
}
