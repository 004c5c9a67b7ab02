import Testing
import RecKitLinearAlgebra
import RecKitTestSupport

/// Cholesky (single and batched), QR, symmetric eigendecomposition and SVD on both back ends and
/// precisions, checked by residuals (‖A − LLᵀ‖, ‖Ax − b‖, ‖A − QR‖, ‖QᵀQ − I‖, ‖AV − VΛ‖, ‖A − UΣVᵀ‖)
/// with tolerances scaled by size and precision.
@Suite struct FactorizationTests {
    @Test(arguments: TestSupport.contexts)
    func choleskyHandComputed(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let a = try Matrix<T>([[4, 2], [2, 3]])
            let f = try LinearAlgebra.cholesky(a, context: context)
            #expect(abs(f.lower[0, 0].doubleValue - 2) < 1e-6 && abs(f.lower[1, 0].doubleValue - 1) < 1e-6)
            #expect(abs(f.lower[1, 1].doubleValue - 2.0.squareRoot()) < 1e-6 && f.lower[0, 1] == 0)
            let x = try f.solve([T](arrayLiteral: 8, 7))       // 4x+2y=8, 2x+3y=7 → x = 1.25, y = 1.5
            #expect(abs(x[0].doubleValue - 1.25) < 1e-5 && abs(x[1].doubleValue - 1.5) < 1e-5)
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func choleskyResiduals(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            for n in [1, 17, 64, 250, 333] { // 250 and 333 take the blocked path in the Swift back end
                let a: Matrix<T> = TestSupport.spd(n, seed: UInt64(n))
                let f = try LinearAlgebra.cholesky(a, context: context)
                let llt = TestSupport.referenceProduct(f.lower, f.lower, transposeB: true)
                let ad = (0..<n).map { i in (0..<n).map { a[i, $0].doubleValue } }
                #expect(TestSupport.relativeDifference(a, llt) <= 8 * Double(n) * TestSupport.eps(T.self), "n = \(n)")
                _ = ad
                let b = Matrix<T>.random(rows: n, columns: 3, seed: 9)
                let x = try LinearAlgebra.solvePositiveDefinite(a, b, context: context)
                let ax = TestSupport.referenceProduct(a, x)
                #expect(TestSupport.relativeDifference(b, ax) <= 64 * Double(n) * TestSupport.eps(T.self), "n = \(n)")
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func choleskyBadInput(context: ExecutionContext) throws {
        let notPD = try Matrix<Double>([[1, 2, 0], [2, 1, 0], [0, 0, 1]])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(operation: "cholesky", order: 2, batchIndex: nil)) {
            try LinearAlgebra.cholesky(notPD, context: context)
        }
        var nan = Matrix<Double>.identity(3)
        nan[2, 1] = .nan
        #expect(throws: LinearAlgebraError.nonFinite(operation: "cholesky", argument: "A", row: 2, column: 1, batchIndex: nil)) {
            try LinearAlgebra.cholesky(nan, context: context)
        }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.cholesky(Matrix<Float>(rows: 2, columns: 3), context: context) }
        #expect(throws: LinearAlgebraError.emptyMatrix(operation: "cholesky", shape: "0×0")) {
            try LinearAlgebra.cholesky(Matrix<Float>(rows: 0, columns: 0), context: context)
        }
        let message = "\(LinearAlgebraError.notPositiveDefinite(operation: "cholesky", order: 2, batchIndex: 7))"
        #expect(message.contains("batch item 7") && message.contains("regularisation"))
    }

    @Test(arguments: TestSupport.contexts)
    func batchedSolve(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let count = 50, n = 24
            var a = MatrixBatch<T>(count: count, rows: n, columns: n)
            for i in 0..<count { a[i] = TestSupport.spd(n, seed: UInt64(100 + i)) }
            let b = MatrixBatch<T>.random(count: count, rows: n, columns: 1, seed: 5)
            let x = try LinearAlgebra.batchedSolvePositiveDefinite(a, b, context: context)
            for i in [0, 31, 49] {
                let ax = TestSupport.referenceProduct(a[i], x[i])
                #expect(TestSupport.relativeDifference(b[i], ax) <= 64 * Double(n) * TestSupport.eps(T.self))
            }
            // Several right-hand sides.
            let b3 = MatrixBatch<T>.random(count: count, rows: n, columns: 3, seed: 6)
            let x3 = try LinearAlgebra.batchedSolvePositiveDefinite(a, b3, context: context)
            #expect(TestSupport.relativeDifference(b3[7], TestSupport.referenceProduct(a[7], x3[7])) <= 64 * Double(n) * TestSupport.eps(T.self))
            // The first failing system is named.
            var bad = a
            bad[13] = Matrix<T>(rows: n, columns: n) // zero matrix: minor of order 1 is 0
            bad[40] = Matrix<T>(rows: n, columns: n)
            #expect(throws: LinearAlgebraError.notPositiveDefinite(operation: "batchedSolvePositiveDefinite", order: 1, batchIndex: 13)) {
                try LinearAlgebra.batchedSolvePositiveDefinite(bad, b, context: context)
            }
            var withNaN = b
            var item = withNaN[3]
            item[5, 0] = .nan
            withNaN[3] = item
            #expect(throws: LinearAlgebraError.nonFinite(operation: "batchedSolvePositiveDefinite", argument: "B", row: 5, column: 0, batchIndex: 3)) {
                try LinearAlgebra.batchedSolvePositiveDefinite(a, withNaN, context: context)
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func qrResiduals(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            for (m, n) in [(1, 1), (5, 3), (3, 5), (60, 60), (300, 80), (90, 200)] {
                let a = Matrix<T>.random(rows: m, columns: n, seed: UInt64(m * 1000 + n))
                let f = try LinearAlgebra.qr(a, context: context)
                let p = min(m, n)
                #expect(f.q.rows == m && f.q.columns == p && f.r.rows == p && f.r.columns == n)
                #expect(TestSupport.relativeDifference(a, TestSupport.referenceProduct(f.q, f.r)) <= 16 * Double(m) * TestSupport.eps(T.self))
                #expect(TestSupport.orthogonalityError(columnsOf: f.q) <= 16 * Double(m) * TestSupport.eps(T.self))
                for i in 0..<p { for j in 0..<min(i, n) { #expect(f.r[i, j] == 0) } }
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func symmetricEigen(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let hand = try LinearAlgebra.symmetricEigen(try Matrix<T>([[2, 1], [1, 2]]), context: context)
            #expect(abs(hand.values[0].doubleValue - 1) < 1e-5 && abs(hand.values[1].doubleValue - 3) < 1e-5)
            for n in [1, 2, 7, 64, 180] {
                let g = Matrix<T>.random(rows: n, columns: n, seed: UInt64(n))
                let a = Matrix<T>(rows: n, columns: n) { i, j in g[max(i, j), min(i, j)] }
                let e = try LinearAlgebra.symmetricEigen(a, context: context)
                #expect(zip(e.values, e.values.dropFirst()).allSatisfy { $0 <= $1 }, "ascending")
                let av = TestSupport.referenceProduct(a, e.vectors)
                var res = 0.0, scale = 0.0
                for i in 0..<n { for j in 0..<n {
                    res = max(res, abs(av[i][j] - e.vectors[i, j].doubleValue * e.values[j].doubleValue))
                    scale = max(scale, abs(a[i, j].doubleValue))
                } }
                #expect(res <= 32 * Double(n) * TestSupport.eps(T.self) * max(scale, 1) * Double(n).squareRoot(), "n = \(n): ‖AV − VΛ‖ = \(res)")
                #expect(TestSupport.orthogonalityError(columnsOf: e.vectors) <= 32 * Double(n) * TestSupport.eps(T.self))
            }
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: TestSupport.contexts)
    func svdResiduals(context: ExecutionContext) throws {
        func check<T: Scalar>(_: T.Type) throws {
            let hand = try LinearAlgebra.svd(try Matrix<T>([[3, 0], [0, -4], [0, 0]]), context: context)
            #expect(abs(hand.singularValues[0].doubleValue - 4) < 1e-5 && abs(hand.singularValues[1].doubleValue - 3) < 1e-5)
            for (m, n) in [(1, 1), (6, 4), (4, 6), (80, 80), (200, 50), (40, 130)] {
                let a = Matrix<T>.random(rows: m, columns: n, seed: UInt64(7 * m + n))
                try verify(a, tolerance: 64)
            }
            // Rank-deficient (rank 3 of 30) and repeated singular values.
            let low = TestSupport.withSingularValues([5, 5, 1], rows: 40, columns: 30, seed: 3).converted(to: T.self)
            let f = try verify(low, tolerance: 64)
            #expect(abs(f.singularValues[0].doubleValue - 5) < 1e-4 && abs(f.singularValues[2].doubleValue - 1) < 1e-4)
            #expect(f.singularValues[3...].allSatisfy { $0.doubleValue < 1e-4 })
        }
        @discardableResult
        func verify<T: Scalar>(_ a: Matrix<T>, tolerance: Double) throws -> SingularValueDecomposition<T> {
            let f = try LinearAlgebra.svd(a, context: context)
            let m = a.rows, n = a.columns, p = min(m, n)
            #expect(f.u.rows == m && f.u.columns == p && f.vt.rows == p && f.vt.columns == n)
            #expect(zip(f.singularValues, f.singularValues.dropFirst()).allSatisfy { $0 >= $1 } && f.singularValues.allSatisfy { $0 >= 0 })
            var us = f.u
            for i in 0..<m { for j in 0..<p { us[i, j] *= f.singularValues[j] } }
            let eps = TestSupport.eps(T.self) * Double(max(m, n))
            #expect(TestSupport.relativeDifference(a, TestSupport.referenceProduct(us, f.vt)) <= tolerance * eps, "\(m)×\(n)")
            #expect(TestSupport.orthogonalityError(columnsOf: f.u) <= tolerance * eps, "UᵀU \(m)×\(n)")
            #expect(TestSupport.orthogonalityError(columnsOf: f.vt.transposed) <= tolerance * eps, "VᵀV \(m)×\(n)")
            return f
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test func backendsAgreeOnDecompositions() throws {
        let blas = ExecutionContext(backend: .blas, threads: 2), swift = ExecutionContext(backend: .swift, threads: 2)
        let a = Matrix<Double>.random(rows: 120, columns: 70, seed: 77)
        let s1 = try LinearAlgebra.svd(a, context: blas).singularValues
        let s2 = try LinearAlgebra.svd(a, context: swift).singularValues
        #expect(zip(s1, s2).allSatisfy { abs($0 - $1) <= 1e-12 * s1[0] })
        let sym = try LinearAlgebra.gram(a, transposeA: true)
        let e1 = try LinearAlgebra.symmetricEigen(sym, context: blas).values
        let e2 = try LinearAlgebra.symmetricEigen(sym, context: swift).values
        #expect(zip(e1, e2).allSatisfy { abs($0 - $1) <= 1e-11 * e1.last! })
        let r1 = try LinearAlgebra.qr(a, context: blas).r, r2 = try LinearAlgebra.qr(a, context: swift).r
        #expect(zip(r1.storage, r2.storage).allSatisfy { abs($0 - $1) <= 1e-11 * 10 })
        // Same input, same thread count → bit-identical pure-Swift results.
        #expect(try LinearAlgebra.svd(a, context: swift).singularValues == s2)
    }

    @Test(arguments: Backend.allCases)
    func decompositionBadInput(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 1)
        var a = Matrix<Float>.random(rows: 4, columns: 3, seed: 1)
        a[1, 2] = .infinity
        #expect(throws: LinearAlgebraError.nonFinite(operation: "svd", argument: "A", row: 1, column: 2, batchIndex: nil)) {
            try LinearAlgebra.svd(a, context: ctx)
        }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.qr(a, context: ctx) }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.symmetricEigen(Matrix<Float>(rows: 2, columns: 3), context: ctx) }
        #expect(throws: LinearAlgebraError.emptyMatrix(operation: "svd", shape: "0×4")) {
            try LinearAlgebra.svd(Matrix<Float>(rows: 0, columns: 4), context: ctx)
        }
    }
}
