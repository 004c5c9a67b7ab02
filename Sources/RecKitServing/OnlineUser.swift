import Atomics
import RecKitModels

/// A user whose history changed since the model was fitted (or who is new): their whole history
/// (training interactions and feedback, one value per item, the latest winning) and the factors
/// folded in from it — for ALS the exact user step given the item factors.
///
/// Immutable: each feedback event builds a new one, so what is cached for it (``greedyTop``)
/// belongs to these factors and is never stale.
struct OnlineUser: Sendable {
    /// Sorted by item.
    let items: [Int32]
    let values: [Float]
    let folded: FoldedInUser
    /// Feedback events applied to this user.
    let events: Int
    /// The greedy top list of these factors (their own items left out), filled by the first
    /// request that needs it and read by the ones after.
    let greedyTop = GreedyTop()

    init(items: [Int32], values: [Float], folded: FoldedInUser, events: Int) {
        self.items = items
        self.values = values
        self.folded = folded
        self.events = events
    }

    var history: [(item: Int32, value: Float)] { zip(items, values).map { ($0, $1) } }

    /// The history with `value` for `item` (replacing an earlier value).
    static func merged(_ items: [Int32], _ values: [Float], item: Int32, value: Float) -> ([Int32], [Float]) {
        var items = items, values = values
        var lo = 0, hi = items.count
        while lo < hi { let mid = (lo + hi) / 2; if items[mid] < item { lo = mid + 1 } else { hi = mid } }
        if lo < items.count && items[lo] == item { values[lo] = value } else { items.insert(item, at: lo); values.insert(value, at: lo) }
        return (items, values)
    }

    /// A list set at most once, without a lock: readers that race to fill it compute the same list,
    /// and the first one stored is the one every reader sees. Kept as item indexes and scores
    /// (8 bytes an entry).
    final class GreedyTop: Sendable {
        private let list = ManagedAtomicLazyReference<List>()

        final class List: Sendable {
            let items: [Int32]
            let scores: [Float]
            init(_ entries: [Recommendation]) {
                items = entries.map { Int32($0.item) }
                scores = entries.map(\.score)
            }
        }

        /// The list's first `n` entries, the list computed by `make` when no reader has stored it yet.
        func prefix(_ n: Int, _ make: () throws -> [Recommendation]) rethrows -> [Recommendation] {
            let stored = try list.load() ?? list.storeIfNilThenLoad(List(make()))
            return (0..<min(n, stored.items.count)).map { Recommendation(item: Int(stored.items[$0]), score: stored.scores[$0]) }
        }
    }
}
