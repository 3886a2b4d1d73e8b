#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSLimits

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which is
/// synced and then renamed over the destination, so a reader never sees half a file.
///
/// The temporary file is `.NAME.tmp-PID-N`. A process killed while writing leaves it behind; the
/// next write of the same NAME removes every such file whose process no longer runs.
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
        temporaryPath = "\(folder)\(AtomicFileWriter.temporaryPrefix(name))\(getpid())-\(ts.tv_nsec)"
        AtomicFileWriter.removeStaleTemporaries(folder: folder, name: name)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FormatError("\(path): cannot create: \(MappedFile.lastError())") }
        buffer.reserveCapacity(1 << 20)
    }

    /// `.NAME.tmp-`: what the temporary files of NAME start with (the writer's PID follows).
    static func temporaryPrefix(_ name: String) -> String { ".\(name).tmp-" }

    /// Removes `.NAME.tmp-PID-N` files in `folder` whose process is gone (left by a killed save).
    /// Files of running processes, this one included, are left alone: they may be writing NAME now.
    static func removeStaleTemporaries(folder: String, name: String) {
        guard let dir = opendir(folder.isEmpty ? "." : folder) else { return }
        defer { closedir(dir) }
        let prefix = temporaryPrefix(name)
        while let entry = readdir(dir) {
            // The name is read in place, up to its NUL: glibc allocates each entry only as long as its
            // name, so copying the whole 256-byte `d_name` field reads past it (AddressSanitizer).
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 0
            let file = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            guard file.hasPrefix(prefix) else { continue }
            let parts = file.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, parts[1].allSatisfy(\.isNumber), !parts[1].isEmpty,
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(folder + file)
        }
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
        if let code = FileDescriptorIO.writeAll(buffer, to: fd) {
            throw FormatError("\(path): write failed: \(String(cString: strerror(code)))")
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
