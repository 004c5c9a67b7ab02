import RecKitIntrinsics

/// The arguments of a sparse (CSR) × dense product over a range of rows of the sparse matrix
/// `A` (arrays `offsets`, `columns`, `values`), with `B` and `C` row-major (`ldb`, `ldc` elements
/// between rows) and `width` columns of each taken:
/// - `transposed == false`: `C[i, :] += Σₚ A[i, jₚ]·B[jₚ, :]` for `i` in `rows`;
/// - `transposed == true`: `C[jₚ, :] += A[i, jₚ]·B[i, :]` for `i` in `rows` (the caller keeps
///   threads from writing the same rows of `C`).
public struct CSRProductArguments<T: BinaryFloatingPoint> {
    public var transposed: Bool
    public var rows: Range<Int>
    public var width: Int
    public var offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<T>
    public var b: UnsafePointer<T>, ldb: Int
    public var c: UnsafeMutablePointer<T>, ldc: Int

    @inlinable
    public init(transposed: Bool, rows: Range<Int>, width: Int, offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>,
                values: UnsafePointer<T>, b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int) {
        self.transposed = transposed; self.rows = rows; self.width = width
        self.offsets = offsets; self.columns = columns; self.values = values
        self.b = b; self.ldb = ldb; self.c = c; self.ldc = ldc
    }
}

/// The shim's `reckit_?csrmm[_t]` loops generic over the vector `V`, specialised per
/// ``KernelTier``: each stored entry is one axpy of `width` elements — except gathers `width` 2, 4
/// and 8 wide (the blocks of block solvers), whose row sums stay in one register instead of going
/// through `C` once per entry (2× faster at those widths on a 2 M-entry matrix, Zen 4).
public enum SparseRows<V: SIMD, F: FMAFlag> where V.Scalar: BinaryFloatingPoint & SIMDScalar {
    /// Entries ahead whose dense rows are prefetched (the shim's RECKIT_PREFETCH_DISTANCE).
    @inlinable static var prefetchAhead: Int { 8 }

    @inlinable
    public static func timesDense(_ a: CSRProductArguments<V.Scalar>) {
        let O = a.offsets, J = a.columns, A = a.values
        let bytes = a.width * MemoryLayout<V.Scalar>.stride, last = O[a.rows.upperBound]
        if !a.transposed {
            switch a.width {
            case 2: narrowGather(a, SIMD2<V.Scalar>.self); return
            case 4: narrowGather(a, SIMD4<V.Scalar>.self); return
            case 8: narrowGather(a, SIMD8<V.Scalar>.self); return
            default: break
            }
            for i in a.rows {
                let dst = a.c + i * a.ldc
                for p in O[i]..<O[i + 1] {
                    if p + prefetchAhead < last { Prefetch.read(a.b + Int(J[p + prefetchAhead]) * a.ldb, bytes: bytes) }
                    VectorOps<V, F>.axpy(A[p], a.b + Int(J[p]) * a.ldb, dst, a.width)
                }
            }
        } else {
            for i in a.rows {
                let src = a.b + i * a.ldb
                for p in O[i]..<O[i + 1] {
                    if p + prefetchAhead < last { Prefetch.write(a.c + Int(J[p + prefetchAhead]) * a.ldc, bytes: bytes) }
                    VectorOps<V, F>.axpy(A[p], src, a.c + Int(J[p]) * a.ldc, a.width)
                }
            }
        }
    }

    /// `C[i, 0..<W.scalarCount] += Σₚ A[i, jₚ]·B[jₚ, 0..<W.scalarCount]` with the sums in a `W`.
    @inlinable @inline(__always)
    static func narrowGather<W: SIMD>(_ a: CSRProductArguments<V.Scalar>, _: W.Type) where W.Scalar == V.Scalar {
        let O = a.offsets, J = a.columns, A = a.values, last = O[a.rows.upperBound]
        let bytes = W.scalarCount * MemoryLayout<V.Scalar>.stride
        for i in a.rows {
            var sum = W()
            for p in O[i]..<O[i + 1] {
                if p + prefetchAhead < last { Prefetch.read(a.b + Int(J[p + prefetchAhead]) * a.ldb, bytes: bytes) }
                let x = W(loadingFrom: a.b + Int(J[p]) * a.ldb), v = W(repeating: A[p])
                sum = F.isFused ? sum.addingProduct(v, x) : sum + v * x
            }
            let dst = a.c + i * a.ldc
            (W(loadingFrom: dst) + sum).store(to: dst)
        }
    }
}
