/// Text with some characters written as escapes: each format's escapes in one table, read by one
/// loop. Escapes apply to Unicode scalars, so a combining mark after `<` or `"` cannot hide it.
public enum EscapedText {
    /// `text` with every scalar that `table` names replaced by its escape, and every other scalar
    /// below U+0020 by `control` when one is given.
    public static func escape(_ text: String, _ table: [Unicode.Scalar: String],
                              control: ((Unicode.Scalar) -> String)? = nil) -> String {
        guard text.unicodeScalars.contains(where: { table[$0] != nil || (control != nil && $0.value < 0x20) }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if let escaped = table[scalar] {
                out += escaped
            } else if let control, scalar.value < 0x20 {
                out += control(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// JSON's escapes as serde_json writes them; other control characters take `jsonControl`.
    public static let json: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u{08}": "\\b", "\u{0C}": "\\f",
    ]

    /// `\u00XX`: a control character JSON has no short escape for.
    public static func jsonControl(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// The escapes a dscript string literal reads (`{` and `}` open and close interpolations).
    public static let dscript: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "{": "\\{", "}": "\\}",
    ]

    /// HTML, SVG and XML entities for `&`, `<`, `>`, `"` and `'`.
    public static let markup: [Unicode.Scalar: String] = [
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;",
    ]
}
