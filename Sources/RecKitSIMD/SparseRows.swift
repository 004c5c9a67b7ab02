import RecKitPrefetch

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
/// ``KernelTier``: each stored entry is one axpy of `width` elements.
public enum SparseRows<V: SIMD, F: FMAFlag> where V.Scalar: BinaryFloatingPoint {
    /// Entries ahead whose dense rows are prefetched (the shim's RECKIT_PREFETCH_DISTANCE).
    @inlinable static var prefetchAhead: Int { 8 }

    @inlinable
    public static func timesDense(_ a: CSRProductArguments<V.Scalar>) {
        let O = a.offsets, J = a.columns, A = a.values
        let bytes = a.width * MemoryLayout<V.Scalar>.stride, last = O[a.rows.upperBound]
        if !a.transposed {
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
}
