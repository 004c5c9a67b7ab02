import CReckitShim
import Foundation

extension Engine {
    /// Asks glibc's malloc to serve large blocks from its heap and reuse them when freed, so the
    /// large temporaries of a solve are not paid for in page faults every time one is allocated.
    ///
    /// glibc serves a block above its mmap threshold (at most 32 MB by its own dynamic rule) with
    /// fresh pages from `mmap` and unmaps them on `free`. The temporaries of a truncated SVD of a
    /// 100 000 × 20 000 rating matrix are larger — its randomised sketch (100 000 × 76) is 61 MB in
    /// Double, its left vectors 51 MB — so each one's pages are faulted in anew. This sets the
    /// mmap threshold to `heapBlock` bytes (default 1 GiB), so such blocks come from the heap and a
    /// freed one is reused by the next, and keeps at most `retained` bytes (default 128 MiB) of
    /// freed memory at the heap's top instead of returning it at once (glibc's default keeps
    /// 32 MB at most once it has adapted). Measured in docs/benchmarks.md ("The slow spells were
    /// RecKit's own"): fewer page faults, faster randomised solves, peak memory within a few percent.
    ///
    /// Process-wide, so the library never does this by itself: the `reckit` command calls it for
    /// its batch commands (not for `reckit serve`, which runs for days); a program that runs large
    /// solves may call it at start. Nothing is done, and false is returned, when the environment
    /// already tunes malloc (`GLIBC_TUNABLES` or a `MALLOC_…_` variable: the user's settings win)
    /// or the C library is not glibc.
    @discardableResult
    public static func keepFreedMemoryForReuse(heapBlock: Int = 1 << 30, retained: Int = 128 << 20,
                                               environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard !environment.keys.contains(where: { $0 == "GLIBC_TUNABLES" || ($0.hasPrefix("MALLOC_") && $0.hasSuffix("_")) }) else {
            return false
        }
        return reckit_keep_freed_memory(heapBlock, retained) == 1
    }
}
