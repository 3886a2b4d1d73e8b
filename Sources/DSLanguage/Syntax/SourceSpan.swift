/// A piece of source text that a diagnostic can point at.
public final class Source {
    /// The name shown in messages: a path, `<repl>`, `<stdin>` or `-e`.
    public let name: String
    public let text: String
    /// The UTF-8 bytes of `text`, which the lexer scans.
    public let bytes: [UInt8]
    /// Byte offset where each line starts.
    public let lineStarts: [Int]

    /// `text` is the program without a leading byte-order mark (see `droppingByteOrderMark`).
    public init(name: String, text: String) {
        self.name = name
        let text = Source.droppingByteOrderMark(text)
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// `text` without a leading U+FEFF, the UTF-8 byte-order mark some editors write first: a program
    /// may start with one however it arrives (file, -e, standard input, notebook cell, module), as in
    /// Python. Anywhere else it stays an unexpected character.
    public static func droppingByteOrderMark(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }

    /// The text of 1-based line `line`, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

/// A location in a `Source`: 1-based line and column (columns count characters, not bytes), and
/// the byte range it covers.
public struct SourceSpan: Equatable, CustomStringConvertible {
    public let source: Source
    public let line: Int
    public let column: Int
    public let start: Int
    public let end: Int

    public init(source: Source, line: Int, column: Int, start: Int, end: Int) {
        self.source = source
        self.line = line
        self.column = column
        self.start = start
        self.end = end
    }

    /// `FILE:LINE:COL`
    public var description: String { "\(source.name):\(line):\(column)" }

    public static func == (a: SourceSpan, b: SourceSpan) -> Bool {
        a.source === b.source && a.start == b.start && a.end == b.end
    }
}
