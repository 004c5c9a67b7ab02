import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe outputs: after a kill at any moment, every file and folder RecKit writes is either
/// the old complete version or the new complete version, never a mix or a part.
///
/// - A file is written to a sibling `NAME.tmp-PID`, flushed (`fsync`), renamed over `NAME`, and the
///   folder is flushed so the rename itself survives a power cut.
/// - A folder (`reckit svd --out DIR`, `reckit data split --out DIR`) is built complete in a sibling
///   `DIR.tmp-PID`, then exchanged with `DIR` in one step (`renameat2(RENAME_EXCHANGE)`; a new `DIR`
///   is a plain rename), and the old contents are removed afterwards. Where the file system cannot
///   exchange, the fallback is two renames through `DIR.old-PID`, which the next run puts back.
/// - Temporaries of this process are removed by ``removeTemporaries()`` (the command line calls it
///   on SIGINT/SIGTERM); those of a killed process (`kill -9`, a crash) are reclaimed by the next
///   write beside them: a `.tmp-PID` or `.old-PID` whose process no longer exists is removed.
public enum AtomicOutput {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write(raw: $0, to: path) }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write(raw: $0, to: path) }
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes the bytes `fill` appends to `path` atomically.
    public static func write(to path: String, _ fill: (inout [UInt8]) throws -> Void) throws {
        var buffer: [UInt8] = []
        try fill(&buffer)
        try write(buffer, to: path)
    }

    static func write(raw: UnsafeRawBufferPointer, to path: String) throws {
        reclaimStale(beside: path)
        let temporary = temporaryName(for: path)
        register(temporary)
        defer { unregister(temporary) }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError.io(path: path, reason: "cannot create \(temporary): \(lastError())") }
        var offset = 0
        var ok = true
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { ok = false; break }
            offset += n
        }
        let reason = ok ? (fsync(fd) == 0 ? nil : "cannot flush: \(lastError())") : "cannot write: \(lastError())"
        close(fd)
        if let reason {
            unlink(temporary)
            throw DataError.io(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = lastError()
            unlink(temporary)
            throw DataError.io(path: path, reason: "cannot move the new file into place: \(reason)")
        }
        syncFolder(of: path)
    }

    /// Refuses, before any work, a folder output that cannot be replaced as a whole: a file in its
    /// place, or a folder holding entries the command does not write (`owns` says which names are
    /// its own; their old versions are replaced, anything else would be lost).
    public static func checkFolder(_ path: String, flag: String, owns: (String) -> Bool) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else { throw DataError.io(path: path, reason: "\(flag) names a file, not a folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let foreign = entries.filter { !owns($0) }.sorted()
        guard foreign.isEmpty else {
            let shown = foreign.prefix(3).map { DataError.printable($0) }.joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
            throw DataError.io(path: path, reason: "\(flag) folder holds \(foreign.count) file(s) this command does not write (\(shown)); "
                                            + "it is replaced as a whole, so give an empty or new folder")
        }
    }

    /// Builds a folder complete beside `path`, then puts it in place of `path` in one step. `fill`
    /// receives the staging folder to write into; if it throws, `path` is untouched.
    public static func writeFolder(_ path: String, _ fill: (String) throws -> Void) throws {
        let target = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        reclaimStale(beside: target)
        let staging = temporaryName(for: target)
        register(staging)
        defer { unregister(staging) }
        try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else { throw DataError.io(path: target, reason: "cannot create \(staging): \(lastError())") }
        do {
            try fill(staging)
            syncFolder(staging)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) {
            guard rename(staging, target) == 0 else {
                let reason = lastError()
                try? FileManager.default.removeItem(atPath: staging)
                throw DataError.io(path: target, reason: "cannot move the new folder into place: \(reason)")
            }
        } else if exchange(staging, target) {
            try? FileManager.default.removeItem(atPath: staging)   // now the old contents
        } else {
            // No exchange on this file system: two renames; a kill between them leaves the old
            // folder at DIR.old-PID, which reclaimStale puts back.
            let old = "\(target).old-\(getpid())"
            guard rename(target, old) == 0 else {
                let reason = lastError()
                try? FileManager.default.removeItem(atPath: staging)
                throw DataError.io(path: target, reason: "cannot move the old folder aside: \(reason)")
            }
            guard rename(staging, target) == 0 else {
                let reason = lastError()
                _ = rename(old, target)
                try? FileManager.default.removeItem(atPath: staging)
                throw DataError.io(path: target, reason: "cannot move the new folder into place: \(reason)")
            }
            try? FileManager.default.removeItem(atPath: old)
        }
        syncFolder(of: target)
    }

    /// Removes every temporary file and staging folder of this process (for SIGINT/SIGTERM).
    public static func removeTemporaries() {
        for path in pending.withLock({ Array($0) }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Removes `NAME.tmp-PID` entries beside `path` whose process is gone, and puts back a folder
    /// left at `NAME.old-PID` by an interrupted fallback swap when `NAME` itself is missing.
    public static func reclaimStale(beside path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries {
            for marker in [".tmp-", ".old-"] {
                guard entry.hasPrefix(name + marker), let pid = Int32(entry.dropFirst(name.count + marker.count)),
                      pid != getpid(), !processExists(pid) else { continue }
                let stale = folder + "/" + entry
                if marker == ".old-", !FileManager.default.fileExists(atPath: path) {
                    _ = rename(stale, path)
                } else {
                    try? FileManager.default.removeItem(atPath: stale)
                }
            }
        }
    }

    // MARK: - Details

    private static let pending = Mutex<Set<String>>([])
    private static func register(_ path: String) { pending.withLock { _ = $0.insert(path) } }
    private static func unregister(_ path: String) { pending.withLock { _ = $0.remove(path) } }

    static func temporaryName(for path: String) -> String { "\(path).tmp-\(getpid())" }

    private static func processExists(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// glibc's `renameat2`, looked up at run time (Swift's Glibc module does not import it).
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Swaps two paths in one step (`RENAME_EXCHANGE`); false where the kernel or file system cannot.
    private static func exchange(_ a: String, _ b: String) -> Bool {
        guard let renameat2 else { return false }
        let renameExchange: UInt32 = 2
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }

    private static func syncFolder(of path: String) {
        syncFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Flushes a folder's entries (a rename or a new file in it) to disk.
    public static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}
