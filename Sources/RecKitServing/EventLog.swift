import Foundation
import RecKitData
#if canImport(Glibc)
import Glibc
#endif

/// The server's durable record of feedback: JSON lines appended to `events-NNNNNN.jsonl` files in a
/// folder, each append written and synced before it returns (so an acknowledged event survives
/// a crash or `kill -9`), and a new file begun when the current one passes ``rotationBytes``.
///
/// The open file is kept ahead of its events by zero bytes written and synced in steps of
/// ``preallocationBytes`` (as a database's write-ahead log is): an append then overwrites blocks
/// the file already has, and `fdatasync` writes the data alone, not the file's size as well —
/// one disk write per sync instead of two, a third less time (docs/serving.md). The zeros are cut
/// off when the file is closed, rotated or opened again.
///
/// Appends are committed in groups (group commit, as a database's write-ahead log does): whoever
/// waits for an append and finds no write under way becomes the writer, and writes and syncs
/// everything queued so far in one go — its own events and those of the callers queued meanwhile,
/// who wait for it. A caller waits either blocking (``waitUntilDurable(_:)``: the writer is then
/// the caller's own thread, so a lone append costs a write and an `fsync` and no hand-over to
/// another thread) or suspended (``durable(_:)``: the log's own queue writes, and no thread waits
/// for the disk). None is answered before its events are on disk.
///
/// On start, ``replay(folder:)`` reads every file in order, up to its first zero byte. A last line
/// without its newline, or bytes after the zeros, are an append cut short by a crash before it was
/// acknowledged (every acknowledged append lies whole before the zeros), and are dropped (and
/// counted); any other line that is not an event stops the start with the file and line, so that
/// nothing is silently lost.
public final class EventLog: @unchecked Sendable {
    public let folder: String
    public let rotationBytes: Int
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var nextGroup = 1          // the group that `pending` will be written as
    private var committedGroup = 0     // the last group on disk (or failed)
    private var writing = false        // a group is being written and synced
    private var queueWriting = false   // `flushQueue` is writing for suspended callers
    private var failures: [Int: ServingError] = [:]
    private var waiters: [(group: Int, continuation: CheckedContinuation<Void, Error>)] = []
    // Used only by the writer of the moment (`writing`), and by `init` and `deinit`.
    private let flushQueue = DispatchQueue(label: "reckit.event-log")
    private var fd: Int32
    private var index: Int
    /// The bytes of events in the current file; the file is `allocated` bytes long, zeros after `size`.
    private var size: Int
    private var allocated: Int
    /// The step in which the current file is extended with zeros ahead of its events.
    public static let preallocationBytes = 1 << 20
    /// Groups written, and events in them (for the metrics).
    public private(set) var groupsCommitted = 0

    public struct Replay: Sendable {
        public var events: [FeedbackEvent]
        /// Appends cut short by a crash (never acknowledged), dropped: at most one per file, since a
        /// last line without its newline and bytes after the zeros belong to the same last write.
        public var tornLines: Int
        public var files: Int
    }

    /// What was in the folder when the log was opened (``replay(folder:)``, read under the lock).
    public let recovered: Replay
    /// `folder/events.lock`, locked (`flock`) while the log is open.
    private let lockFD: Int32

    /// Opens (creating if needed) the log in `folder` for this log alone, reads what it holds
    /// (``recovered``) and prepares to append to its newest file.
    /// - Throws: when another log (a second server, in this process or another) has the folder
    ///   open: two writers would overwrite each other's events; or what ``replay(folder:)`` throws.
    public init(folder: String, rotationBytes: Int = 64 << 20) throws {
        self.folder = folder
        self.rotationBytes = rotationBytes
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        lockFD = try Self.lock(folder)
        do {
            recovered = try Self.replay(folder: folder)
            index = try Self.files(in: folder).last?.index ?? 1
            (fd, size) = try Self.open(Self.path(folder, index))
        } catch {
            _ = close(lockFD)
            throw error
        }
        allocated = size
    }

    deinit {
        _ = ftruncate(fd, off_t(size))
        _ = close(fd)
        _ = close(lockFD)
    }

    /// An exclusive lock on `folder/events.lock` (released when its descriptor closes, also when
    /// the process dies).
    private static func lock(_ folder: String) throws -> Int32 {
        let path = folder + "/events.lock"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServingError(status: 500, field: nil, "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            _ = close(fd)
            throw ServingError(status: 500, field: nil, busy
                ? "the event log in \(folder) is open in another server (its lock \(path) is held); give each server its own --events folder"
                : "cannot lock \(path): \(reason)")
        }
        return fd
    }

    /// Appends `events` and returns once they are synced to disk (in a group with others).
    public func append(_ events: [FeedbackEvent]) throws {
        try waitUntilDurable(try enqueue(events))
    }

    /// Queues `events` behind everything queued before (the order of the log) and returns the group
    /// they will be written in; ``waitUntilDurable(_:)`` or ``durable(_:)`` waits for it (nothing is
    /// written until one of them is called).
    public func enqueue(_ events: [FeedbackEvent]) throws -> Int {
        var bytes: [UInt8] = []
        for e in events {
            bytes += try Self.encoder.encode(e)
            bytes.append(10)
        }
        condition.lock()
        defer { condition.unlock() }
        pending += bytes
        return nextGroup
    }

    /// Blocks until `group` is on disk, writing it on this thread when no other write is under way.
    /// - Throws: the write or sync failure of that group (HTTP 503).
    public func waitUntilDurable(_ group: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        while committedGroup < group {
            if writing { condition.wait() } else { commitPending() }
        }
        if let failure = failures[group] { throw failure }
    }

    /// Returns once `group` is on disk, suspended meanwhile (the log's queue writes; no thread
    /// waits for the disk).
    /// - Throws: the write or sync failure of that group (HTTP 503).
    public func durable(_ group: Int) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            condition.lock()
            guard committedGroup >= group else {
                waiters.append((group, c))
                let start = !queueWriting
                queueWriting = true
                condition.unlock()
                if start { flushQueue.async { self.writeForWaiters() } }
                return
            }
            let failure = failures[group]
            condition.unlock()
            if let failure { c.resume(throwing: failure) } else { c.resume() }
        }
    }

    /// The log queue's work: commits groups until every suspended caller's group is on disk.
    private func writeForWaiters() {
        condition.lock()
        while let last = waiters.map(\.group).max(), committedGroup < last {
            if writing { condition.wait() } else { commitPending() }
        }
        queueWriting = false
        condition.unlock()
    }

    /// Writes and syncs everything pending as one group and wakes the callers waiting for it.
    /// Called with `condition` locked and no write under way; returns with it locked, having
    /// released it during the write.
    private func commitPending() {
        writing = true
        let data = pending, written = nextGroup
        pending = []
        nextGroup += 1
        condition.unlock()
        let failure = write(data)
        condition.lock()
        if let failure { failures[written] = failure }
        committedGroup = written
        groupsCommitted += 1
        writing = false
        condition.broadcast()
        let ready = waiters.filter { $0.group <= written }.map { ($0.continuation, failures[$0.group]) }
        guard !ready.isEmpty else { return }
        waiters.removeAll { $0.group <= written }
        condition.unlock()
        for (continuation, failure) in ready {
            if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
        }
        condition.lock()
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    /// Writes and syncs one group (called by the writer of the moment only).
    private func write(_ bytes: [UInt8]) -> ServingError? {
        do {
            if size > 0 && size + bytes.count > rotationBytes {
                _ = ftruncate(fd, off_t(size))
                _ = fsync(fd)
                _ = close(fd)
                index += 1
                (fd, size) = try Self.open(Self.path(folder, index))
                allocated = size
                AtomicOutput.syncFolder(folder)
            }
        } catch let e as ServingError { return e } catch { return ServingError(status: 503, field: nil, "\(error)") }
        if size + bytes.count > allocated {
            // Zeros ahead of the events, synced with the file's new size.
            let step = Self.preallocationBytes, target = (size + bytes.count + step - 1) / step * step
            let zeros = [UInt8](repeating: 0, count: target - allocated)
            guard Self.write(zeros, at: allocated, to: fd), fsync(fd) == 0 else {
                return ServingError(status: 503, field: nil, "cannot extend the event log in \(folder): \(String(cString: strerror(errno)))")
            }
            allocated = target
        }
        guard Self.write(bytes, at: size, to: fd) else {
            return ServingError(status: 503, field: nil, "cannot append to the event log in \(folder): \(String(cString: strerror(errno)))")
        }
        size += bytes.count
        guard fdatasync(fd) == 0 else { return ServingError(status: 503, field: nil, "cannot sync the event log in \(folder): \(String(cString: strerror(errno)))") }
        return nil
    }

    /// Writes all of `bytes` at `offset`; false on an error (in `errno`).
    private static func write(_ bytes: [UInt8], at offset: Int, to fd: Int32) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset + done)) }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    /// Every event in `folder`, oldest first.
    public static func replay(folder: String) throws -> Replay {
        guard FileManager.default.fileExists(atPath: folder) else { return Replay(events: [], tornLines: 0, files: 0) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var events: [FeedbackEvent] = [], torn = 0
        let files = try files(in: folder)
        for f in files {
            let path = Self.path(folder, f.index)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServingError(status: 500, field: nil, "cannot read the event log file \(path)")
            }
            // The events end at the first zero byte; anything after the zeros is the last write, cut short.
            let end = data.firstIndex(of: 0) ?? data.endIndex
            var cutShort = data[end...].contains { $0 != 0 }
            let lines = data[..<end].split(separator: 10, omittingEmptySubsequences: false)
            for (k, line) in lines.enumerated() where !line.isEmpty {
                // The part after the last newline was the last write too: never acknowledged.
                if k == lines.count - 1 { cutShort = true; continue }
                do {
                    events.append(try decoder.decode(FeedbackEvent.self, from: Data(line)))
                } catch {
                    throw ServingError(status: 500, field: nil, "\(path):\(k + 1): not an event (\(error)); move the file away to start without it")
                }
            }
            if cutShort { torn += 1 }
        }
        return Replay(events: events, tornLines: torn, files: files.count)
    }

    static func path(_ folder: String, _ index: Int) -> String { folder + "/" + String(format: "events-%06d.jsonl", index) }

    static func files(in folder: String) throws -> [(index: Int, name: String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name in
            guard name.hasPrefix("events-"), name.hasSuffix(".jsonl"), let i = Int(name.dropFirst(7).dropLast(6)) else { return nil }
            return (i, name)
        }.sorted { $0.index < $1.index }
    }

    /// Opens for appending and returns the file's length; what follows the last whole line before
    /// the first zero byte (zeros a crash left, a torn line) is cut off first, so appends start on a line.
    static func open(_ path: String) throws -> (Int32, Int) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServingError(status: 500, field: nil, "cannot open the event log \(path): \(String(cString: strerror(errno)))") }
        var size = Int(lseek(fd, 0, SEEK_END))
        var last: UInt8 = 10
        if size > 0 { _ = pread(fd, &last, 1, off_t(size - 1)) }
        if last != 10, let data = FileManager.default.contents(atPath: path) {
            let events = data[..<(data.firstIndex(of: 0) ?? data.endIndex)]
            let keep = (events.lastIndex(of: 10).map { $0 + 1 }) ?? 0
            guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else { throw ServingError(status: 500, field: nil, "cannot repair the torn end of \(path)") }
            size = keep
        }
        return (fd, size)
    }

}
