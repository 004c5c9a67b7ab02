import Testing
import RecKitLinearAlgebra

/// The README's Swift tour, verbatim apart from the assertions, so the front page cannot drift
/// from the API.
@Test func readmeTour() throws {
    let a = Matrix<Float>.random(rows: 1000, columns: 64, seed: 1)
    let gram = try LinearAlgebra.gram(a, transposeA: true)                 // AᵀA, 64 × 64
    let ridge = try LinearAlgebra.solvePositiveDefinite(
        gram + .identity(64) * 0.1, Matrix<Float>.random(rows: 64, columns: 1, seed: 2))

    let swift1 = ExecutionContext(backend: .swift, threads: 1)
    let c = try LinearAlgebra.multiply(a, a, transposeB: true, context: swift1) // A·Aᵀ

    let svd = try LinearAlgebra.svd(a)                                      // gesdd
    #expect(gram.rows == 64 && ridge.rows == 64 && c.rows == 1000)
    #expect(svd.singularValues.count == 64 && !BLASKernel.current.isEmpty)
}
