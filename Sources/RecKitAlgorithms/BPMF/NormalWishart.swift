import Foundation
import RecKitKernels

/// The conjugate prior of a Gaussian's mean and precision, as Bayesian PMF (Salakhutdinov & Mnih
/// 2008, §3) places it on the user (and on the item) factor distribution, and the draws the Gibbs
/// sampler needs from it.
///
/// `Λ ~ Wishart(W₀, ν₀)`, `μ | Λ ~ N(μ₀, (β₀Λ)⁻¹)` with the paper's choices: `μ₀ = 0`, `β₀` (2 by
/// default), `ν₀ = D` (the factor count), `W₀ = I`. All in Double: a `D × D` problem per draw.
///
/// Layout: every `D × D` matrix is row-major, `D · D` contiguous Doubles.
package struct NormalWishart {
    package let dimension: Int
    package let beta0: Double

    package init(dimension: Int, beta0: Double) {
        self.dimension = dimension
        self.beta0 = beta0
    }

    /// A draw of the factor distribution's mean and precision.
    package struct Draw: Sendable {
        package var mean: [Double]
        package var precision: [Double]
    }

    /// `μ = 0`, `Λ = I`: where the sampler starts.
    var initial: Draw {
        var identity = [Double](repeating: 0, count: dimension * dimension)
        for d in 0..<dimension { identity[d * dimension + d] = 1 }
        return Draw(mean: [Double](repeating: 0, count: dimension), precision: identity)
    }

    /// A draw from the posterior given the `rows` vectors of `factors` (row-major, `rows × D`),
    /// the paper's eq. (14):
    /// ```
    /// β* = β₀ + N, ν* = ν₀ + N, μ* = N·x̄ / β*
    /// W*⁻¹ = W₀⁻¹ + N·S̄ + (β₀N/β*)·x̄x̄ᵀ,   S̄ = (1/N) Σ (x − x̄)(x − x̄)ᵀ
    /// ```
    package func posteriorDraw<T: Scalar>(_ factors: UnsafeBufferPointer<T>, rows: Int, using rng: inout SeededGenerator) -> Draw {
        let d = dimension, n = Double(rows)
        var mean = [Double](repeating: 0, count: d)
        var scatter = [Double](repeating: 0, count: d * d)   // Σ x xᵀ, then N·S̄
        var x = [Double](repeating: 0, count: d)
        for r in 0..<rows {
            for a in 0..<d { x[a] = factors[r * d + a].doubleValue; mean[a] += x[a] }
            for a in 0..<d { for b in 0...a { scatter[a * d + b] += x[a] * x[b] } }
        }
        if rows > 0 { for a in 0..<d { mean[a] /= n } }
        let betaStar = beta0 + n, nuStar = Double(d) + n
        var inverseW = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in 0...a {
                let nS = scatter[a * d + b] - n * mean[a] * mean[b]
                let value = (a == b ? 1 : 0) + nS + beta0 * n / betaStar * mean[a] * mean[b]
                inverseW[a * d + b] = value
                inverseW[b * d + a] = value
            }
        }
        let precision = Self.wishart(scaleInverse: inverseW, dimension: d, degrees: nuStar, using: &rng)
        // μ ~ N(μ*, (β*Λ)⁻¹): μ* + L⁻ᵀz/√β* with Λ = L·Lᵀ.
        var l = precision
        _ = SmallCholesky.factor(&l, d)
        var z = (0..<d).map { _ in rng.nextGaussian() / betaStar.squareRoot() }
        SmallCholesky.solveUpperTransposed(l, d, &z)
        let muStar = mean.map { $0 * n / betaStar }
        return Draw(mean: zip(muStar, z).map { $0 + $1 }, precision: precision)
    }

    /// `Wishart(W, ν)` by Bartlett's decomposition, given `W⁻¹`: with `W = C·Cᵀ` and `A` lower
    /// triangular, `A_jj = √χ²(ν − j)`, `A_ij ~ N(0, 1)` below the diagonal, the draw is `(CA)(CA)ᵀ`.
    package static func wishart(scaleInverse: [Double], dimension d: Int, degrees: Double, using rng: inout SeededGenerator) -> [Double] {
        // W = (W⁻¹)⁻¹; its Cholesky factor C.
        var c = scaleInverse
        _ = SmallCholesky.factor(&c, d)
        var w = SmallCholesky.inverse(fromFactor: c, d)
        _ = SmallCholesky.factor(&w, d)
        var a = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            a[j * d + j] = (2 * Gamma.draw(shape: (degrees - Double(j)) / 2, using: &rng)).squareRoot()
            for i in (j + 1)..<d { a[i * d + j] = rng.nextGaussian() }
        }
        // CA (lower triangular), then (CA)(CA)ᵀ.
        var ca = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0...i { var s = 0.0; for t in j...i { s += w[i * d + t] * a[t * d + j] }; ca[i * d + j] = s } }
        var result = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var s = 0.0
                for t in 0...j { s += ca[i * d + t] * ca[j * d + t] }
                result[i * d + j] = s
                result[j * d + i] = s
            }
        }
        return result
    }
}

/// Gamma(shape, 1) draws (Marsaglia & Tsang 2000; shapes below 1 by `Gamma(a + 1)·U^(1/a)`).
package enum Gamma {
    package static func draw(shape: Double, using rng: inout SeededGenerator) -> Double {
        if shape < 1 {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            return draw(shape: shape + 1, using: &rng) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = rng.nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            if u < 1 - 0.0331 * x * x * x * x || Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// A precision's posterior draw under a `Gamma(a₀, b₀)` prior (shape, rate) after `count`
    /// Gaussian residuals whose squares sum to `squares`: `Gamma(a₀ + n/2, b₀ + Σ/2)`.
    package static func precision(count: Int, squares: Double, priorShape a0: Double, priorRate b0: Double,
                          using rng: inout SeededGenerator) -> Double {
        draw(shape: a0 + Double(count) / 2, using: &rng) / (b0 + squares / 2)
    }
}

/// The `D × D` Double Cholesky arithmetic of the hyperparameter draws (row-major; lower factor).
/// Independent of the back end, so the hyperparameters of a sample depend only on the factors.
package enum SmallCholesky {
    /// In place: the lower triangle becomes `L` with `A = L·Lᵀ`, the strict upper triangle zero.
    /// - Returns: 0, or the order of the first leading minor that is not positive.
    @discardableResult
    package static func factor(_ a: inout [Double], _ d: Int) -> Int {
        for j in 0..<d {
            var s = a[j * d + j]
            for t in 0..<j { s -= a[j * d + t] * a[j * d + t] }
            guard s > 0 else { return j + 1 }
            let pivot = s.squareRoot()
            a[j * d + j] = pivot
            for i in (j + 1)..<d {
                var v = a[i * d + j]
                for t in 0..<j { v -= a[i * d + t] * a[j * d + t] }
                a[i * d + j] = v / pivot
            }
            for i in 0..<j { a[i * d + j] = 0 }
        }
        return 0
    }

    /// `z ← L⁻ᵀ·z` (back substitution with `Lᵀ`).
    package static func solveUpperTransposed(_ l: [Double], _ d: Int, _ z: inout [Double]) {
        for i in stride(from: d - 1, through: 0, by: -1) {
            var s = z[i]
            for t in (i + 1)..<d { s -= l[t * d + i] * z[t] }
            z[i] = s / l[i * d + i]
        }
    }

    /// `z ← L⁻¹·z` (forward substitution).
    package static func solveLower(_ l: [Double], _ d: Int, _ z: inout [Double]) {
        for i in 0..<d {
            var s = z[i]
            for t in 0..<i { s -= l[i * d + t] * z[t] }
            z[i] = s / l[i * d + i]
        }
    }

    /// `z ← (L·Lᵀ)⁻¹·z`.
    package static func solve(_ l: [Double], _ d: Int, _ z: inout [Double]) {
        solveLower(l, d, &z)
        solveUpperTransposed(l, d, &z)
    }

    /// `(L·Lᵀ)⁻¹`, full and symmetric.
    package static func inverse(fromFactor l: [Double], _ d: Int) -> [Double] {
        var result = [Double](repeating: 0, count: d * d)
        var column = [Double](repeating: 0, count: d)
        for j in 0..<d {
            for i in 0..<d { column[i] = i == j ? 1 : 0 }
            solve(l, d, &column)
            for i in 0..<d { result[i * d + j] = column[i] }
        }
        return result
    }
}
