import Testing
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The sparse operator streams a Double matrix's values as Float in one-vector products when Float
/// holds every value exactly; the results must be those of the plain Double products.
@Suite struct SparseOperatorTests {
    static func matrix(values: (inout SeededGenerator) -> Double) throws -> CSRMatrix<Double> {
        var rows: [Int32] = [], columns: [Int32] = [], entries: [Double] = []
        var rng = SeededGenerator(seed: 4)
        for i in 0..<300 {
            for j in 0..<90 where rng.next() % 6 == 0 {
                rows.append(Int32(i)); columns.append(Int32(j)); entries.append(values(&rng))
            }
        }
        return try CSRMatrix<Double>.fromTriplets(rows: 300, columns: 90, rowIndices: rows, columnIndices: columns, values: entries).matrix
    }

    @Test(arguments: Backend.allCases)
    func oneVectorProductsEqualTheDoubleProducts(backend: Backend) throws {
        let ctx = ExecutionContext(backend: backend, threads: 2)
        let ratings = try Self.matrix { 1 + Double($0.next() % 5) }            // exact in Float
        let halves = try Self.matrix { 0.5 * Double($0.next() % 11) - 2 }       // exact in Float
        let decimals = try Self.matrix { 0.1 * Double($0.next() % 50) + 0.05 }  // not exact
        #expect(ratings.exactFloatValues != nil && halves.exactFloatValues != nil)
        #expect(decimals.exactFloatValues == nil)
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
}
