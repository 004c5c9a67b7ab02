// Compiled with -parse-stdlib (Package.swift), the only way Swift code reaches LLVM's intrinsics
// (prefetch here, square root in SquareRoot.swift); everything else comes from the standard
// library as usual.
import Swift

/// Software prefetch: asks the memory system to bring a row into the cache ahead of use, without
/// waiting for it (`prefetcht0` / `prefetchw` on x86-64; a no-op where the target has none).
///
/// The pure-Swift kernels that read rows at random — a factor row per rating in SGD and ALS, a
/// row of the dense operand per stored entry in sparse products — use it as the shim's C kernels
/// use `__builtin_prefetch`. A plain early load is no substitute: it cannot retire before its
/// data arrives, so a missing row stalls everything behind it (measured in the SGD epoch).
public enum Prefetch {
    /// The cache lines of `bytes` bytes from `p`, for reading.
    @inlinable @inline(__always)
    public static func read(_ p: UnsafeRawPointer, bytes: Int) {
        eachLine(p, bytes: bytes) { Builtin.int_prefetch_RawPointer($0._rawValue, Int32(0)._value, Int32(3)._value, Int32(1)._value) }
    }

    /// The cache lines of `bytes` bytes from `p`, for writing.
    @inlinable @inline(__always)
    public static func write(_ p: UnsafeRawPointer, bytes: Int) {
        eachLine(p, bytes: bytes) { Builtin.int_prefetch_RawPointer($0._rawValue, Int32(1)._value, Int32(3)._value, Int32(1)._value) }
    }

    /// `body` at each 64-byte line of `bytes` bytes from `p`. (The intrinsic's read/write argument
    /// must be a constant, hence one closure per kind rather than a parameter.)
    @inlinable @inline(__always)
    static func eachLine(_ p: UnsafeRawPointer, bytes: Int, _ body: (UnsafeRawPointer) -> Void) {
        var offset = 0
        while offset < bytes {
            body(p + offset)
            offset += 64
        }
    }
}
