import Foundation

/// One data series of a chart: points (xs[i], ys[i]) and an optional legend label.
public struct ChartSeries {
    public var label: String?
    public var xs: [Double]
    public var ys: [Double]

    public init(label: String? = nil, xs: [Double], ys: [Double]) {
        self.label = label
        self.xs = xs
        self.ys = ys
    }

    /// A series over x = 0, 1, 2, ...
    public init(label: String? = nil, ys: [Double]) {
        self.init(label: label, xs: ys.indices.map(Double.init), ys: ys)
    }
}

/// The look of a chart: plot area in character cells, title, log-scale y, colour.
public struct ChartOptions {
    public var width = 60
    public var height = 15
    public var title: String? = nil
    public var logY = false
    public var color = false

    public init(width: Int = 60, height: Int = 15, title: String? = nil, logY: Bool = false, color: Bool = false) {
        self.width = width
        self.height = height
        self.title = title
        self.logY = logY
        self.color = color
    }
}

/// Unicode charts drawn as text (docs/builtins.md § Files, pictures and data): braille line charts and
/// scatter plots (2×4 dots per character cell), block histograms, with tick-labelled axes, a title and a
/// coloured legend. Every function is pure (data in, `String` out); the built-ins print the result.
///
/// Other bindings draw through it too (schedules: `Chart.lines(series: [("ᾱ_t", t, alphaBar)])`).
public enum Chart {
    /// Series colours (Okabe–Ito, readable on dark and light backgrounds).
    public static let palette: [(UInt8, UInt8, UInt8)] = [
        (86, 180, 233), (230, 159, 0), (0, 158, 115), (204, 121, 167),
        (240, 228, 66), (213, 94, 0), (0, 114, 178), (160, 160, 160),
    ]

    /// Without colour, series after the first are drawn with these glyphs (the first keeps its
    /// braille dots), so every chart keeps its series apart; the legend shows the same glyphs.
    public static let markers: [Character] = ["•", "×", "+", "○", "◆", "▲", "□"]

    /// One character of the plot area and the series that coloured it (nil: axis colour).
    struct Cell {
        var character: Character = " "
        var series: Int? = nil
    }

    /// Line charts of several series (one colour each), as tuples for callers in other files.
    public static func lines(
        series: [(label: String, xs: [Double], ys: [Double])], width: Int = 60, height: Int = 15,
        title: String? = nil, logY: Bool = false, color: Bool = false
    ) -> String {
        lines(series.map { ChartSeries(label: $0.label, xs: $0.xs, ys: $0.ys) },
              options: ChartOptions(width: width, height: height, title: title, logY: logY, color: color))
    }

    /// The finite points of all series after the y transform (log10 for a log scale).
    static func transformed(_ series: [ChartSeries], logY: Bool) -> [[(Double, Double)]] {
        series.map { s in
            var points: [(Double, Double)] = []
            for i in 0..<Swift.min(s.xs.count, s.ys.count) {
                let x = s.xs[i]
                let y = logY ? (s.ys[i] > 0 ? log10(s.ys[i]) : .nan) : s.ys[i]
                points.append((x.isFinite && y.isFinite) ? (x, y) : (.nan, .nan))
            }
            return points
        }
    }

    /// The smallest and largest finite coordinate along one axis (nil when there is none).
    static func extent(_ points: [[(Double, Double)]], _ pick: ((Double, Double)) -> Double) -> (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for set in points { for p in set where pick(p).isFinite { lo = Swift.min(lo, pick(p)); hi = Swift.max(hi, pick(p)) } }
        return lo <= hi ? (lo, hi) : nil
    }

    /// A message chart when there is nothing to draw.
    static func empty(_ options: ChartOptions) -> String {
        (options.title.map { $0 + "\n" } ?? "") + "(no finite values to plot)\n"
    }

    /// Assembles title, y-axis labels, plot cells, x axis, x labels and legend into text.
    static func frame(
        cells: [[Cell]], x: ChartAxis, y: ChartAxis, xColumn: (Double) -> Int, yRow: (Double) -> Int,
        labels: [String?], options: ChartOptions
    ) -> String {
        let rows = cells.count, columns = cells.first?.count ?? 0
        var rowLabels = [String?](repeating: nil, count: rows)
        for (tick, text) in zip(y.ticks, y.labels) {
            let r = yRow(tick)
            if r >= 0, r < rows, rowLabels[r] == nil { rowLabels[r] = text }
        }
        let gutter = Swift.max(rowLabels.compactMap { $0?.count }.max() ?? 0, 1)
        let pad = { (s: String) in String(repeating: " ", count: Swift.max(0, gutter - s.count)) + s }
        var out = ""
        if let title = options.title, !title.isEmpty {
            let indent = gutter + 2 + Swift.max(0, (columns - title.count) / 2)
            out += String(repeating: " ", count: indent) + title + "\n"
        }
        for r in 0..<rows {
            out += pad(rowLabels[r] ?? "") + (rowLabels[r] == nil ? " │" : " ┤")
            out += render(cells[r], color: options.color, distinct: labels.count > 1) + "\n"
        }
        var axisLine = Array(String(repeating: "─", count: columns))
        var labelLine: [Character] = []
        var lastEnd = -1
        for (tick, text) in zip(x.ticks, x.labels) {
            let c = xColumn(tick)
            guard c >= 0, c < columns else { continue }
            axisLine[c] = "┬"
            let start = Swift.max(0, c - text.count / 2)
            guard start > lastEnd else { continue }
            while labelLine.count < start { labelLine.append(" ") }
            labelLine.append(contentsOf: text)
            lastEnd = labelLine.count
        }
        out += String(repeating: " ", count: gutter + 1) + "└" + String(axisLine) + "\n"
        if !labelLine.isEmpty { out += String(repeating: " ", count: gutter + 2) + String(labelLine) + "\n" }
        if !labels.isEmpty {
            var legend = String(repeating: " ", count: gutter + 2)
            for (i, label) in labels.enumerated() {
                if i > 0 { legend += "   " }
                legend += render([Cell(character: "⣿", series: i)], color: options.color, distinct: labels.count > 1)
                    + " " + (label ?? "series \(i + 1)")
            }
            out += legend + "\n"
        }
        return out
    }

    /// One row of cells, trailing blanks removed, coloured per series when `color` is on; without
    /// colour and with `distinct` series, series after the first are drawn with `markers`.
    static func render(_ row: [Cell], color: Bool, distinct: Bool = false) -> String {
        var end = row.count
        while end > 0, row[end - 1].character == " " { end -= 1 }
        var text = ""
        var current: Int? = nil
        for cell in row[..<end] {
            if color, cell.character != " ", cell.series != current {
                if let s = cell.series {
                    let (r, g, b) = palette[s % palette.count]
                    text += "\u{1B}[38;2;\(r);\(g);\(b)m"
                } else {
                    text += "\u{1B}[39m"
                }
                current = cell.series
            }
            if !color, distinct, let s = cell.series, s > 0, cell.character != " " {
                text.append(markers[(s - 1) % markers.count])
            } else {
                text.append(cell.character)
            }
        }
        if color, current != nil { text += "\u{1B}[0m" }
        return text
    }
}
