/// Unaligned whole-vector loads and stores, the generic kernels' only memory access in vectors.
extension SIMD {
    /// The `scalarCount` elements at `p` (no alignment needed).
    @inlinable @inline(__always)
    init(loadingFrom p: UnsafePointer<Scalar>) { self = UnsafeRawPointer(p).loadUnaligned(as: Self.self) }

    /// Writes the elements to `p` (no alignment needed).
    @inlinable @inline(__always)
    func store(to p: UnsafeMutablePointer<Scalar>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
}
