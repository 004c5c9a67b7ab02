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
