import Testing
import RecKitLinearAlgebra
import RecKitTestSupport

/// GEMM, GEMV, SYRK and batched GEMM on both back ends and both precisions, against hand-computed
/// values and a naive Double reference (residual `‖C·t − (β·C₀·t + α·A·(B·t))‖` for random t).
@Suite struct ProductTests {
    @Test(arguments: TestSupport.contexts)
    func handComputedProduct(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let a = try Matrix<T>([[1, 2, 3], [4, 5, 6]])
            let b = try Matrix<T>([[7, 8], [9, 10], [11, 12]])
            let c = try LinearAlgebra.multiply(a, b, context: context)
            #expect(c == (try Matrix<T>([[58, 64], [139, 154]])))
            var d = try Matrix<T>([[1, 1], [1, 1]])
            try LinearAlgebra.multiply(a, b, alpha: 2, beta: -1, into: &d, context: context)
            #expect(d == (try Matrix<T>([[115, 127], [277, 307]])))
            let e = try LinearAlgebra.multiply(b, a, transposeA: true, transposeB: true, context: context) // (A·B)ᵀ
            #expect(e == (try Matrix<T>([[58, 139], [64, 154]])))
        }
        try check(Float.self)
        try check(Double.self)
    }

    /// Shapes chosen to hit every edge of the blocking: partial micro-tiles, several kc panels,
    /// several row blocks per thread.
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (7, 13, 5), (37, 53, 29), (130, 70, 300), (200, 150, 513)]

    @Test(arguments: TestSupport.contexts)
    func gemmResidualAllTransposes(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            for (m, n, k) in Self.shapes {
                for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                    let a = Matrix<T>.random(rows: ta ? k : m, columns: ta ? m : k, seed: 11)
                    let b = Matrix<T>.random(rows: tb ? n : k, columns: tb ? k : n, seed: 12)
                    let c0 = Matrix<T>.random(rows: m, columns: n, seed: 13)
                    var c = c0
                    let alpha: T = 0.75, beta: T = -0.5
                    try LinearAlgebra.multiply(a, b, transposeA: ta, transposeB: tb, alpha: alpha, beta: beta, into: &c, context: context)
                    let t = (0..<n).map { Double($0 % 7) - 3.1 }
                    let lhs = TestSupport.apply(c, t)
                    let bt = TestSupport.apply(b, t, transpose: tb)
                    let abt = TestSupport.apply(a, bt, transpose: ta)
                    let c0t = TestSupport.apply(c0, t)
                    let residual = TestSupport.norm(zip(lhs, zip(c0t, abt)).map { $0 - (beta.doubleValue * $1.0 + alpha.doubleValue * $1.1) })
                    let scale = TestSupport.norm(abt) + TestSupport.norm(c0t) + 1
                    // Forward error of a k-term dot product: ≤ k·u·Σ|terms|; 4× slack.
                    #expect(residual <= 4 * Double(k + 2) * TestSupport.eps(T.self) * scale * Double(n).squareRoot(),
                            "\(T.self) \(m)×\(n)×\(k) ta=\(ta) tb=\(tb): residual \(residual)")
                }
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test func backendsAgreeAndAreDeterministic() throws {
        let a = Matrix<Double>.random(rows: 301, columns: 257, seed: 5)
        let b = Matrix<Double>.random(rows: 257, columns: 199, seed: 6)
        let blas = try LinearAlgebra.multiply(a, b, context: ExecutionContext(backend: .blas, threads: 2))
        let swift2 = try LinearAlgebra.multiply(a, b, context: ExecutionContext(backend: .swift, threads: 2))
        let swift2again = try LinearAlgebra.multiply(a, b, context: ExecutionContext(backend: .swift, threads: 2))
        #expect(swift2 == swift2again, "same seed and thread count must give bit-identical results")
        var maxDiff = 0.0
        for k in 0..<blas.storage.count { maxDiff = max(maxDiff, abs(blas.storage[k] - swift2.storage[k])) }
        #expect(maxDiff <= 1e-12 * 257)
    }

    @Test(arguments: TestSupport.contexts)
    func viewsAsOperands(context: ExecutionContext) throws {
        let big = Matrix<Float>.random(rows: 40, columns: 30, seed: 7)
        let a = big.block(rows: 3..<20, columns: 5..<16)   // 17×11
        let b = big.block(rows: 20..<31, columns: 2..<27)  // 11×25
        let c = try LinearAlgebra.multiply(a, b, context: context)
        let ref = TestSupport.referenceProduct(a.materialized(), b.materialized())
        #expect(TestSupport.relativeDifference(c, ref) < 1e-5)
        let rowsView = big.rows(10..<12)
        #expect(rowsView.materialized().storage == Array(big.storage[300..<360]))
    }

    @Test(arguments: TestSupport.contexts)
    func gemv(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let hand = try Matrix<T>([[1, 2], [3, 4], [5, 6]])
            #expect(try LinearAlgebra.multiply(hand, vector: [1, -1], context: context) == [-1, -1, -1])
            #expect(try LinearAlgebra.multiply(hand, vector: [1, 0, 1], transposeA: true, context: context) == [6, 8])
            for (m, n) in [(1, 1), (33, 17), (300, 517)] {
                let a = Matrix<T>.random(rows: m, columns: n, seed: 21)
                for trans in [false, true] {
                    let x = (0..<(trans ? m : n)).map { T(Double($0 % 5) - 2) }
                    var y = (0..<(trans ? n : m)).map { T(Double($0 % 3)) }
                    let y0 = y
                    try LinearAlgebra.multiply(a, vector: x, transposeA: trans, alpha: 2, beta: 0.5, into: &y, context: context)
                    let ref = zip(TestSupport.apply(a, x.map(\.doubleValue), transpose: trans), y0).map { 2 * $0 + 0.5 * $1.doubleValue }
                    let err = TestSupport.norm(zip(y, ref).map { $0.doubleValue - $1 })
                    #expect(err <= 8 * Double(max(m, n)) * TestSupport.eps(T.self) * (TestSupport.norm(ref) + 1))
                }
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func gramMatchesProduct(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            for (n, k) in [(5, 3), (97, 40), (260, 300)] {
                let a = Matrix<T>.random(rows: n, columns: k, seed: 31)
                let g = try LinearAlgebra.gram(a, context: context)                      // A·Aᵀ
                let gt = try LinearAlgebra.gram(a, transposeA: true, context: context)   // Aᵀ·A
                #expect(TestSupport.relativeDifference(g, TestSupport.referenceProduct(a, a, transposeB: true)) <= 16 * Double(k) * TestSupport.eps(T.self))
                #expect(TestSupport.relativeDifference(gt, TestSupport.referenceProduct(a, a, transposeA: true)) <= 16 * Double(n) * TestSupport.eps(T.self))
                #expect(g == g.transposed, "gram must be exactly symmetric")
                var c = Matrix<T>.identity(n)
                try LinearAlgebra.gram(a, alpha: 2, beta: 3, into: &c, context: context)
                let ref = TestSupport.referenceProduct(a, a, transposeB: true).enumerated().map { i, row in row.enumerated().map { j, v in 2 * v + (i == j ? 3 : 0) } }
                #expect(TestSupport.relativeDifference(c, ref) <= 16 * Double(k) * TestSupport.eps(T.self))
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func batchedMatchesIndividualProducts(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let a = MatrixBatch<T>.random(count: 37, rows: 9, columns: 13, seed: 41)
            let b = MatrixBatch<T>.random(count: 37, rows: 11, columns: 13, seed: 42)
            var c = MatrixBatch<T>(count: 37, rows: 9, columns: 11, repeating: 1)
            try LinearAlgebra.batchedMultiply(a, b, transposeB: true, alpha: 2, beta: 1, into: &c, context: context)
            for i in [0, 17, 36] {
                let ref = TestSupport.referenceProduct(a[i], b[i], transposeB: true).map { $0.map { 2 * $0 + 1 } }
                #expect(TestSupport.relativeDifference(c[i], ref) <= 64 * TestSupport.eps(T.self))
            }
            let shared = MatrixBatch<T>.random(count: 1, rows: 13, columns: 4, seed: 43)
            var d = MatrixBatch<T>(count: 37, rows: 9, columns: 4)
            try LinearAlgebra.batchedMultiply(a, shared, into: &d, context: context)
            #expect(TestSupport.relativeDifference(d[5], TestSupport.referenceProduct(a[5], shared[0])) <= 64 * TestSupport.eps(T.self))
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test func shapeErrorsNameTheShapes() throws {
        let a = Matrix<Float>(rows: 3, columns: 4), b = Matrix<Float>(rows: 5, columns: 2)
        #expect {
            _ = try LinearAlgebra.multiply(a, b)
        } throws: { error in
            let text = "\(error)"
            return text.contains("3×4") && text.contains("5×2")
        }
        var c = Matrix<Float>(rows: 2, columns: 2)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.multiply(a, a, transposeB: true, into: &c) }
        var y = [Float](repeating: 0, count: 2)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.multiply(a, vector: [1, 2], into: &y) }
        var batch = MatrixBatch<Float>(count: 2, rows: 3, columns: 3)
        #expect(throws: LinearAlgebraError.self) {
            try LinearAlgebra.batchedMultiply(MatrixBatch(count: 3, rows: 3, columns: 3), MatrixBatch(count: 3, rows: 3, columns: 3), into: &batch)
        }
        #expect(throws: LinearAlgebraError.self) { _ = try Matrix<Float>(rows: 2, columns: 2, elements: [1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { _ = try Matrix<Float>([[1, 2], [3]]) }
    }

    @Test(arguments: Backend.allCases)
    func emptyAndDegenerateProducts(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let empty = Matrix<Double>(rows: 0, columns: 3)
        #expect(try LinearAlgebra.multiply(empty, Matrix<Double>(rows: 3, columns: 2), context: ctx).rows == 0)
        // k = 0: C ← β·C
        var c = try Matrix<Double>([[1, 2], [3, 4]])
        try LinearAlgebra.multiply(Matrix<Double>(rows: 2, columns: 0), Matrix<Double>(rows: 0, columns: 2), beta: 2, into: &c, context: ctx)
        #expect(c == (try Matrix<Double>([[2, 4], [6, 8]])))
        // β = 0 ignores NaN already in C, as BLAS does.
        var d = Matrix<Double>(rows: 2, columns: 2, repeating: .nan)
        try LinearAlgebra.multiply(Matrix<Double>.identity(2), Matrix<Double>.identity(2), into: &d, context: ctx)
        #expect(d == Matrix<Double>.identity(2))
        // The same at a size the tiled kernels block and thread (a new product starts from
        // uninitialised memory, so β = 0 must never read C), both precisions and orientations;
        // and a new product with k = 0 is zero.
        func staleNaN<T: Scalar>(_: T.Type) throws {
            let a = Matrix<T>.random(rows: 203, columns: 71, seed: 1), b = Matrix<T>.random(rows: 71, columns: 157, seed: 2)
            for (ta, tb) in [(false, false), (true, true)] {
                let x = ta ? a.transposed : a, y = tb ? b.transposed : b
                var stale = Matrix<T>(rows: 203, columns: 157, repeating: .nan)
                try LinearAlgebra.multiply(x, y, transposeA: ta, transposeB: tb, into: &stale, context: ctx)
                let fresh = try LinearAlgebra.multiply(x, y, transposeA: ta, transposeB: tb, context: ctx)
                #expect(stale.storage.allSatisfy(\.isFinite) && stale == fresh)
                #expect(TestSupport.relativeDifference(fresh, TestSupport.referenceProduct(a, b)) <= 64 * TestSupport.eps(T.self))
            }
            #expect(try LinearAlgebra.multiply(Matrix<T>(rows: 3, columns: 0), Matrix<T>(rows: 0, columns: 4), context: ctx).storage.allSatisfy { $0 == 0 })
        }
        try staleNaN(Float.self)
        try staleNaN(Double.self)
        // NaN in an input propagates (GEMM does not scan its inputs).
        var e = Matrix<Double>.identity(2)
        e[0, 0] = .nan
        #expect(try LinearAlgebra.multiply(e, Matrix<Double>.identity(2), context: ctx)[0, 0].isNaN)
    }
}
