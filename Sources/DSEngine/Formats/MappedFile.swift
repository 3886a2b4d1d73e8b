#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file: readers convert tensor by tensor from it, so a
/// checkpoint is never held twice in memory.
final class MappedFile {
    let base: UnsafeRawPointer?
    let count: Int

    init(path: String) throws {
        // O_NONBLOCK: opening a FIFO would otherwise wait forever for a writer; regular files
        // (the only kind accepted below) read the same with or without it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FormatError("cannot open: \(MappedFile.lastError())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FormatError("cannot read: \(MappedFile.lastError())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FormatError("not a regular file") }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw FormatError("cannot map: \(MappedFile.lastError())") }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// `read` of the bytes of the file at `path`, mapped for as long as `read` runs; format errors
    /// name the file.
    static func reading<T>(_ path: String, _ read: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        do {
            let file = try MappedFile(path: path)
            return try withExtendedLifetime(file) { try read(file.bytes) }
        } catch let error as FormatError {
            throw error.inFile(path)
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
