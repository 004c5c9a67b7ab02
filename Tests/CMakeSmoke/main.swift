// A smoke test for the CMake build of the Swift modules: one product and one solve on each back
// end and precision, checked against hand-computed values. Exits non-zero on a mismatch.
import RecKitData
import RecKitLinearAlgebra

var failures = 0
@MainActor func check(_ ok: Bool, _ what: String) {
    if !ok { failures += 1; print("FAIL: \(what)") }
}

@MainActor func run<T: Scalar>(_: T.Type, _ backend: Backend) throws {
    let ctx = ExecutionContext(backend: backend, threads: 2)
    let a = try Matrix<T>([[1, 2, 3], [4, 5, 6]])
    let b = try Matrix<T>([[7, 8], [9, 10], [11, 12]])
    check(try LinearAlgebra.multiply(a, b, context: ctx) == (try Matrix<T>([[58, 64], [139, 154]])), "\(T.self) \(backend) multiply")
    let x = try LinearAlgebra.cholesky(try Matrix<T>([[4, 2], [2, 3]]), context: ctx).solve([8, 7])
    check(abs(x[0].doubleValue - 1.25) < 1e-5 && abs(x[1].doubleValue - 1.5) < 1e-5, "\(T.self) \(backend) Cholesky solve")
}

for backend in Backend.allCases {
    try run(Float.self, backend)
    try run(Double.self, backend)
}
// The data layer: a 2 × 3 CSR matrix times a dense 3 × 1 block.
let csr = try CSRMatrix<Float>(rows: 2, columns: 3, rowOffsets: [0, 2, 3], columnIndices: [0, 2, 1], values: [1, 2, 3])
check(try csr.multiply(try Matrix<Float>([[1], [1], [1]])).storage == [3, 3], "CSR × dense")

print("kernel \(BLASKernel.current); \(5 - failures) passed, \(failures) failed")
if failures > 0 { fatalError("CMake smoke test failed") }
