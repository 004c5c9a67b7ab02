import Testing
import RecKitIntrinsics
import RecKitKernels

/// `SquareRoot` (LLVM's `llvm.sqrt`, used by the Adam kernel) against the standard library's
/// `squareRoot()`: the same IEEE 754 result, bit for bit, on the edge cases and on random values,
/// in scalars and in vectors of every lane count the tiers use.
@Suite struct SquareRootTests {
    static func cases<T: BinaryFloatingPoint>(_: T.Type) -> [T] where T.RawSignificand: FixedWidthInteger {
        var g = SeededGenerator(seed: 17)
        let edges: [T] = [0, -0, 1, 2, 4, 0.25, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                          .infinity, -.infinity, -1, -.leastNonzeroMagnitude, .nan, T(1) / 3]
        return edges + (0..<200).map { _ in T(Double.random(in: 0..<1e6, using: &g)) } + (0..<40).map { _ in T(Double.random(in: 0..<1e-30, using: &g)) }
    }

    static func same<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool { a.isNaN ? b.isNaN : a == b && a.sign == b.sign }

    @Test func scalarsMatchTheStandardLibrary() {
        for x in Self.cases(Float.self) { #expect(Self.same(SquareRoot.of(x), x.squareRoot()), "Float √\(x)") }
        for x in Self.cases(Double.self) { #expect(Self.same(SquareRoot.of(x), x.squareRoot()), "Double √\(x)") }
        // The generic entry point takes the same path.
        func generic<S: BinaryFloatingPoint>(_ x: S) -> S { SquareRoot.of(x) }
        for x in Self.cases(Float.self) { #expect(Self.same(generic(x), x.squareRoot()), "generic Float √\(x)") }
    }

    @Test func vectorsMatchLaneByLane() {
        func check<V: SIMD>(_: V.Type) where V.Scalar: BinaryFloatingPoint, V.Scalar.RawSignificand: FixedWidthInteger {
            let xs = Self.cases(V.Scalar.self)
            var start = 0
            while start + V.scalarCount <= xs.count {
                var x = V()
                for l in 0..<V.scalarCount { x[l] = xs[start + l] }
                let r = SquareRoot.of(x)
                for l in 0..<V.scalarCount { #expect(Self.same(r[l], x[l].squareRoot()), "\(V.self) lane \(l): √\(x[l])") }
                start += V.scalarCount
            }
        }
        check(SIMD4<Float>.self); check(SIMD8<Float>.self); check(SIMD16<Float>.self)
        check(SIMD2<Double>.self); check(SIMD4<Double>.self); check(SIMD8<Double>.self)
    }
}
