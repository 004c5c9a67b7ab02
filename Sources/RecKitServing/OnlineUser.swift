import RecKitModels

/// A user whose history changed since the model was fitted (or who is new): their whole history
/// (training interactions and feedback, one value per item, the latest winning) and the factors
/// folded in from it — for ALS the exact user step given the item factors.
struct OnlineUser: Sendable {
    /// Sorted by item.
    var items: [Int32]
    var values: [Float]
    var folded: FoldedInUser
    /// Feedback events applied to this user.
    var events: Int

    var history: [(item: Int32, value: Float)] { zip(items, values).map { ($0, $1) } }

    /// The history with `value` for `item` (replacing an earlier value).
    static func merged(_ items: [Int32], _ values: [Float], item: Int32, value: Float) -> ([Int32], [Float]) {
        var items = items, values = values
        var lo = 0, hi = items.count
        while lo < hi { let mid = (lo + hi) / 2; if items[mid] < item { lo = mid + 1 } else { hi = mid } }
        if lo < items.count && items[lo] == item { values[lo] = value } else { items.insert(item, at: lo); values.insert(value, at: lo) }
        return (items, values)
    }
}
