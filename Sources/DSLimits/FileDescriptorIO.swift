#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole buffers written to a file descriptor: the one loop behind buffered standard output and the
/// atomic file writer.
public enum FileDescriptorIO {
    /// Writes every byte of `bytes` to `descriptor`, going on after partial writes and interrupted
    /// calls (EINTR). Returns nil when all were written, else the error code: `errno`, or EIO for a
    /// write that wrote nothing.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            offset += n
        }
        return nil
    }
}
