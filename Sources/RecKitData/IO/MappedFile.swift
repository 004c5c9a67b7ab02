import RecKitLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory map of a whole file: parsers read its bytes in place, and the kernel pages
/// them in (streaming) instead of the process copying the file.
final class MappedFile {
    let path: String
    let bytes: UnsafeBufferPointer<UInt8>
    private let length: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataError.io(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw DataError.io(path: path, reason: "not a regular file") }
        length = Int(st.st_size)
        if length == 0 {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DataError.io(path: path, reason: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        madvise(p, length, MADV_SEQUENTIAL)
        bytes = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: length)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed, then renamed,
/// so a reader never sees a half-written file and a crash leaves the old file intact.
func writeAtomically(path: String, _ fill: (inout [UInt8]) throws -> Void) throws {
    var buffer: [UInt8] = []
    try fill(&buffer)
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw DataError.io(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
    var offset = 0
    let ok = buffer.withUnsafeBytes { raw -> Bool in
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { return false }
            offset += n
        }
        return fsync(fd) == 0
    }
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
        unlink(temporary)
        throw DataError.io(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
    }
}
