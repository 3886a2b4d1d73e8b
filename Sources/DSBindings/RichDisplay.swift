import DSEngine
import DSLanguage
import DSRender

/// Pictures and charts for front ends with rich output (a Jupyter notebook, see `RichOutput`):
/// images as PNG, charts as SVG, each with its terminal text (without colour) as `text/plain`.
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
}
