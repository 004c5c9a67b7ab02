import Dispatch
import Synchronization

/// The engine's worker threads: static, contiguous partitions of an index range.
///
/// Partitioning depends only on the range and the thread count, so any computation whose chunks
/// do not interact is deterministic for a fixed thread count. BLAS calls made inside a loop ask for
/// one thread each (`BLASThreadGate`), so they never oversubscribe the cores.
public enum Parallel {
    /// Splits `0..<count` into at most `threads` contiguous ranges of at least `minimumChunk`
    /// indices and calls `body` on each, concurrently when there is more than one.
    public static func forEachChunk(count: Int, threads: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let parts = Swift.max(1, Swift.min(threads, (count + minimumChunk - 1) / Swift.max(1, minimumChunk)))
        if parts == 1 { body(0..<count); return }
        forEachPart(parts) { p in body(chunk(p, of: parts, count: count)) }
    }

    /// Calls `body` once per part `p` in `0..<parts`, concurrently.
    public static func forEachPart(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 0 else { return }
        if parts == 1 { body(0); return }
        // The body only runs during this call (concurrentPerform returns when every part has), so
        // handing the non-escaping closure to Dispatch's @Sendable parameter is sound.
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { box.value($0) }
        }
    }

    /// Calls `body` once per part `p` in `0..<parts` on at most `threads` workers, each taking the
    /// next unclaimed part (dynamic scheduling, so parts of uneven cost balance themselves). Which
    /// worker runs a part varies from run to run: `body` must not depend on it.
    public static func forEachPart(_ parts: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = Swift.min(parts, threads)
        if workers <= 1 { for p in 0..<parts { body(p) }; return }
        let next = PartCounter()
        forEachPart(workers) { _ in
            while case let p = next.claim(), p < parts { body(p) }
        }
    }

    /// `body(p)` for every part `p` in `0..<parts` on at most `threads` workers (dynamic
    /// scheduling, as ``forEachPart(_:threads:_:)``), the results in part order.
    public static func map<R>(_ parts: Int, threads: Int, _ body: (Int) -> R) -> [R] {
        var results = [R?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { out in
            let slots = UncheckedSendable(out)
            forEachPart(parts, threads: threads) { p in slots.value[p] = body(p) }
        }
        return results.map { $0! }
    }

    /// The `p`-th of `parts` near-equal contiguous ranges of `0..<count`.
    public static func chunk(_ p: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let lo = p * base + Swift.min(p, extra)
        return lo..<(lo + base + (p < extra ? 1 : 0))
    }
}


/// Hands out 0, 1, 2, … to concurrent callers.
package final class PartCounter: Sendable {
    private let next = Atomic<Int>(0)
    package func claim() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Wraps a value the caller guarantees is used safely across threads.
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
