import RecKitSIMD

/// Level-1 kernels over raw contiguous memory, shared by the pure-Swift back end's routines.
/// `dot` and `axpy` of long vectors run on the instruction-set tier in use (``SwiftKernelTier``);
/// everything else is written in the precision's vector (`T.Vector`) without fused multiply-adds,
/// as this module is compiled for baseline x86-64.
package enum VectorKernels {
    @inlinable @inline(__always)
    package static func load<T: Scalar>(_ p: UnsafePointer<T>) -> T.Vector {
        UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self)
    }

    @inlinable @inline(__always)
    package static func store<T: Scalar>(_ v: T.Vector, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Vector.self)
    }

    /// Vectors shorter than this run inline in this module's (baseline) instructions: for them an
    /// indirect call into the tier costs more than the wider vectors save (NeuMF's 8-element rows
    /// trained 17 % slower when every call went to the tier).
    @usableFromInline static var tierThreshold: Int { 256 }

    /// `Σ x[i]·y[i]` for `i < n`.
    @inline(__always)
    package static func dot<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ n: Int) -> T {
        n < tierThreshold ? VectorOps<T.Vector, Unfused>.dot(x, y, n) : SwiftKernelTier.kernels(T.self).dot(x, y, n)
    }

    /// `y[i] += a·x[i]` for `i < n`.
    @inline(__always)
    package static func axpy<T: Scalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if n < tierThreshold { VectorOps<T.Vector, Unfused>.axpy(a, x, y, n) } else { SwiftKernelTier.kernels(T.self).axpy(a, x, y, n) }
    }

    /// `y[i] ← α·(row i of A)·x + β·y[i]` for `i < m`, `A` row-major with leading dimension `lda`
    /// (``RecKitSIMD/MatrixVector``), in the tier in use: one call for all `m` rows.
    @inline(__always)
    package static func gemvRows<T: Scalar>(_ a: UnsafePointer<T>, lda: Int, m: Int, n: Int, x: UnsafePointer<T>, alpha: T, beta: T,
                                            y: UnsafeMutablePointer<T>) {
        SwiftKernelTier.kernels(T.self).gemvRows(a, lda, m, n, x, alpha, beta, y)
    }

    /// Adam's update of `n` contiguous weights `w` with moments `m`, `v` and gradient `g`
    /// (``RecKitSIMD/AdamUpdate``): in the tier in use, bit-identical in every tier.
    @inline(__always)
    package static func adam<T: Scalar>(_ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                        _ g: UnsafePointer<T>, _ n: Int, _ constants: AdamConstants<T>) {
        SwiftKernelTier.kernels(T.self).adam(w, m, v, g, n, constants)
    }

    /// Adam's update of the rows `rows` of a table with `columns` columns, row `r` of `g` being
    /// row `rows[r]`'s gradient: one call into the tier in use for all of them.
    @inline(__always)
    package static func adam<T: Scalar>(_ w: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                        _ g: UnsafePointer<T>, rows: UnsafeBufferPointer<Int32>, columns: Int, _ constants: AdamConstants<T>) {
        SwiftKernelTier.kernels(T.self).adamRows(w, m, v, g, rows, columns, constants)
    }

    /// Replaces `row[0..<n]` (`n ≥ 1`) by `e^(row[c] − max(row))` and returns their sum — a softmax's
    /// numerators and denominator — in the tier in use, with its vector `exp`
    /// (``RecKitSIMD/SoftmaxRow``: within a few ulps of libm's; the sum's last bits depend on the
    /// tier's vector width).
    @inline(__always)
    package static func softmaxNumerators<T: Scalar>(_ row: UnsafeMutablePointer<T>, _ n: Int) -> T {
        SwiftKernelTier.kernels(T.self).softmaxNumerators(row, n)
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
            xx += xv * xv
            yy += yv * yv
            xy += xv * yv
            i += w
        }
        var a = xx.sum(), b = yy.sum(), g = xy.sum()
        while i < n { a += x[i] * x[i]; b += y[i] * y[i]; g += x[i] * y[i]; i += 1 }
        return (a, b, g)
    }
}

/// Scans that validation and the solvers run on whole matrices. `@_specialize` makes the generic
/// entry jump to the concrete code for Float and Double, so callers in other modules (which see
/// only the generic signature) still get a tight loop.
extension VectorKernels {
    /// The index of the first NaN or infinity in `x[0..<n]`: blocks are screened by their largest
    /// magnitude (``largestMagnitude(_:_:)``, a vectorised integer maximum) and only a block
    /// holding one is searched element by element.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func firstNonFinite<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> Int? {
        let block = 4096
        var start = 0
        while start < n {
            let count = Swift.min(block, n - start)
            if !largestMagnitude(x + start, count).isFinite {
                for i in start..<(start + count) where !x[i].isFinite { return i }
            }
            start += count
        }
        return nil
    }

    /// The largest |xᵢ| (0 when empty), NaN when any element is NaN.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func maxAbs<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        largestMagnitude(x, n)
    }

    /// The largest `|xᵢ|` found as the largest of the elements' bit patterns with the sign bit
    /// cleared: for IEEE 754 values those order as their magnitudes, infinity above every finite
    /// value and every NaN above infinity — so one unsigned-integer maximum, which LLVM vectorises
    /// (a floating-point maximum it does not, for want of fast-math flags), answers both "largest
    /// magnitude" and "any NaN or ∞" (the result is then NaN or ∞).
    @inline(__always)
    static func largestMagnitude<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        switch T.dtype {
        case .float:
            let bits = UnsafeRawPointer(x).assumingMemoryBound(to: UInt32.self)
            let m = largestMasked(bits, n, mask: 0x7FFF_FFFF)
            return m > 0x7F80_0000 ? .nan : T(Double(Float(bitPattern: m)))
        case .double:
            let bits = UnsafeRawPointer(x).assumingMemoryBound(to: UInt64.self)
            let m = largestMasked(bits, n, mask: 0x7FFF_FFFF_FFFF_FFFF)
            return m > 0x7FF0_0000_0000_0000 ? .nan : T(Double(bitPattern: m))
        }
    }

    @inline(__always)
    static func largestMasked<U: FixedWidthInteger & UnsignedInteger>(_ p: UnsafePointer<U>, _ n: Int, mask: U) -> U {
        var m: U = 0
        for i in 0..<n { m = Swift.max(m, p[i] & mask) }
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
