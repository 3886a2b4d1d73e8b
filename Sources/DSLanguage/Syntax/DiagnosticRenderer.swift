/// The one renderer of diagnostics:
///
/// ```text
/// FILE:LINE:COL: error: MESSAGE
///     source line
///     ^~~~
/// FILE:LINE:COL: note: NOTE
///   at NAME (FILE:LINE:COL)
/// ```
enum DiagnosticRenderer {
    static let maxLineWidth = 160

    static func render(_ diagnostics: [Diagnostic], color: Bool) -> String {
        var out = ""
        for d in diagnostics { render(d, color: color, into: &out) }
        return out
    }

    static func paint(_ text: String, _ code: String, _ color: Bool) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func render(_ d: Diagnostic, color: Bool, into out: inout String) {
        let label = paint("error:", "1;31", color)
        if let span = d.span {
            out += paint("\(span):", "1", color) + " \(label) \(d.message)\n"
            out += excerpt(span, color: color)
        } else {
            out += "\(label) \(d.message)\n"
        }
        for note in d.notes {
            let noteLabel = paint("note:", "1;36", color)
            if let span = note.span, span != d.span {
                out += paint("\(span):", "1", color) + " \(noteLabel) \(note.message)\n"
                out += excerpt(span, color: color)
            } else {
                out += "\(noteLabel) \(note.message)\n"
            }
        }
        let frames = d.traceback
        let half = frames.count / 2
        for (i, f) in frames.enumerated() {
            if i == half && d.omittedFrames > 0 { out += "  ... \(d.omittedFrames) more calls ...\n" }
            out += "  at \(f.function) (\(f.span))\n"
        }
    }

    /// The source line (a window of it when long) and a caret line under the span.
    static func excerpt(_ span: SourceSpan, color: Bool) -> String {
        let source = span.source
        guard span.line >= 1, span.line <= source.lineStarts.count else { return "" }
        let bytes = source.bytes
        let lineStart = source.lineStarts[span.line - 1]
        var lineEnd = span.line < source.lineStarts.count ? source.lineStarts[span.line] - 1 : bytes.count
        if lineEnd > lineStart, bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
        let caretStart = min(max(span.start, lineStart), lineEnd)
        let caretEnd = min(max(span.end, caretStart), lineEnd)

        // Characters (not bytes) from the line start to the caret, and under the span.
        func characters(_ a: Int, _ b: Int) -> Int {
            var n = 0
            var i = a
            while i < b {
                if bytes[i] & 0xC0 != 0x80 { n += 1 }
                i += 1
            }
            return n
        }
        var windowStart = lineStart
        var prefix = ""
        if caretStart - lineStart > maxLineWidth / 2 {
            windowStart = caretStart - maxLineWidth / 2
            while windowStart < caretStart, bytes[windowStart] & 0xC0 == 0x80 { windowStart += 1 }
            prefix = "..."
        }
        var windowEnd = min(lineEnd, windowStart + maxLineWidth)
        while windowEnd < lineEnd, bytes[windowEnd] & 0xC0 == 0x80 { windowEnd += 1 }
        let suffix = windowEnd < lineEnd ? "..." : ""
        let text = prefix + String(decoding: bytes[windowStart..<windowEnd], as: UTF8.self) + suffix

        var caret = prefix.isEmpty ? "" : "   "
        var i = windowStart
        while i < caretStart {
            if bytes[i] & 0xC0 != 0x80 { caret += bytes[i] == 9 ? "\t" : " " }
            i += 1
        }
        let width = max(1, min(characters(caretStart, min(caretEnd, windowEnd)), maxLineWidth))
        let marks = "^" + String(repeating: "~", count: width - 1)
        return text + "\n" + caret + paint(marks, "1;32", color) + "\n"
    }
}
