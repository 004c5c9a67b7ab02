/// SIMD level-1 kernels over raw contiguous memory, shared by the pure-Swift back end's routines.
/// Each processes whole `T.Vector`s with independent accumulators, then a scalar tail.
package enum VectorKernels {
    @inlinable @inline(__always)
    package static func load<T: Scalar>(_ p: UnsafePointer<T>) -> T.Vector {
        UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self)
    }

    @inlinable @inline(__always)
    package static func store<T: Scalar>(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Vector.self)
    }

    /// `Σ x[i]·y[i]` for `i < n`.
    @inlinable @inline(__always)
    package static func dot<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> T {
        let w = T.Vector.scalarCount
        var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector(), s3 = T.Vector()
        var i = 0
        while i + 4 * w <= n {
            s0 = s0.addingProduct(load(x + i), load(y + i))
            s1 = s1.addingProduct(load(x + i + w), load(y + i + w))
            s2 = s2.addingProduct(load(x + i + 2 * w), load(y + i + 2 * w))
            s3 = s3.addingProduct(load(x + i + 3 * w), load(y + i + 3 * w))
            i += 4 * w
        }
        while i + w <= n {
            s0 = s0.addingProduct(load(x + i), load(y + i))
            i += w
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// `y[i] += a·x[i]` for `i < n`.
    @inlinable @inline(__always)
    package static func axpy<T: Scalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        let w = T.Vector.scalarCount
        let av = T.Vector(repeating: a)
        var i = 0
        while i + 2 * w <= n {
            store(load(UnsafePointer(y + i)).addingProduct(av, load(x + i)), y + i)
            store(load(UnsafePointer(y + i + w)).addingProduct(av, load(x + i + w)), y + i + w)
            i += 2 * w
        }
        while i + w <= n {
            store(load(UnsafePointer(y + i)).addingProduct(av, load(x + i)), y + i)
            i += w
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }

    /// `x[i] *= a` for `i < n`; `a == 0` writes zeros (so NaN in `x` does not survive, as in BLAS).
    @inlinable @inline(__always)
    package static func scale<T: Scalar>(_ a: T, _ x: UnsafeMutablePointer<T>, _ n: Int) {
        if a == 1 { return }
        if a == 0 { x.update(repeating: 0, count: n); return }
        let w = T.Vector.scalarCount
        let av = T.Vector(repeating: a)
        var i = 0
        while i + w <= n { store(load(UnsafePointer(x + i)) * av, x + i); i += w }
        while i < n { x[i] *= a; i += 1 }
    }

    /// Plane rotation of two rows: `(x, y) ← (c·x − s·y, s·x + c·y)`.
    @inlinable @inline(__always)
    package static func rotate<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, c: T, s: T) {
        let w = T.Vector.scalarCount
        let cv = T.Vector(repeating: c), sv = T.Vector(repeating: s)
        var i = 0
        while i + w <= n {
            let xv = load(UnsafePointer(x + i)), yv = load(UnsafePointer(y + i))
            store(cv * xv - sv * yv, x + i)
            store(sv * xv + cv * yv, y + i)
            i += w
        }
        while i < n {
            let xi = x[i], yi = y[i]
            x[i] = c * xi - s * yi
            y[i] = s * xi + c * yi
            i += 1
        }
    }

    /// `(Σx², Σy², Σx·y)` in one pass, for one-sided Jacobi.
    @inlinable @inline(__always)
    package static func gram2<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> (T, T, T) {
        let w = T.Vector.scalarCount
        var xx = T.Vector(), yy = T.Vector(), xy = T.Vector()
        var i = 0
        while i + w <= n {
            let xv = load(x + i), yv = load(y + i)
            xx = xx.addingProduct(xv, xv)
            yy = yy.addingProduct(yv, yv)
            xy = xy.addingProduct(xv, yv)
            i += w
        }
        var a = xx.sum(), b = yy.sum(), g = xy.sum()
        while i < n { a += x[i] * x[i]; b += y[i] * y[i]; g += x[i] * y[i]; i += 1 }
        return (a, b, g)
    }
}

/// Concrete-precision entry points for other RecKit modules. Generic SIMD code called across a
/// module boundary is not reliably specialised (a profile showed it running through witness tables,
/// about 100× slower), so modules above this one call these non-generic functions, which are
/// specialised here.
extension VectorKernels {
    package static func axpyFloat(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { axpy(a, x, y, n) }
    package static func axpyDouble(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { axpy(a, x, y, n) }
    package static func dotFloat(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float { dot(x, y, n) }
    package static func dotDouble(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double { dot(x, y, n) }
}

/// Scans that validation and the solvers run on whole matrices. `@_specialize` makes the generic
/// entry jump to the concrete code for Float and Double, so callers in other modules (which see
/// only the generic signature) still get a tight loop.
extension VectorKernels {
    /// The index of the first NaN or infinity in `x[0..<n]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func firstNonFinite<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> Int? {
        for i in 0..<n where !x[i].isFinite { return i }
        return nil
    }

    /// The largest |xᵢ| (0 when empty), NaN when any element is NaN.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func maxAbs<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        var m: T = 0
        for i in 0..<n {
            let v = x[i]
            if v.isNaN { return .nan }
            m = Swift.max(m, Swift.abs(v))
        }
        return m
    }
}

/// Whole-matrix helpers with the same treatment.
extension VectorKernels {
    /// `n` standard normal samples into `x` (Box–Muller, two per pair of uniforms), deterministic
    /// for `seed`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func fillGaussian<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var i = 0
        while i < n {
            let u1 = Double((rng.next() >> 11) + 1) * 0x1p-53 // (0, 1]
            let u2 = Double(rng.next() >> 11) * 0x1p-53       // [0, 1)
            let r = (-2 * _log(u1)).squareRoot(), angle = 2 * Double.pi * u2
            x[i] = T(r * _cos(angle))
            if i + 1 < n { x[i + 1] = T(r * _sin(angle)) }
            i += 2
        }
    }

    /// `b = aᵀ` for a row-major `rows × columns` `a` (tiled for cache reuse).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func transpose<T: Scalar>(_ a: UnsafePointer<T>, rows: Int, columns: Int, into b: UnsafeMutablePointer<T>) {
        let tile = 32
        for i0 in stride(from: 0, to: rows, by: tile) {
            for j0 in stride(from: 0, to: columns, by: tile) {
                for i in i0..<Swift.min(i0 + tile, rows) {
                    for j in j0..<Swift.min(j0 + tile, columns) { b[j * rows + i] = a[i * columns + j] }
                }
            }
        }
    }
}
