import Foundation
import RecKitLinearAlgebra

/// Helpers shared by RecKit's test targets: reference arithmetic in Double, norms, tolerances.
public enum TestSupport {
    /// Both back ends with a single thread and with two threads (so parallel paths run too).
    public static let contexts: [ExecutionContext] = Backend.allCases.flatMap { b in
        [ExecutionContext(backend: b, threads: 1), ExecutionContext(backend: b, threads: 2)]
    }

    /// `op(A)·op(B)` computed naively in Double — the independent reference.
    public static func referenceProduct<T: Scalar>(_ a: Matrix<T>, _ b: Matrix<T>, transposeA: Bool = false, transposeB: Bool = false) -> [[Double]] {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var c = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p, i] : a[i, p]
                let y = transposeB ? b[j, p] : b[p, j]
                s += x.doubleValue * y.doubleValue
            }
            c[i][j] = s
        } }
        return c
    }

    /// Matrix–vector product in Double.
    public static func apply<T: Scalar>(_ a: Matrix<T>, _ x: [Double], transpose: Bool = false) -> [Double] {
        if transpose {
            var y = [Double](repeating: 0, count: a.columns)
            for i in 0..<a.rows { for j in 0..<a.columns { y[j] += a[i, j].doubleValue * x[i] } }
            return y
        }
        return (0..<a.rows).map { i in (0..<a.columns).reduce(0.0) { $0 + a[i, $1].doubleValue * x[$1] } }
    }

    public static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// `‖A − B‖_F / max(‖B‖_F, tiny)` with both in Double.
    public static func relativeDifference<T: Scalar>(_ a: Matrix<T>, _ b: [[Double]]) -> Double {
        var num = 0.0, den = 0.0
        for i in 0..<a.rows { for j in 0..<a.columns {
            let d = a[i, j].doubleValue - b[i][j]
            num += d * d
            den += b[i][j] * b[i][j]
        } }
        return num.squareRoot() / max(den.squareRoot(), 1e-300)
    }

    /// `‖QᵀQ − I‖_max` for the columns of `q`.
    public static func orthogonalityError<T: Scalar>(columnsOf q: Matrix<T>) -> Double {
        let g = referenceProduct(q, q, transposeA: true)
        var e = 0.0
        for i in 0..<g.count { for j in 0..<g.count { e = max(e, abs(g[i][j] - (i == j ? 1 : 0))) } }
        return e
    }

    /// Unit roundoff of the precision.
    public static func eps<T: Scalar>(_: T.Type) -> Double { T.ulpOfOne.doubleValue }

    /// A random symmetric positive-definite matrix `G·Gᵀ + n·I`, deterministic for `seed`.
    public static func spd<T: Scalar>(_ n: Int, seed: UInt64) -> Matrix<T> {
        let g = Matrix<T>.random(rows: n, columns: n, seed: seed)
        let p = referenceProduct(g, g, transposeB: true)
        return Matrix<T>(rows: n, columns: n) { i, j in T(p[i][j] + (i == j ? Double(n) : 0)) }
    }

    /// A matrix `U·diag(σ)·Vᵀ` with random orthonormal `U` (m×p), `V` (n×p) and the given σ.
    public static func withSingularValues(_ sigma: [Double], rows m: Int, columns n: Int, seed: UInt64) -> Matrix<Double> {
        let p = sigma.count
        let u = orthonormalColumns(m, p, seed: seed)
        let v = orthonormalColumns(n, p, seed: seed &+ 1)
        var a = Matrix<Double>(rows: m, columns: n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for k in 0..<p { s += u[i, k] * sigma[k] * v[j, k] }
            a[i, j] = s
        } }
        return a
    }

    /// Random orthonormal columns by Gram–Schmidt (twice) in Double.
    public static func orthonormalColumns(_ m: Int, _ p: Int, seed: UInt64) -> Matrix<Double> {
        var q = Matrix<Double>.random(rows: m, columns: p, seed: seed)
        for j in 0..<p {
            for _ in 0..<2 {
                for k in 0..<j {
                    var d = 0.0
                    for i in 0..<m { d += q[i, k] * q[i, j] }
                    for i in 0..<m { q[i, j] -= d * q[i, k] }
                }
            }
            var nrm = 0.0
            for i in 0..<m { nrm += q[i, j] * q[i, j] }
            nrm = nrm.squareRoot()
            for i in 0..<m { q[i, j] /= nrm }
        }
        return q
    }
}

/// MovieLens 100K, read from outside the project (its licence forbids copying it in): from
/// `$RECKIT_DATA_DIR/ml-100k`, or `../shared/data/ml-100k` beside the checkout. Tests that need it
/// are skipped with ``skipMessage`` when it is absent.
public enum MovieLensData {
    public static var directory: String? {
        if let env = ProcessInfo.processInfo.environment["RECKIT_DATA_DIR"], FileManager.default.fileExists(atPath: env + "/ml-100k/u.data") { return env + "/ml-100k" }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = package.deletingLastPathComponent().appendingPathComponent("shared/data/ml-100k").path
        return FileManager.default.fileExists(atPath: p + "/u.data") ? p : nil
    }
    public static let skipMessage = "MovieLens 100K not found: set RECKIT_DATA_DIR to a folder holding ml-100k/ (or put it at ../shared/data/ml-100k)"
}
