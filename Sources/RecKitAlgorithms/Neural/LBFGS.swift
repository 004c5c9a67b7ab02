import RecKitLinearAlgebra

/// Limited-memory BFGS (Nocedal 1980; Nocedal & Wright, *Numerical Optimization*, algorithms 7.4
/// and 7.5) for full-batch objectives over dense parameters: the update the I-AutoRec paper trains
/// with (Sedhain et al. 2015 name L-BFGS and RProp).
///
/// Each ``step(_:objective:)`` is one iteration:
///
/// ```
/// d = −H·g          two-loop recursion over the last `memory` pairs (s, y), H₀ = (sᵀy / yᵀy)·I
///                   (steepest descent on the first iteration and after a reset)
/// α: backtracking from 1 (first iteration: 1/‖g‖) until f(x + α·d) ≤ f(x) + 10⁻⁴·α·gᵀd,
///    halving α at most 30 times
/// s = α·d, y = g(x + α·d) − g(x); the pair is kept only when sᵀy > 10⁻¹⁰·yᵀy (curvature), so H stays
///    positive definite
/// ```
///
/// Contract: the parameters are the vector `x` (their values in order, flattened); `objective`
/// evaluates the objective at the parameters' current values and leaves its gradient in their
/// `gradient`s (dense; sparse gradients are refused). Vectors are stored in `T`; every inner product
/// and the objective are accumulated in Double. When no step length decreases the objective (the
/// gradient is then at rounding level), the parameters are left where they were, the memory is
/// cleared and ``stalled`` is set. Memory: about `2·memory + 5` copies of the parameter vector.
public final class LBFGS<T: NeuralScalar> {
    public let memory: Int
    /// Set when the last step found no decrease.
    public private(set) var stalled = false
    /// Objective evaluations so far (the line search's included).
    public private(set) var evaluations = 0
    var pairs: [(s: [T], y: [T], rho: Double)] = []
    var current: (f: Double, g: [T])?

    public init(memory: Int = 10) {
        precondition(memory >= 1, "L-BFGS needs a memory of at least one pair")
        self.memory = memory
    }

    /// One iteration; returns the objective at the new point.
    /// - Throws: what `objective` throws (the parameters are then at the trial point).
    public func step(_ parameters: [Parameter<T>], objective: () throws -> Double) throws -> Double {
        precondition(parameters.allSatisfy { !$0.isSparse }, "L-BFGS works on dense gradients")
        let x = Self.flatten(parameters.map(\.value.storage))
        let (f, g) = try current ?? evaluate(parameters, objective)
        var d = direction(g)
        var slope = Self.dot(g, d)
        if !(slope < 0) {   // not a descent direction (rounding): restart from steepest descent
            pairs.removeAll()
            d = g.map { -$0 }
            slope = Self.dot(g, d)
        }
        var alpha = pairs.isEmpty ? 1 / Swift.max(Self.dot(g, g).squareRoot(), 1e-300) : 1
        for _ in 0..<30 {
            Self.assign(parameters, x, plus: alpha, d)
            let (fNew, gNew) = try evaluate(parameters, objective)
            if fNew.isFinite && fNew <= f + 1e-4 * alpha * slope {
                var s = d, y = gNew
                for k in s.indices { s[k] = T(alpha) * d[k]; y[k] = gNew[k] - g[k] }
                let sy = Self.dot(s, y), yy = Self.dot(y, y)
                if sy > 1e-10 * yy {
                    if pairs.count == memory { pairs.removeFirst() }
                    pairs.append((s, y, 1 / sy))
                }
                current = (fNew, gNew)
                stalled = false
                return fNew
            }
            alpha *= 0.5
        }
        Self.write(x, into: parameters, \.value)
        Self.write(g, into: parameters, \.gradient)
        pairs.removeAll()
        current = (f, g)
        stalled = true
        return f
    }

    /// The two-loop recursion: `−H·g`.
    func direction(_ g: [T]) -> [T] {
        var q = g
        var a = [Double](repeating: 0, count: pairs.count)
        for i in pairs.indices.reversed() {
            a[i] = pairs[i].rho * Self.dot(pairs[i].s, q)
            Self.axpy(-a[i], pairs[i].y, &q)
        }
        if let last = pairs.last {
            let gamma = 1 / (last.rho * Self.dot(last.y, last.y))
            for k in q.indices { q[k] *= T(gamma) }
        }
        for i in pairs.indices {
            let b = pairs[i].rho * Self.dot(pairs[i].y, q)
            Self.axpy(a[i] - b, pairs[i].s, &q)
        }
        for k in q.indices { q[k] = -q[k] }
        return q
    }

    func evaluate(_ parameters: [Parameter<T>], _ objective: () throws -> Double) throws -> (Double, [T]) {
        for p in parameters { p.zeroGradient() }
        let f = try objective()
        evaluations += 1
        return (f, Self.flatten(parameters.map(\.gradient.storage)))
    }

    static func flatten(_ parts: [[T]]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { out.append(contentsOf: p) }
        return out
    }

    /// Sets the parameters' values to `x + alpha·d`.
    static func assign(_ parameters: [Parameter<T>], _ x: [T], plus alpha: Double, _ d: [T]) {
        var offset = 0
        let a = T(alpha)
        for p in parameters {
            let n = p.value.storage.count
            p.value.storage.withUnsafeMutableBufferPointer { w in
                for k in 0..<n { w[k] = x[offset + k] + a * d[offset + k] }
            }
            offset += n
        }
    }

    /// Puts a flat vector back into the parameters' values or gradients.
    static func write(_ flat: [T], into parameters: [Parameter<T>], _ part: ReferenceWritableKeyPath<Parameter<T>, Matrix<T>>) {
        var offset = 0
        for p in parameters {
            let n = p[keyPath: part].storage.count
            p[keyPath: part].storage.replaceSubrange(0..<n, with: flat[offset..<offset + n])
            offset += n
        }
    }

    static func dot(_ a: [T], _ b: [T]) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var s = 0.0
                for k in a.indices { s += Double(a[k]) * Double(b[k]) }
                return s
            }
        }
    }

    static func axpy(_ alpha: Double, _ x: [T], _ y: inout [T]) {
        let a = T(alpha)
        y.withUnsafeMutableBufferPointer { y in
            x.withUnsafeBufferPointer { x in for k in x.indices { y[k] += a * x[k] } }
        }
    }
}
