#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if os(Linux)
import CSystem
#endif

/// The memory a process holds, as the budget counts it. The heap's free bytes are left out: glibc
/// keeps freed blocks (the engine asks it to, up to 1 GiB) and hands them out again before it grows.
public struct MemoryUsage: Equatable {
    /// Resident bytes (RSS) less the heap's free bytes, and never less than the heap's live bytes.
    public var resident: Int
    /// Mapped bytes (what `ulimit -v` limits) less the heap's free bytes.
    public var addressSpace: Int

    /// This process now; nil where it cannot be measured (the budget then only caps single objects).
    public static func current() -> MemoryUsage? {
        #if os(Linux)
        guard let (size, resident) = statm() else { return nil }
        let heap = mallinfo2()
        // Free heap blocks are mapped but need not be resident (glibc may have given their pages
        // back), so RSS less the free bytes can undercount: the heap's live bytes are the floor.
        let free = Int(heap.fordblks), live = Int(heap.uordblks) + Int(heap.hblkhd)
        return MemoryUsage(resident: Swift.max(resident - free, live), addressSpace: Swift.max(size - free, live))
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// Total and resident bytes from `/proc/self/statm` (in pages).
    static func statm() -> (size: Int, resident: Int)? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let fields = buffer[..<n].split(separator: UInt8(ascii: " ")).prefix(2).compactMap { field in
            Int(String(decoding: field, as: UTF8.self))
        }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard fields.count == 2, pageSize > 0 else { return nil }
        return (fields[0] * pageSize, fields[1] * pageSize)
    }
    #endif
}
