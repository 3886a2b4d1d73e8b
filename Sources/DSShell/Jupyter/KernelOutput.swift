import DSEngine
import DSLanguage

/// Standard output or error of the kernel's interpreter, sent as `stream` messages: at a line end
/// when 50 ms have passed since the last one (a training loop's prints show while it runs), when
/// 64 KiB are waiting, and when flushed (the end of a cell, before a picture).
final class KernelStream: TextSink {
    let name: String
    weak var kernel: JupyterKernel?
    private var buffer = ""
    private var lastSent = 0.0
    static let interval = 0.05
    static let limit = 1 << 16

    init(name: String) { self.name = name }

    func write(_ text: String) {
        buffer += text
        if buffer.utf8.count >= Self.limit
            || (text.utf8.contains(UInt8(ascii: "\n")) && System.monotonicSeconds() - lastSent >= Self.interval) {
            flush()
        }
    }

    func flush() {
        guard !buffer.isEmpty, let kernel else { return }
        kernel.publish("stream", ["name": .string(name), "text": .string(buffer)])
        buffer = ""
        lastSent = System.monotonicSeconds()
    }
}

extension JupyterKernel {
    /// Lets pictures, charts, tables and progress bars reach the notebook as `display_data` (PNG, SVG,
    /// HTML) and `update_display_data` (a progress bar redrawn in place, a table of checks grown).
    func installRichOutput() {
        let rich = interpreter.context.state(RichOutput.self) { RichOutput() }
        rich.show = { [weak self] bundle, displayID, update in
            guard let self else { return }
            standardOutput.flush()
            standardError.flush()
            var data: [(key: String, value: JSONValue)] = []
            for (mime, item) in bundle {
                switch item {
                case .text(let text): data.append((mime, .string(text)))
                case .bytes(let bytes): data.append((mime, .string(base64(bytes))))
                }
            }
            var content: [(key: String, value: JSONValue)] = [("data", .object(data)), ("metadata", [:])]
            if let displayID { content.append(("transient", ["display_id": .string(session + "-" + displayID)])) }
            publish(update ? "update_display_data" : "display_data", .object(content))
        }
        rich.isLast = { [weak self] displayID in
            guard let self else { return false }
            standardOutput.flush()
            standardError.flush()
            return lastDisplayID == session + "-" + displayID
        }
    }
}

/// `bytes` in base64 (RFC 4648, with padding).
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
        let n = min(3, bytes.count - i)
        let b0 = UInt32(bytes[i]), b1 = n > 1 ? UInt32(bytes[i + 1]) : 0, b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
        let triple = b0 << 16 | b1 << 8 | b2
        for k in 0..<4 {
            out.append(k <= n ? alphabet[Int(triple >> UInt32(18 - 6 * k) & 63)] : UInt8(ascii: "="))
        }
        i += 3
    }
    return String(decoding: out, as: UTF8.self)
}
