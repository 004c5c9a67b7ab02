extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements whose values are left as the allocator gave them, for a buffer
    /// that the caller writes in full before reading any of it — typically in a parallel pass.
    ///
    /// `[T](repeating: 0, count: n)` writes every byte on the calling thread; for arrays of hundreds
    /// of megabytes that first write is also where the kernel zeroes each fresh page, one thread
    /// doing for all what the parallel pass that follows would have shared out (measured on the
    /// 20 M-line load, docs/benchmarks.md). The elements are plain bits (`BitwiseCopyable`), so
    /// a value not yet written is garbage, never unsafe memory; reading one before writing it is
    /// the caller's bug.
    package static func uninitialized(count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
