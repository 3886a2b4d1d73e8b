import DSLimits

/// A table of text cells that prints as aligned columns on a terminal and as an HTML `<table>` in a
/// notebook, both from the same cells (`stats`, `diff`, `table`, `lessons`, `check`, `explain`).
///
/// Text: cells padded to their column's width, two spaces apart, text columns left-aligned and
/// number columns right-aligned, no trailing spaces. HTML: a header row, the same alignment, every
/// cell escaped; notes become rows that span the table and the footer a `<tfoot>`.
public struct TextTable: Equatable {
    public enum Row: Equatable {
        case cells([String])
        /// A line of its own between rows (a group's subtotal), outside the columns' widths.
        case note(String)
    }

    public var header: [String]
    public var rows: [Row]
    /// The first `leftAligned` columns hold text (aligned left); the others numbers (aligned right).
    public var leftAligned: Int
    /// Lines after the table (totals, what was left out).
    public var footer: [String]
    /// Text before every terminal line.
    public var indent: String
    /// Whether the terminal shows the header row; the HTML always does.
    public var headerInText: Bool

    public init(header: [String], rows: [Row], leftAligned: Int, footer: [String] = [], indent: String = "",
                headerInText: Bool = true) {
        (self.header, self.rows, self.leftAligned, self.footer) = (header, rows, leftAligned, footer)
        (self.indent, self.headerInText) = (indent, headerInText)
    }

    /// A table without notes: one row of cells per element of `cells`.
    public init(header: [String], cells: [[String]], leftAligned: Int, footer: [String] = [], indent: String = "",
                headerInText: Bool = true) {
        self.init(header: header, rows: cells.map { .cells($0) }, leftAligned: leftAligned, footer: footer,
                  indent: indent, headerInText: headerInText)
    }

    // MARK: Text

    /// The lines as a terminal shows them, each ending in a newline.
    public func text() -> String {
        var widths = header.map { headerInText ? $0.count : 0 }
        for case .cells(let cells) in rows {
            for (i, c) in cells.enumerated() where i < widths.count { widths[i] = Swift.max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = indent + cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: Swift.max(0, (i < widths.count ? widths[i] : 0) - c.count))
                return i < leftAligned ? c + pad : pad + c
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = headerInText ? [line(header)] : []
        for row in rows {
            switch row {
            case .cells(let cells): lines.append(line(cells))
            case .note(let note): lines.append(indent + note)
            }
        }
        return (lines + footer.map { indent + $0 }).map { $0 + "\n" }.joined()
    }

    // MARK: HTML

    /// An HTML fragment: the `<table>` and nothing else (no scripts, no style sheet).
    public func html() -> String {
        func cell(_ tag: String, _ i: Int, _ text: String) -> String {
            "<\(tag) style=\"text-align:\(i < leftAligned ? "left" : "right")\">\(Markup.escape(text))</\(tag)>"
        }
        func spanning(_ text: String) -> String {
            "<tr><td colspan=\"\(Swift.max(1, header.count))\" style=\"text-align:left\">\(Markup.escape(text))</td></tr>\n"
        }
        var out = "<table style=\"font-variant-numeric:tabular-nums\">\n<thead><tr>"
            + header.enumerated().map { cell("th", $0, $1) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            switch row {
            case .cells(let cells): out += "<tr>" + cells.enumerated().map { cell("td", $0, $1) }.joined() + "</tr>\n"
            case .note(let note): out += spanning(note)
            }
        }
        out += "</tbody>\n"
        if !footer.isEmpty { out += "<tfoot>\n" + footer.map(spanning).joined() + "</tfoot>\n" }
        return out + "</table>\n"
    }
}

/// Text made safe to place in HTML, SVG or XML: `&`, `<`, `>`, `"` and `'` as entities.
public enum Markup {
    public static func escape(_ text: String) -> String {
        EscapedText.escape(text, EscapedText.markup)
    }
}
