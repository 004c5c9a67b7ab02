/// The seeds of the random streams one computation draws from, all derived from its one seed.
///
/// Every random choice RecKit makes (initial factors, shuffles, hold-outs, negatives, dropout)
/// takes a ``SeededGenerator`` whose seed comes from here, by a named ``Stream``:
///
/// ```
/// seed(stream, index, sub) = base + stream.offset + stream.stride · index + sub   (wrapping UInt64)
/// ```
/// so that a run is fixed by its seed, and a reader sees which stream a generator belongs to
/// instead of a bare offset. The streams' offsets and strides are part of RecKit's results:
/// changing one changes every figure that depends on it. Each layer declares the streams it uses
/// beside its algorithms (`extension Seeds.Stream`).
public struct Seeds: Sendable, Equatable {
    /// The seed everything derives from (the user's `seed`).
    public var base: UInt64

    public init(_ base: UInt64) { self.base = base }

    /// A named family of seeds: `offset + stride · index`.
    public struct Stream: Sendable, Equatable {
        public let offset: UInt64
        public let stride: UInt64

        public init(offset: UInt64, stride: UInt64 = 0) {
            self.offset = offset
            self.stride = stride
        }
    }

    /// The seed of `stream` for `index` (e.g. an epoch or a layer) and `sub` (e.g. a block within it).
    @inlinable
    public func callAsFunction(_ stream: Stream, _ index: Int = 0, _ sub: Int = 0) -> UInt64 {
        base &+ stream.offset &+ stream.stride &* UInt64(truncatingIfNeeded: index) &+ UInt64(truncatingIfNeeded: sub)
    }

    /// A generator for `stream`.
    public func generator(_ stream: Stream, _ index: Int = 0, _ sub: Int = 0) -> SeededGenerator {
        SeededGenerator(seed: self(stream, index, sub))
    }
}

extension Seeds.Stream {
    /// The seed itself.
    public static let base = Seeds.Stream(offset: 0)
    /// The next seed: a second parameter of the same object (item factors after user factors, a
    /// layer's second weight matrix).
    public static let second = Seeds.Stream(offset: 1)
}
