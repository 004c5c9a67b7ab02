import RecKitLinearAlgebra

/// Layer normalisation over each row: `x̂ = (x − μ)/√(σ² + ε)`, `y = γ ⊙ x̂ + β`.
/// Backward (per row of width `n`): `dγ += Σ dY ⊙ x̂`, `dβ += Σ dY`, and with `g = dY ⊙ γ`,
/// `dX = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ² + ε)`.
public final class LayerNorm<T: NeuralScalar>: Layer {
    public let gain: Parameter<T>
    public let shift: Parameter<T>
    public let epsilon: T
    var normalized = Matrix<T>(rows: 0, columns: 0)
    var inverseStd: [T] = []

    public init(features: Int, epsilon: Double = 1e-5) {
        gain = Parameter("gain", Matrix(rows: 1, columns: features, repeating: 1))
        shift = Parameter("shift", Matrix(rows: 1, columns: features))
        self.epsilon = T(epsilon)
    }
    public var parameters: [Parameter<T>] { [gain, shift] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let n = x.columns, rows = x.rows, eps = epsilon
        var xhat = x, y = x
        var inverseStd = [T](repeating: 0, count: rows)
        let gain = gain.value.storage, shift = shift.value.storage
        xhat.storage.withUnsafeMutableBufferPointer { h in
            y.storage.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    var mean: T = 0
                    for c in 0..<n { mean += h[r * n + c] }
                    mean /= T(n)
                    var variance: T = 0
                    for c in 0..<n { let e = h[r * n + c] - mean; variance += e * e }
                    let inv = 1 / T.squareRoot(variance / T(n) + eps)
                    inverseStd[r] = inv
                    for c in 0..<n {
                        let v = (h[r * n + c] - mean) * inv
                        h[r * n + c] = v
                        y[r * n + c] = gain[c] * v + shift[c]
                    }
                }
            }
        }
        self.inverseStd = inverseStd
        normalized = xhat
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let n = dy.columns, rows = dy.rows
        var dx = dy
        let gain = gain.value.storage
        var dGain = self.gain.gradient.storage, dShift = shift.gradient.storage
        dx.storage.withUnsafeMutableBufferPointer { dx in
            normalized.storage.withUnsafeBufferPointer { xhat in
                for r in 0..<rows {
                    var meanG: T = 0, meanGX: T = 0
                    for c in 0..<n {
                        let d = dx[r * n + c], h = xhat[r * n + c]
                        dGain[c] += d * h
                        dShift[c] += d
                        let g = d * gain[c]
                        meanG += g
                        meanGX += g * h
                    }
                    meanG /= T(n); meanGX /= T(n)
                    let inv = inverseStd[r]
                    for c in 0..<n {
                        dx[r * n + c] = (dx[r * n + c] * gain[c] - meanG - xhat[r * n + c] * meanGX) * inv
                    }
                }
            }
        }
        self.gain.gradient.storage = dGain
        shift.gradient.storage = dShift
        return dx
    }
}
