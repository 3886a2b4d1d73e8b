import CJupyterWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the kernel's set-up (connection file, sockets, libraries); printed, exit status 1.
struct KernelError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A ZeroMQ context and its sockets. All of them are used by one thread, the kernel's I/O thread.
final class WireContext {
    let handle: UnsafeMutableRawPointer

    init() throws {
        try WireContext.openLibraries()
        guard let handle = jw_context_new() else { throw KernelError("cannot start ZeroMQ: \(WireSocket.lastError)") }
        self.handle = handle
    }

    func terminate() { jw_context_term(handle) }

    /// Opens libzmq and libcrypto (once).
    static func openLibraries() throws {
        var error = [CChar](repeating: 0, count: 512)
        guard jw_open(&error, error.count) == 0 else {
            throw KernelError(String(decoding: error.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}

/// One bound ZeroMQ socket of the kernel (shell, control, stdin, iopub or heartbeat).
final class WireSocket {
    enum Kind: Int32 {
        case publisher = 1, reply = 4, router = 6
    }

    let handle: UnsafeMutableRawPointer
    let name: String

    init(_ context: WireContext, _ kind: Kind, endpoint: String, name: String) throws {
        guard let handle = jw_socket(context.handle, kind.rawValue) else {
            throw KernelError("cannot make the \(name) socket: \(WireSocket.lastError)")
        }
        guard jw_bind(handle, endpoint) == 0 else {
            let reason = WireSocket.lastError
            jw_close(handle)
            throw KernelError("cannot bind the \(name) socket to \(endpoint): \(reason)")
        }
        self.handle = handle
        self.name = name
    }

    static var lastError: String { String(cString: jw_error()) }

    /// Sends a multipart message; false when ZeroMQ refused a frame.
    @discardableResult
    func send(_ frames: [[UInt8]]) -> Bool {
        for (i, frame) in frames.enumerated() {
            let status = frame.withUnsafeBytes { jw_send(handle, $0.baseAddress, $0.count, i + 1 < frames.count ? 1 : 0) }
            if status != 0 { return false }
        }
        return true
    }

    /// Receives one multipart message (blocking); nil on an error.
    func receive() -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        while true {
            var message = jw_message()
            let size = jw_receive(handle, &message)
            guard size >= 0 else { return nil }
            let bytes = jw_message_data(&message).map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            frames.append(bytes)
            let more = jw_message_more(&message) != 0
            jw_message_close(&message)
            if !more { return frames }
        }
    }

    func close() { jw_close(handle) }
}

/// Waits until some of `sockets` (or the descriptor `wake`) can be read; their indices (the
/// descriptor's is `sockets.count`). Empty after `timeout` milliseconds or an interrupted wait.
func pollReadable(_ sockets: [WireSocket], wake: Int32, timeout: Int) -> [Int] {
    var items = sockets.map { jw_poll_item(socket: $0.handle, fd: 0, events: Int16(JW_POLLIN), revents: 0) }
    items.append(jw_poll_item(socket: nil, fd: wake, events: Int16(JW_POLLIN), revents: 0))
    guard jw_poll(&items, Int32(items.count), timeout) > 0 else { return [] }
    return items.indices.filter { items[$0].revents & Int16(JW_POLLIN) != 0 }
}

/// HMAC-SHA256 of `parts` (joined) under `key`, in lower-case hex.
func hmacSHA256Hex(key: [UInt8], parts: [[UInt8]]) -> String {
    guard (try? WireContext.openLibraries()) != nil else { return "" }
    let data = Array(parts.joined())
    var digest = [UInt8](repeating: 0, count: 32)
    let status = key.withUnsafeBytes { k in
        data.withUnsafeBytes { d in jw_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, &digest) }
    }
    guard status == 0 else { return "" }
    let hex = Array("0123456789abcdef".utf8)
    return String(decoding: digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }, as: UTF8.self)
}
