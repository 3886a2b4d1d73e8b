/// Tensors for a notebook: a line with the shape and dtype over the numbers of `TensorFormatter`
/// (the same number format and elisions as the text), as a table with row and column indices
/// when the tensor has two dimensions, in a `<pre>` block otherwise.
extension TensorFormatter {
    public static func html(shape: [Int], scalars: [Float], requiresGrad: Bool = false) -> String {
        let formatter = TensorFormatter(shape: shape, scalars: scalars)
        var about = "tensor · shape " + formatShape(shape) + " · float32"
        if requiresGrad { about += " · requires_grad" }
        if formatter.summarize { about += " · \(scalars.count) values, summarised" }
        let heading = "<div style=\"font-family:monospace;opacity:0.7\">" + Markup.escape(about) + "</div>\n"
        guard shape.count == 2 else {
            return "<div>\n" + heading + "<pre>" + Markup.escape(formatter.body(indent: 0)) + "</pre>\n</div>\n"
        }
        return "<div>\n" + heading + formatter.table().html() + "</div>\n"
    }

    /// A matrix as a table: the row index, then the shown entries (`…` where rows or columns are elided).
    func table() -> TextTable {
        let rows = shownIndices(shape[0]), columns = shownIndices(shape[1])
        func elided(_ shown: [Int]) -> [Int?] {
            var out: [Int?] = []
            for (k, i) in shown.enumerated() {
                if k > 0, i != shown[k - 1] + 1 { out.append(nil) }
                out.append(i)
            }
            return out
        }
        let header = [""] + elided(columns).map { $0.map(String.init) ?? "…" }
        let cells = elided(rows).map { row -> [String] in
            guard let row else { return ["…"] + elided(columns).map { _ in "…" } }
            return [String(row)] + elided(columns).map { column in
                column.map { format(scalars[row * shape[1] + $0]).drop { $0 == " " } }.map(String.init) ?? "…"
            }
        }
        return TextTable(header: header, cells: cells, leftAligned: 0)
    }
}
