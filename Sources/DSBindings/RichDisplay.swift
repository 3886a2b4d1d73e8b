import DSDiffusion
import DSEngine
import DSLanguage
import DSRender

/// Pictures, charts and tables for front ends with rich output (a Jupyter notebook, see `RichOutput`):
/// images as PNG, charts as SVG, tables as HTML, each with its terminal text (without colour) as
/// `text/plain`.
enum RichDisplay {
    /// The smallest width, in pixels, an image grid is enlarged to (by whole factors, up to 8) so
    /// that 28×28 digits do not show as specks.
    static let minimumPictureWidth = 256

    /// Shows `picture` as PNG, enlarged `scale` times (nil: towards `minimumPictureWidth`); false
    /// when there is no rich output.
    static func picture(_ picture: PixelImage, scale: Int? = nil, context: CallContext) throws -> Bool {
        guard let rich = RichOutput.of(context) else { return false }
        let automatic = Swift.max(1, Swift.min(8, minimumPictureWidth / Swift.max(1, picture.width)))
        let factor = Swift.max(1, Swift.min(16, scale ?? automatic))
        let shown = factor > 1 ? ImageGrid.upscale(picture, by: factor) : picture
        let png = try PNGCodec.encode(shown)
        rich.show?([("image/png", .bytes(png)), ("text/plain", .text("<image \(picture.width)×\(picture.height)>"))], nil, false)
        return true
    }

    /// Shows a chart as SVG (with `text()` as its plain form); false when there is no rich output.
    static func chart(
        _ series: [ChartSeries], kind: Chart.SVGKind, options: ChartOptions, bins: Int = 20, text: (ChartOptions) -> String,
        context: CallContext
    ) -> Bool {
        guard let rich = RichOutput.of(context) else { return false }
        var plain = options
        plain.color = false
        let svg = Chart.svg(series, kind: kind, options: options, bins: bins)
        rich.show?([("image/svg+xml", .text(svg)), ("text/plain", .text(text(plain)))], nil, false)
        return true
    }

    /// Writes `table`'s text, or in a notebook shows it as HTML with that text as its plain form.
    static func table(_ table: TextTable, context: CallContext) {
        show(text: table.text(), html: { table.html() }, context: context)
    }

    /// Writes `text`, or in a notebook shows `html()` with `text` (exactly as printed) as its plain form.
    static func show(text: String, html: () -> String, context: CallContext) {
        guard let rich = RichOutput.of(context) else { return context.write(text) }
        rich.show?([("text/html", .text(html())), ("text/plain", .text(text))], nil, false)
    }

    /// `explain`'s text, or in a notebook its heading, a table of the quantities and the updates.
    static func explanation(_ e: Explanation, context: CallContext) {
        show(text: e.text + "\n", html: {
            let remarks = e.quantities.contains { !$0.remark.isEmpty }
            let table = TextTable(header: ["quantity", "value"] + (remarks ? ["note"] : []), cells: e.quantities.map {
                [$0.name, Teaching.number($0.value)] + (remarks ? [$0.remark] : [])
            }, leftAligned: 1)
            return "<div>\n<p>" + Markup.escape(e.heading) + "</p>\n" + table.html()
                + "<pre>" + Markup.escape(e.updates.joined(separator: "\n")) + "</pre>\n</div>\n"
        }, context: context)
    }

    /// Prints a check's line; in a notebook, adds it to the table of the checks just before it
    /// (nothing shown or printed between them), or starts a new table.
    static func check(_ row: CheckRow, context: CallContext) {
        guard let rich = RichOutput.of(context) else { return context.write(row.text) }
        let run = context.state(CheckRun.self) { CheckRun() }
        let continues = run.displayID.map { rich.isLast?($0) ?? false } ?? false
        if !continues { (run.displayID, run.rows) = (rich.newDisplayID(), []) }
        run.rows.append(row)
        rich.show?([("text/html", .text(CheckRow.table(run.rows).html())),
                    ("text/plain", .text(run.rows.map(\.text).joined()))], run.displayID, continues)
    }
}

/// The checks shown last in a notebook, as one table that grows in place.
final class CheckRun {
    var displayID: String?
    var rows: [CheckRow] = []
}
