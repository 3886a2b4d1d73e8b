#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is
/// synced and then renamed over the destination, so a reader never sees half a file.
final class AtomicFileWriter {
    let path: String
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw FormatError("\(path): not a file name") }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        temporaryPath = "\(folder).\(name).tmp-\(getpid())-\(ts.tv_nsec)"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FormatError("\(path): cannot create: \(MappedFile.lastError())") }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !finished {
            close(fd)
            unlink(temporaryPath)
        }
    }

    func write<S: Sequence>(_ bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends the raw bytes of each value (little-endian hosts only write what they hold).
    func write<T>(raw values: [T]) throws {
        try values.withUnsafeBytes { try write($0) }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FormatError("\(path): write failed: \(MappedFile.lastError())")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file over `path`.
    func commit() throws {
        try flush()
        guard fsync(fd) == 0 else { throw FormatError("\(path): fsync failed: \(MappedFile.lastError())") }
        close(fd)
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            let reason = MappedFile.lastError()
            unlink(temporaryPath)
            throw FormatError("\(path): cannot rename into place: \(reason)")
        }
        // Make the rename itself durable.
        let folder = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "."
        let dirfd = open(folder, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}
