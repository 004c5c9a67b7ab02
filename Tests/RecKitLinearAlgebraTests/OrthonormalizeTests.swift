import Foundation
import Testing
import RecKitLinearAlgebra
import RecKitTestSupport

/// Cholesky-QR orthonormalisation: orthonormal to working precision, spanning the input's columns,
/// across condition numbers where CholeskyQR2, shifted CholeskyQR3 and the Householder fallback
/// each take over.
@Suite struct OrthonormalizeTests {
    /// ‖(I − QQᵀ)Y‖ / ‖Y‖ (Frobenius): how much of Y lies outside span(Q).
    static func outsideSpan(_ q: Matrix<Double>, _ y: Matrix<Double>) -> Double {
        let qty = TestSupport.referenceProduct(q, y, transposeA: true)
        var outside = 0.0, total = 0.0
        for i in 0..<y.rows {
            for j in 0..<y.columns {
                var projected = 0.0
                for p in 0..<q.columns { projected += q[i, p] * qty[p][j] }
                let d = y[i, j] - projected
                outside += d * d
                total += y[i, j] * y[i, j]
            }
        }
        return (outside / total).squareRoot()
    }

    @Test(arguments: TestSupport.contexts, [1.0, 1e6, 1e12])
    func orthonormalAndSpanning(context: ExecutionContext, condition: Double) throws {
        // Y = U·diag(σ)·Vᵀ with σ from 1 down to 1/condition, 400 × 24.
        let sigma = (0..<24).map { pow(condition, -Double($0) / 23) }
        let y = TestSupport.withSingularValues(sigma, rows: 400, columns: 24, seed: 3)
        let q = try LinearAlgebra.orthonormalize(y, context: context)
        #expect(q.rows == 400 && q.columns == 24)
        #expect(TestSupport.orthogonalityError(columnsOf: q) <= 1e-13, "κ = \(condition): ‖QᵀQ − I‖")
        #expect(Self.outsideSpan(q, y) <= 1e-12, "κ = \(condition): Y lies in span(Q)")
        // Float: orthonormal to single precision for a well-conditioned input.
        if condition == 1 {
            let qf = try LinearAlgebra.orthonormalize(y.converted(to: Float.self), context: context)
            #expect(TestSupport.orthogonalityError(columnsOf: qf) <= 1e-5)
        }
    }

    @Test(arguments: TestSupport.contexts)
    func rankDeficientInputFallsBackToHouseholder(context: ExecutionContext) throws {
        // Two identical columns: YᵀY is singular, so every Cholesky pass fails.
        var y = Matrix<Double>.random(rows: 50, columns: 6, seed: 4)
        for i in 0..<50 { y[i, 5] = y[i, 2] }
        let q = try LinearAlgebra.orthonormalize(y, context: context)
        #expect(TestSupport.orthogonalityError(columnsOf: q) <= 1e-13)
        #expect(Self.outsideSpan(q, y) <= 1e-13)
    }

    @Test func badInput() throws {
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.orthonormalize(Matrix<Double>.random(rows: 3, columns: 5, seed: 1)) }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.orthonormalize(Matrix<Double>(rows: 0, columns: 0)) }
        var nan = Matrix<Double>.random(rows: 8, columns: 2, seed: 1)
        nan[4, 1] = .nan
        #expect(throws: LinearAlgebraError.nonFinite(operation: "orthonormalize", argument: "Y", row: 4, column: 1, batchIndex: nil)) {
            try LinearAlgebra.orthonormalize(nan)
        }
    }

    /// One classical Gram–Schmidt sweep, `x ← x − Vᵀ(V·x)`, on both back ends (the pure-Swift one
    /// in one pass over the basis, at 1–3 threads) and in both precisions: equal to the reference
    /// projection computed in Double to rounding (1e-12 Double, 1e-4 Float, relative to ‖x‖), the
    /// result orthogonal to the basis, rows past `count` ignored; shape errors thrown.
    @Test(arguments: TestSupport.contexts)
    func subtractProjectionsIsOneGramSchmidtSweep(context: ExecutionContext) throws {
        let n = 700, count = 37
        // 40 orthonormal rows of length 700: Q's columns, transposed.
        let basis = try LinearAlgebra.orthonormalize(Matrix<Double>.gaussian(rows: n, columns: 40, seed: 8), context: context).transposed
        let x0 = Matrix<Double>.gaussian(rows: n, columns: 1, seed: 9).storage
        var reference = x0
        for i in 0..<count {
            var h = 0.0
            for t in 0..<n { h += basis[i, t] * x0[t] }
            for t in 0..<n { reference[t] -= h * basis[i, t] }
        }
        let scale = x0.map { $0 * $0 }.reduce(0, +).squareRoot()
        for threads in [1, 2, 3] {
            var ctx = context
            ctx.threads = threads
            var x = x0
            try LinearAlgebra.subtractProjections(&x, basis: basis, count: count, context: ctx)
            #expect(zip(x, reference).map { abs($0 - $1) }.max()! <= 1e-12 * scale, "\(ctx.backend), \(threads) threads")
            for i in 0..<count {
                var d = 0.0
                for t in 0..<n { d += basis[i, t] * x[t] }
                #expect(abs(d) <= 1e-12 * scale, "row \(i) still has \(d) of x")
            }
            var xf = x0.map(Float.init)
            try LinearAlgebra.subtractProjections(&xf, basis: basis.converted(to: Float.self), count: count, context: ctx)
            #expect(zip(xf, reference).map { abs(Double($0) - $1) }.max()! <= 1e-4 * scale, "Float, \(ctx.backend), \(threads) threads")
        }
        var short = [Double](repeating: 1, count: n - 1)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.subtractProjections(&short, basis: basis, count: 3, context: context) }
        var x = x0
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.subtractProjections(&x, basis: basis, count: 41, context: context) }
    }
}
