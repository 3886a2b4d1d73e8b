import DSLimits
import Foundation

/// The same charts as SVG documents, for `save_svg`: one polyline (or dots, or bars) per series,
/// axes with the nice ticks of the terminal charts, a title and a legend.
extension Chart {
    /// What an SVG chart draws.
    public enum SVGKind: String {
        case line, scatter, hist
    }

    static func coordinate(_ v: Double) -> String { NumberText.printf("%.2f", v) }

    static func rgb(_ series: Int) -> String {
        let (r, g, b) = palette[series % palette.count]
        return "rgb(\(r),\(g),\(b))"
    }

    /// An SVG chart `width` × `height` pixels. For `.hist` the first series' ys are the values
    /// and `bins` sets the bin count.
    public static func svg(
        _ series: [ChartSeries], kind: SVGKind, options: ChartOptions = ChartOptions(),
        width: Int = 640, height: Int = 400, bins: Int = 20
    ) -> String {
        let (left, right, top, bottom) = (64.0, 24.0, 36.0, 44.0)
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        var body = ""
        let x: ChartAxis, y: ChartAxis
        if kind == .hist {
            let values = (series.first?.ys ?? []).filter { $0.isFinite }
            guard var lo = values.min(), var hi = values.max() else { return emptySVG(width, height, options) }
            if hi <= lo { lo -= 0.5; hi += 0.5 }
            let counts = binCounts(values, bins: bins, lo: lo, hi: hi)
            x = ChartAxis.make(lo, hi, count: 7, extend: false)
            y = ChartAxis.make(0, Double(counts.max() ?? 1), count: 5, extend: true)
            let barWidth = plotWidth / Double(counts.count)
            for (i, c) in counts.enumerated() where c > 0 {
                let h = y.fraction(Double(c)) * plotHeight
                body += "<rect x=\"\(coordinate(left + Double(i) * barWidth))\" y=\"\(coordinate(top + plotHeight - h))\" "
                    + "width=\"\(coordinate(barWidth * 0.95))\" height=\"\(coordinate(h))\" fill=\"\(rgb(0))\"/>\n"
            }
        } else {
            let points = transformed(series, logY: options.logY)
            guard let xr = extent(points, { $0.0 }), let yr = extent(points, { $0.1 }) else { return emptySVG(width, height, options) }
            x = ChartAxis.make(xr.0, xr.1, count: 7, extend: false)
            y = ChartAxis.make(yr.0, yr.1, count: 6, extend: false, log: options.logY)
            let px = { (v: Double) in left + x.fraction(v) * plotWidth }
            let py = { (v: Double) in top + (1 - y.fraction(v)) * plotHeight }
            for (s, set) in points.enumerated() {
                if kind == .scatter {
                    for p in set where p.0.isFinite {
                        body += "<circle cx=\"\(coordinate(px(p.0)))\" cy=\"\(coordinate(py(p.1)))\" r=\"2\" fill=\"\(rgb(s))\"/>\n"
                    }
                    continue
                }
                var run: [String] = []
                func flush() {
                    if run.count > 1 {
                        body += "<polyline fill=\"none\" stroke=\"\(rgb(s))\" stroke-width=\"1.5\" points=\"\(run.joined(separator: " "))\"/>\n"
                    }
                    run = []
                }
                for p in set {
                    if p.0.isFinite { run.append("\(coordinate(px(p.0))),\(coordinate(py(p.1)))") } else { flush() }
                }
                flush()
            }
        }
        var axes = "<rect x=\"\(coordinate(left))\" y=\"\(coordinate(top))\" width=\"\(coordinate(plotWidth))\" height=\"\(coordinate(plotHeight))\" fill=\"none\" stroke=\"#888\"/>\n"
        for (tick, label) in zip(x.ticks, x.labels) {
            let tx = coordinate(left + x.fraction(tick) * plotWidth), base = top + plotHeight
            axes += "<line x1=\"\(tx)\" y1=\"\(coordinate(base))\" x2=\"\(tx)\" y2=\"\(coordinate(base + 5))\" stroke=\"#888\"/>"
            axes += "<text x=\"\(tx)\" y=\"\(coordinate(base + 18))\" text-anchor=\"middle\">\(Markup.escape(label))</text>\n"
        }
        for (tick, label) in zip(y.ticks, y.labels) {
            let ty = top + (1 - y.fraction(tick)) * plotHeight
            axes += "<line x1=\"\(coordinate(left - 5))\" y1=\"\(coordinate(ty))\" x2=\"\(coordinate(left))\" y2=\"\(coordinate(ty))\" stroke=\"#888\"/>"
            axes += "<text x=\"\(coordinate(left - 8))\" y=\"\(coordinate(ty + 4))\" text-anchor=\"end\">\(Markup.escape(label))</text>\n"
        }
        if let title = options.title, !title.isEmpty {
            axes += "<text x=\"\(coordinate(Double(width) / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Markup.escape(title))</text>\n"
        }
        let labelled = kind != .hist && (series.count > 1 || series.contains { $0.label != nil })
        if labelled {
            for (i, s) in series.enumerated() {
                let ly = top + 14 + Double(i) * 16
                axes += "<rect x=\"\(coordinate(left + plotWidth - 120))\" y=\"\(coordinate(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(rgb(i))\"/>"
                axes += "<text x=\"\(coordinate(left + plotWidth - 104))\" y=\"\(coordinate(ly))\">\(Markup.escape(s.label ?? "series \(i + 1)"))</text>\n"
            }
        }
        return header(width, height) + axes + body + "</svg>\n"
    }

    static func header(_ width: Int, _ height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    }

    static func emptySVG(_ width: Int, _ height: Int, _ options: ChartOptions) -> String {
        header(width, height) + "<text x=\"20\" y=\"30\">\(Markup.escape(options.title ?? "")) (no finite values to plot)</text>\n</svg>\n"
    }
}
