#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if os(Linux)
import CSystem
#endif

/// The memory a process holds, as the budget counts it.
public struct MemoryUsage: Equatable {
    /// Bytes the heap has handed out and not had back (glibc's `mallinfo2`: `uordblks + hblkhd`):
    /// the lists, strings, dicts and tensors that are alive, whatever glibc keeps of freed blocks
    /// (the engine asks it to keep up to 1 GiB) and whether their pages are resident yet.
    public var heapInUse: Int
    /// Mapped bytes (`/proc/self/statm`, what `ulimit -v` limits) less the heap's free bytes, which
    /// glibc hands out again before it maps more.
    public var addressSpace: Int

    /// This process now; nil where it cannot be measured (the budget then only caps single objects).
    public static func current() -> MemoryUsage? {
        #if os(Linux)
        guard let size = mappedBytes() else { return nil }
        let heap = mallinfo2()
        let inUse = sanitizerAllocatedBytes.map { Int($0()) } ?? Int(heap.uordblks) + Int(heap.hblkhd)
        return MemoryUsage(heapInUse: inUse, addressSpace: Swift.max(size - Int(heap.fordblks), 0))
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// Under AddressSanitizer or ThreadSanitizer (scripts/fuzz, scripts/sanitize), the sanitizer's
    /// allocator serves malloc and glibc's statistics stay empty: its own count is used instead.
    private static let sanitizerAllocatedBytes: (@convention(c) () -> Int)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__sanitizer_get_current_allocated_bytes") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int).self)
    }()

    /// The process's mapped bytes: the first field of `/proc/self/statm` (in pages).
    static func mappedBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        guard let field = buffer[..<n].split(separator: UInt8(ascii: " ")).first,
              let pages = Int(String(decoding: field, as: UTF8.self)) else { return nil }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pageSize > 0 ? pages * pageSize : nil
    }
    #endif
}
