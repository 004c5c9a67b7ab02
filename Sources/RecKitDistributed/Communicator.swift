import CReckitMPI
import Foundation
import Synchronization

/// The ranks of an MPI job (`MPI_COMM_WORLD`), and the collectives the distributed algorithms use.
///
/// Every collective must be called by every rank in the same order; a rank that hits an error
/// between collectives reports it through ``agree(_:)`` so that all ranks stop together (a rank
/// that returns early while the others wait in a collective would hang the job). Bytes sent are
/// counted (``bytesSent``) for the benchmarks' communication figures.
///
/// Threading: MPI is initialised at `MPI_THREAD_FUNNELED`; call collectives from one thread.
public final class Communicator: @unchecked Sendable {
    /// This process's rank, `0..<size`.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    private let sent = Mutex<Int>(0)

    private static let shared = Mutex<Communicator?>(nil)

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI once per process and returns the world communicator. A process not started
    /// by `mpirun` is a job of one rank.
    public static func world() throws -> Communicator {
        try shared.withLock { current in
            if let current { return current }
            var provided: Int32 = 0
            let rc = reckit_mpi_init(&provided)
            guard rc == 0 else { throw DistributedError.mpi(call: "MPI_Init_thread", message: errorText(rc)) }
            let c = Communicator(rank: Int(reckit_mpi_rank()), size: Int(reckit_mpi_size()))
            current = c
            return c
        }
    }

    /// Ends MPI (call once, on every rank, after the last collective).
    public func finalize() { if reckit_mpi_initialized() != 0 { _ = reckit_mpi_finalize() } }

    /// Ends every rank of the job at once (for errors that cannot be agreed on).
    public func abort(code: Int32) -> Never {
        reckit_mpi_abort(code)
        exit(code)
    }

    public var isRoot: Bool { rank == 0 }
    /// Bytes this rank has sent through the collectives so far.
    public var bytesSent: Int { sent.withLock { $0 } }
    /// Seconds from MPI's wall clock.
    public static var wallTime: Double { reckit_mpi_wtime() }

    // MARK: - Agreement on errors

    /// Shares each rank's outcome of the work since the last collective: if any rank failed, every
    /// rank throws ``DistributedError/rankFailed(rank:message:)`` naming the lowest failed rank and
    /// its error (so rank 0 can print it); otherwise returns.
    public func agree(_ error: (any Error)?) throws {
        var failed: [Int64] = [error == nil ? Int64.max : Int64(rank)]
        try allReduce(&failed, .min)
        guard failed[0] != Int64.max else { return }
        let message = error.map { "\($0)" } ?? ""
        let all = try allGather(strings: [message])
        let first = Int(failed[0])
        throw DistributedError.rankFailed(rank: first, message: all[first].first ?? "")
    }

    /// Runs `body` on this rank and ``agree(_:)``s on its outcome.
    @discardableResult
    public func together<R>(_ body: () throws -> R) throws -> R {
        var result: R?
        var failure: (any Error)?
        do { result = try body() } catch { failure = error }
        try agree(failure)
        return result!
    }

    // MARK: - Reductions

    /// `bitwiseOr` is for integer arrays only.
    public enum Operation: Int32 { case sum = 0, max = 1, min = 2, bitwiseOr = 3 }

    public func allReduce(_ values: inout [Double], _ op: Operation) throws {
        sent.withLock { $0 += values.count * 8 }
        let n = values.count
        try check(values.withUnsafeMutableBufferPointer { reckit_mpi_allreduce_double($0.baseAddress, Int64(n), op.rawValue) }, "MPI_Allreduce")
    }

    public func allReduce(_ values: inout [Int64], _ op: Operation) throws {
        sent.withLock { $0 += values.count * 8 }
        let n = values.count
        try check(values.withUnsafeMutableBufferPointer { reckit_mpi_allreduce_int64($0.baseAddress, Int64(n), op.rawValue) }, "MPI_Allreduce")
    }

    public func allReduce(_ values: inout [Int32], _ op: Operation) throws {
        sent.withLock { $0 += values.count * 4 }
        let n = values.count
        try check(values.withUnsafeMutableBufferPointer { reckit_mpi_allreduce_int32($0.baseAddress, Int64(n), op.rawValue) }, "MPI_Allreduce")
    }

    /// The sum of `value` over the ranks below this one.
    public func exclusivePrefixSum(_ value: Int) throws -> Int {
        var result: Int64 = 0
        try check(reckit_mpi_exscan_int64(Int64(value), &result), "MPI_Exscan")
        return Int(result)
    }

    // MARK: - Gathers and exchanges

    /// Every rank's `local` elements, concatenated in rank order, on every rank.
    public func allGather<T: BitwiseCopyable>(_ local: [T]) throws -> [T] {
        var counts = [Int64](repeating: 0, count: size)
        counts[rank] = Int64(local.count)
        try allReduce(&counts, .sum)
        return try allGather(local, counts: counts.map(Int.init))
    }

    /// ``allGather(_:)`` when every rank's count is already known to all (`counts[r]` elements from rank r).
    public func allGather<T: BitwiseCopyable>(_ local: [T], counts: [Int]) throws -> [T] {
        let total = counts.reduce(0, +)
        guard let zero = local.first ?? Self.anyElement(T.self, total: total) else { return [] }
        var out = [T](repeating: zero, count: total)
        try allGather(local, counts: counts, into: &out)
        return out
    }

    /// ``allGather(_:counts:)`` into `out` (which must hold `counts.reduce(0, +)` elements), e.g.
    /// the storage of a factor matrix updated in place. One `MPI_Allgatherv` below 2 GiB in all;
    /// beyond that (MPI counts are 32-bit) each rank broadcasts its block in pieces.
    public func allGather<T: BitwiseCopyable>(_ local: [T], counts: [Int], into out: inout [T]) throws {
        precondition(counts.count == size && counts[rank] == local.count && out.count == counts.reduce(0, +), "allGather: counts do not match")
        let stride = MemoryLayout<T>.stride
        let starts = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        sent.withLock { $0 += local.count * stride * (size - 1) }
        if out.count * stride < Int(Int32.max) {
            try local.withUnsafeBytes { lb in
                try out.withUnsafeMutableBytes { ob in
                    try check(reckit_mpi_allgatherv(lb.baseAddress, Int64(lb.count), ob.baseAddress, counts.map { Int64($0 * stride) },
                                                    starts.dropLast().map { Int64($0 * stride) }), "MPI_Allgatherv")
                }
            }
            return
        }
        out.replaceSubrange(starts[rank]..<starts[rank + 1], with: local)
        try out.withUnsafeMutableBytes { ob in
            for r in 0..<size where counts[r] > 0 {
                try check(reckit_mpi_bcast(ob.baseAddress! + starts[r] * stride, Int64(counts[r] * stride), Int32(r)), "MPI_Bcast")
            }
        }
    }

    /// Strings from every rank: `result[r]` is rank r's `local`.
    public func allGather(strings local: [String]) throws -> [[String]] {
        var bytes: [UInt8] = []
        for s in local { bytes += Array(s.utf8); bytes.append(0) }
        var counts = [Int64](repeating: 0, count: size)
        counts[rank] = Int64(bytes.count)
        try allReduce(&counts, .sum)
        let all = try allGather(bytes, counts: counts.map(Int.init))
        var result: [[String]] = []
        var offset = 0
        for r in 0..<size {
            let block = all[offset..<(offset + Int(counts[r]))]
            result.append(block.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) })
            offset += Int(counts[r])
        }
        return result
    }

    /// All-to-all: `outgoing` holds, in rank order, `counts[r]` elements for each rank r; returns
    /// what each rank sent here, concatenated in rank order (so data from a lower rank comes first).
    public func exchange<T: BitwiseCopyable>(_ outgoing: [T], counts: [Int]) throws -> [T] {
        precondition(counts.count == size && counts.reduce(0, +) == outgoing.count, "exchange: one count per rank")
        let stride = MemoryLayout<T>.stride
        let sendCounts = counts.map { Int64($0 * stride) }
        // Everyone learns what everyone sends to whom (size² counts) to size the receive side.
        var matrix = [Int64](repeating: 0, count: size * size)
        for r in 0..<size { matrix[rank * size + r] = sendCounts[r] }
        try allReduce(&matrix, .sum)
        var largest: Int64 = 0
        for s in 0..<size {
            var out: Int64 = 0, into: Int64 = 0
            for t in 0..<size { out += matrix[s * size + t]; into += matrix[t * size + s] }
            largest = Swift.max(largest, out, into)
        }
        guard largest < Int64(Int32.max) else {
            throw DistributedError.tooLarge("one exchange of \(largest) bytes to or from a rank (MPI counts are 32-bit); use more ranks")
        }
        let receiveCounts = (0..<size).map { matrix[$0 * size + rank] }
        let received = Int(receiveCounts.reduce(0, +)) / stride
        let sendStarts = sendCounts.reduce(into: [Int64(0)]) { $0.append($0.last! + $1) }.dropLast()
        let receiveStarts = receiveCounts.reduce(into: [Int64(0)]) { $0.append($0.last! + $1) }.dropLast()
        guard let zero = outgoing.first ?? Self.anyElement(T.self, total: received) else {
            // Nothing leaves this rank and nothing arrives; still take part in the collective.
            try check(reckit_mpi_alltoallv(nil, sendCounts, Array(sendStarts), nil, receiveCounts, Array(receiveStarts)), "MPI_Alltoallv")
            return []
        }
        var incoming = [T](repeating: zero, count: received)
        try outgoing.withUnsafeBytes { fb in
            try incoming.withUnsafeMutableBytes { ib in
                try check(reckit_mpi_alltoallv(fb.baseAddress, sendCounts, Array(sendStarts), ib.baseAddress, receiveCounts, Array(receiveStarts)), "MPI_Alltoallv")
            }
        }
        sent.withLock { $0 += Int(sendCounts.enumerated().filter { $0.offset != rank }.reduce(0) { $0 + $1.element }) }
        return incoming
    }

    // MARK: - Details

    /// A zero-filled element of `T` to size arrays with, when there is something to receive.
    private static func anyElement<T: BitwiseCopyable>(_: T.Type, total: Int) -> T? {
        guard total > 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { p in
            UnsafeMutableRawPointer(p.baseAddress!).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.stride)
            return p[0]
        }
    }

    private func check(_ rc: Int32, _ call: String) throws {
        guard rc == 0 else { throw DistributedError.mpi(call: call, message: Self.errorText(rc)) }
    }

    private static func errorText(_ rc: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        reckit_mpi_error_string(rc, &buffer, 256)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
