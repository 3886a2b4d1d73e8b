#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSLimits

/// Where text goes: standard output or error, or a string in tests.
public protocol TextSink: AnyObject {
    func write(_ text: String)
    func flush()
}

/// A buffered file descriptor (standard output or error).
public final class FileSink: TextSink {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let limit: Int

    public init(descriptor: Int32, bufferLimit: Int = 1 << 14) {
        self.descriptor = descriptor
        self.limit = bufferLimit
        buffer.reserveCapacity(bufferLimit)
    }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { flush() }
    }

    public func flush() {
        _ = FileDescriptorIO.writeAll(buffer, to: descriptor)   // nowhere to report a failed write
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Collects text in memory (tests, `:time`).
public final class StringSink: TextSink {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
    public func flush() {}
    public func clear() { text = "" }
}

public enum StandardStreams {
    public static let output = FileSink(descriptor: 1)
    /// Standard error is written unbuffered in spirit: callers flush after each message.
    public static let error = FileSink(descriptor: 2, bufferLimit: 1)
}
