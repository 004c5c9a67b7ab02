import RecKitLinearAlgebra
/// The external ids of users or items, by dense index: index `i` is the `i`-th distinct id.
///
/// Numeric ids are kept as integers (and indexed in increasing order); other ids as strings (in
/// order of first appearance).
public struct IDMap: Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        case numeric([Int64])
        case strings([String])
    }
    var storage: Storage
    private var lookup: [String: Int]? = nil

    /// Integer ids, index `i` holding `ids[i]` (a loader gives them in increasing order).
    public init(numeric ids: [Int64]) { storage = .numeric(ids) }
    /// String ids, index `i` holding `ids[i]`.
    public init(strings ids: [String]) { storage = .strings(ids) }

    /// Writes the ids in index order, one per line, to `path` (atomically): the row labels that go
    /// beside a factor or SVD output.
    public func writeList(to path: String) throws {
        try AtomicOutput.write((0..<count).map { externalID($0) }.joined(separator: "\n") + "\n", to: path)
    }

    /// Dense indexes 0..<count with themselves as ids.
    public static func identity(_ count: Int) -> IDMap { IDMap(numeric: (0..<Int64(count)).map { $0 }) }

    public var count: Int {
        switch storage { case let .numeric(a): return a.count; case let .strings(a): return a.count }
    }

    /// Whether the ids are integers.
    public var isNumeric: Bool { if case .numeric = storage { return true }; return false }

    /// The external id of dense index `i`.
    public func externalID(_ i: Int) -> String {
        switch storage { case let .numeric(a): return String(a[i]); case let .strings(a): return a[i] }
    }

    /// The dense index of an external id, if present.
    public func index(of id: String) -> Int? {
        switch storage {
        case let .numeric(a):
            guard let v = Int64(id) else { return nil }
            var lo = 0, hi = a.count
            while lo < hi { let mid = (lo + hi) / 2; if a[mid] < v { lo = mid + 1 } else { hi = mid } }
            return lo < a.count && a[lo] == v ? lo : nil
        case let .strings(a):
            if let lookup { return lookup[id] }
            return a.firstIndex(of: id)
        }
    }

    /// Builds the string lookup table once (makes ``index(of:)`` O(1) for string ids).
    public mutating func prepareLookup() {
        if case let .strings(a) = storage, lookup == nil {
            var d = [String: Int](minimumCapacity: a.count)
            for (i, s) in a.enumerated() { d[s] = i }
            lookup = d
        }
    }

    /// The ids of a subset of indexes, in the given order.
    public func subset(_ indexes: [Int]) -> IDMap {
        switch storage {
        case let .numeric(a): return IDMap(numeric: indexes.map { a[$0] })
        case let .strings(a): return IDMap(strings: indexes.map { a[$0] })
        }
    }

    public static func == (l: IDMap, r: IDMap) -> Bool { l.storage == r.storage }
}
