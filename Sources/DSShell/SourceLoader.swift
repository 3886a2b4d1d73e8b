#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSLanguage

/// A program that could not be read: a missing, unreadable or binary file. The message names the file.
struct SourceLoadError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Reads programs from files and standard input, refusing what is not UTF-8 text.
enum SourceLoader {
    /// The largest program read (a guard against reading a disk image by mistake).
    static let maximumSize = 64 << 20

    /// Reads the program at `path`; the source is named after the path.
    static func load(path: String) throws -> Source {
        switch System.kind(of: path) {
        case .missing:
            throw SourceLoadError(message: "\(path): no such file")
        case .directory:
            throw SourceLoadError(message: "\(path): is a directory, not a script")
        case .file, .other:
            break
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SourceLoadError(message: "\(path): cannot open (\(System.errorText(errno)))")
        }
        defer { close(descriptor) }
        let bytes = try readAll(descriptor, name: path)
        return Source(name: path, text: try decode(bytes, name: path))
    }

    /// Reads the whole of standard input as a program named `<stdin>`.
    static func loadStandardInput() throws -> Source {
        let bytes = try readAll(0, name: "<stdin>")
        return Source(name: "<stdin>", text: try decode(bytes, name: "<stdin>"))
    }

    static func readAll(_ descriptor: Int32, name: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw SourceLoadError(message: "\(name): cannot read (\(System.errorText(errno)))")
            }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maximumSize {
                throw SourceLoadError(message: "\(name): too large for a script (over \(maximumSize >> 20) MiB)")
            }
        }
        return bytes
    }

    /// The text of `bytes` (without a leading byte-order mark), or an error naming the line of the
    /// first byte that is not UTF-8.
    static func decode(_ bytes: [UInt8], name: String) throws -> String {
        let body = bytes[...]
        if isValidUTF8(body) {
            let text = Source.droppingByteOrderMark(String(decoding: body, as: UTF8.self))
            if text.utf8.contains(0) {
                throw SourceLoadError(message: "\(name): contains NUL bytes; not a text file")
            }
            return text
        }
        // Find where it breaks, for the message.
        var line = 1
        var start = body.startIndex
        for (index, byte) in zip(body.indices, body) where byte == UInt8(ascii: "\n") {
            if !isValidUTF8(body[start...index]) { break }
            line += 1
            start = index + 1
        }
        throw SourceLoadError(message: "\(name):\(line): not valid UTF-8 text")
    }

    /// True when `bytes` is well-formed UTF-8.
    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
