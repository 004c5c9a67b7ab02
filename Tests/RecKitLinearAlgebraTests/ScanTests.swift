import Testing
import RecKitLinearAlgebra
import RecKitKernels

/// The whole-matrix scans that input checks and the SVD solvers run (`maxAbs`, `firstNonFinite`):
/// the vectorised `maxAbs` equals the plain definition on every length around the vector widths,
/// wherever the largest element, a NaN or an infinity sits (in a full vector, in the tail, or in a
/// later block of `firstNonFinite`'s screening).
@Suite struct ScanTests {
    static func check<T: Scalar>(_: T.Type) throws {
        var g = SeededGenerator(seed: 5)
        for n in [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 4095, 4096, 4097, 9000] {   // and across firstNonFinite's 4096-element blocks
            let values = (0..<n).map { _ in T(Double.random(in: -3...3, using: &g)) }
            let plain = values.map { Swift.abs($0) }.max()!
            let m = try Matrix<T>(rows: 1, columns: n, elements: values)
            #expect(m.maxAbs == plain, "\(T.self) n = \(n): \(m.maxAbs) against \(plain)")
            #expect(m.firstNonFinite == nil)
            for position in Set([0, n / 2, n - 1]) {
                var big = values
                big[position] = -7   // the largest magnitude is negative
                #expect(try Matrix<T>(rows: 1, columns: n, elements: big).maxAbs == 7, "\(T.self) n = \(n), −7 at \(position)")
                for special in [T.nan, T.infinity, -T.infinity] {
                    var bad = values
                    bad[position] = special
                    let b = try Matrix<T>(rows: 1, columns: n, elements: bad)
                    if special.isNaN {
                        #expect(b.maxAbs.isNaN, "\(T.self) n = \(n), NaN at \(position): \(b.maxAbs)")
                    } else {
                        #expect(b.maxAbs == .infinity, "\(T.self) n = \(n), \(special) at \(position): \(b.maxAbs)")
                    }
                    #expect(b.firstNonFinite?.column == position, "\(T.self) n = \(n), \(special) at \(position)")
                }
            }
        }
        #expect(Matrix<T>(rows: 0, columns: 0).maxAbs == 0, "empty")
        #expect(Matrix<T>(rows: 3, columns: 5).maxAbs == 0, "all zeros")
    }

    @Test func maxAbsMatchesThePlainScan() throws {
        try Self.check(Float.self)
        try Self.check(Double.self)
    }
}
