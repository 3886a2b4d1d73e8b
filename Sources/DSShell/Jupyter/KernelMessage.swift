import DSEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection file Jupyter writes for a kernel: where to bind and how to sign.
struct KernelConnection {
    var transport = "tcp"
    var ip = "127.0.0.1"
    var ports: [String: Int] = [:]
    var key: [UInt8] = []

    static let channels = ["shell", "iopub", "stdin", "control", "hb"]

    /// Reads and checks a connection file.
    static func load(path: String) throws -> KernelConnection {
        guard let bytes = readWholeFile(path) else { throw KernelError("cannot read the connection file \(path)") }
        let json: JSONValue
        do { json = try StrictJSONParser.parse(bytes) } catch {
            throw KernelError("\(path) is not a JSON connection file: \(error)")
        }
        var connection = KernelConnection()
        connection.transport = json["transport"]?.string ?? "tcp"
        connection.ip = json["ip"]?.string ?? "127.0.0.1"
        guard connection.transport == "tcp" || connection.transport == "ipc" else {
            throw KernelError("\(path): unknown transport '\(connection.transport)' (tcp or ipc)")
        }
        for channel in channels {
            guard let port = json[channel + "_port"]?.integer, (0...65535).contains(port) else {
                throw KernelError("\(path): no valid \(channel)_port")
            }
            connection.ports[channel] = port
        }
        let scheme = json["signature_scheme"]?.string ?? "hmac-sha256"
        guard scheme == "hmac-sha256" else { throw KernelError("\(path): signature scheme '\(scheme)' is not hmac-sha256") }
        connection.key = Array((json["key"]?.string ?? "").utf8)
        return connection
    }

    /// `tcp://127.0.0.1:PORT`, or `ipc://IP-PORT` for the ipc transport (as jupyter_client names it).
    func endpoint(_ channel: String) -> String {
        let port = ports[channel] ?? 0
        return transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}

/// One message of the Jupyter messaging protocol (version 5.3).
struct KernelMessage {
    /// ZeroMQ routing identities (the client's, on shell and control; the topic, on iopub).
    var identities: [[UInt8]]
    var header: JSONValue
    var parentHeader: JSONValue
    var metadata: JSONValue
    var content: JSONValue

    static let delimiter = Array("<IDS|MSG>".utf8)
    static let protocolVersion = "5.3"

    var type: String { header["msg_type"]?.string ?? "" }

    /// Decodes the frames of a received message; nil when they are malformed or wrongly signed.
    static func decode(_ frames: [[UInt8]], key: [UInt8]) -> KernelMessage? {
        guard let split = frames.firstIndex(of: delimiter), frames.count >= split + 6 else { return nil }
        let parts = Array(frames[(split + 2)...(split + 5)])
        if !key.isEmpty {
            let expected = Array(hmacSHA256Hex(key: key, parts: parts).utf8)
            guard constantTimeEqual(expected, frames[split + 1]) else { return nil }
        }
        guard let header = try? StrictJSONParser.parse(parts[0]), let parent = try? StrictJSONParser.parse(parts[1]),
              let metadata = try? StrictJSONParser.parse(parts[2]), let content = try? StrictJSONParser.parse(parts[3])
        else { return nil }
        return KernelMessage(identities: Array(frames[..<split]), header: header, parentHeader: parent,
                             metadata: metadata, content: content)
    }

    /// The frames to send, signed with `key`.
    func encode(key: [UInt8]) -> [[UInt8]] {
        let parts = [header, parentHeader, metadata, content].map { Array($0.text.utf8) }
        let signature = key.isEmpty ? "" : hmacSHA256Hex(key: key, parts: parts)
        return identities + [Self.delimiter, Array(signature.utf8)] + parts
    }

    /// A new header of type `type` in `session`.
    static func header(type: String, session: String) -> JSONValue {
        .object([
            ("msg_id", .string(randomIdentifier())), ("session", .string(session)), ("username", .string("dscript")),
            ("date", .string(timestamp())), ("msg_type", .string(type)), ("version", .string(protocolVersion)),
        ])
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// 32 random hex digits (a UUID's worth).
    static func randomIdentifier() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<32).map { _ in hex[Int(generator.next() % 16)] }, as: UTF8.self)
    }

    /// The current time in ISO 8601 (UTC, microseconds), as Jupyter's headers carry it.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let micro = String(Int(now.tv_nsec) / 1000)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(String(repeating: "0", count: 6 - micro.count))\(micro)Z"
    }
}

/// The bytes of a file, or nil.
func readWholeFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n > 0 { bytes += chunk[0..<n] }
        if n < chunk.count { break }
        if bytes.count > 1 << 20 { return nil }  // a connection file is a few hundred bytes
    }
    return bytes
}
