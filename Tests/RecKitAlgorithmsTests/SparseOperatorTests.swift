import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The sparse operator streams a Double matrix's values as Float in one-vector products when Float
/// holds every value exactly; the results must be those of the plain Double products.
@Suite struct SparseOperatorTests {
    static func matrix(rows m: Int = 300, columns n: Int = 90, values: (inout SeededGenerator) -> Double) throws -> CSRMatrix<Double> {
        var rows: [Int32] = [], columns: [Int32] = [], entries: [Double] = []
        var rng = SeededGenerator(seed: 4)
        for i in 0..<m {
            for j in 0..<n where rng.next() % 6 == 0 {
                rows.append(Int32(i)); columns.append(Int32(j)); entries.append(values(&rng))
            }
        }
        return try CSRMatrix<Double>.fromTriplets(rows: m, columns: n, rowIndices: rows, columnIndices: columns, values: entries).matrix
    }

    @Test(arguments: Backend.allCases)
    func oneVectorProductsEqualTheDoubleProducts(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let ratings = try Self.matrix { 1 + Double($0.next() % 5) }            // exact in Float
        let halves = try Self.matrix { 0.5 * Double($0.next() % 11) - 2 }       // exact in Float
        let decimals = try Self.matrix { 0.1 * Double($0.next() % 50) + 0.05 }  // not exact
        #expect(ratings.exactFloatValues != nil && halves.exactFloatValues != nil)
        #expect(halves.exactFloatValues?.map(Double.init) == halves.values, "the Float copy holds every value, in order")
        #expect(decimals.exactFloatValues == nil)
        let floats = try CSRMatrix<Float>.fromTriplets(rows: 2, columns: 2, rowIndices: [0, 1], columnIndices: [1, 0], values: [0.1, 3]).matrix
        #expect(floats.exactFloatValues == floats.values, "a Float matrix's values are their own Float copy")
        for a in [ratings, halves, decimals] {
            let op = SparseOperator(a)
            let x = Matrix<Double>.gaussian(rows: 90, columns: 1, seed: 1), y = Matrix<Double>.gaussian(rows: 300, columns: 1, seed: 2)
            // The same sums in the same order: equal to the last bit.
            #expect(try op.apply(x, context: ctx).storage == a.multiply(x, context: ctx).storage)
            let expected = try a.transposed().multiply(y, context: ctx).storage
            #expect(try op.applyTransposed(y, context: ctx).storage == expected)
            var into = Matrix<Double>(rows: 300, columns: 1)
            try op.apply(x, into: &into, context: ctx)
            #expect(into.storage == (try a.multiply(x, context: ctx).storage))
        }
    }

    @Test func narrowProductRefusesMismatchedArguments() throws {
        let a = try Self.matrix { 1 + Double($0.next() % 5) }
        var y = Matrix<Double>(rows: 0, columns: 0)
        #expect(throws: DataError.self) {
            try a.multiply(vector: Matrix<Double>(rows: 89, columns: 1), narrowValues: a.exactFloatValues!, into: &y)
        }
        #expect(throws: DataError.self) {
            try a.multiply(vector: Matrix<Double>(rows: 90, columns: 1), narrowValues: [1, 2, 3], into: &y)
        }
    }

    /// Lanczos's step in one pass, `w = A·x − β·previous` and `s = Aᵀ·w`, against the two products
    /// made one after the other: for ratings (streamed as Float), non-Float values and a Float
    /// matrix, with and without the shift, on `A` and through `TransposedOperator` (which runs it
    /// on the cached transpose). The sums run in another order, so equal within a few ulps of the
    /// terms' magnitude: ≤ 1e-13 (Double) or 1e-5 (Float) of `Σ|terms|`. The matrix (3000 × 400,
    /// ~200 000 entries) is split into several parts, and `s` is bit-identical for 1, 2 and 3 threads.
    @Test func theLanczosStepFormsBothProductsInOnePass() throws {
        let ratings = try Self.matrix(rows: 3000, columns: 400) { 1 + Double($0.next() % 5) }
        let decimals = try Self.matrix(rows: 3000, columns: 400) { 0.1 * Double($0.next() % 50) + 0.05 }
        func check<T: Scalar>(_ a: CSRMatrix<T>, tolerance: Double) throws {
            for transposed in [false, true] {
                let (m, n) = transposed ? (a.columns, a.rows) : (a.rows, a.columns)
                let x = Matrix<T>.gaussian(rows: n, columns: 1, seed: 5).storage
                for previous in [[], Matrix<T>.gaussian(rows: m, columns: 1, seed: 6).storage] {
                    let beta: T = previous.isEmpty ? 0 : 0.75
                    var results: [(w: [T], s: [T])] = []
                    for threads in [1, 2, 3] {
                        let ctx = ExecutionContext(backend: .blas, threads: threads)
                        let step = transposed
                            ? try TransposedOperator(SparseOperator(a)).productAndTransposedProduct(x, minus: beta, times: previous, context: ctx)
                            : try SparseOperator(a).productAndTransposedProduct(x, minus: beta, times: previous, context: ctx)
                        results.append(try #require(step))
                    }
                    #expect(results[1].w == results[0].w && results[2].w == results[0].w, "w depends on the thread count")
                    #expect(results[1].s == results[0].s && results[2].s == results[0].s, "s depends on the thread count")
                    // Reference: the plain products, and Σ|terms| for the bound.
                    let op = transposed ? a.transposed() : a
                    let abs = try CSRMatrix(rows: op.rows, columns: op.columns, rowOffsets: op.rowOffsets, columnIndices: op.columnIndices,
                                        values: op.values.map { Swift.abs($0) })
                    var w = try op.multiply(vector: x)
                    var wScale = try abs.multiply(vector: x.map { Swift.abs($0) })
                    for i in 0..<m where !previous.isEmpty {
                        w[i] -= beta * previous[i]
                        wScale[i] += Swift.abs(beta * previous[i])
                    }
                    let s = try op.multiplyTransposed(vector: w), sScale = try abs.multiplyTransposed(vector: wScale)
                    for i in 0..<m { #expect(Double(Swift.abs(results[0].w[i] - w[i])) <= tolerance * Double(wScale[i]) + 1e-300) }
                    for j in 0..<n { #expect(Double(Swift.abs(results[0].s[j] - s[j])) <= tolerance * Double(sScale[j]) + 1e-300) }
                }
            }
        }
        #expect(ratings.exactFloatValues != nil && decimals.exactFloatValues == nil)
        try check(ratings, tolerance: 1e-13)
        try check(decimals, tolerance: 1e-13)
        try check(ratings.converted(to: Float.self), tolerance: 1e-5)
        #expect(throws: DataError.self) { try ratings.productAndTransposedProduct([1, 2], minus: 0, times: []) }
        #expect(throws: DataError.self) { try ratings.productAndTransposedProduct(Array(repeating: 1, count: 400), minus: 1, times: [1]) }
    }
}
