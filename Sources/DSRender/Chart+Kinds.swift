import Foundation

extension Chart {
    /// Clamps the requested plot size to something drawable.
    static func size(_ options: ChartOptions) -> (columns: Int, rows: Int) {
        (Swift.min(400, Swift.max(8, options.width)), Swift.min(200, Swift.max(3, options.height)))
    }

    /// A braille chart of points; `connect` joins consecutive points of each series with lines.
    static func braille(_ series: [ChartSeries], options: ChartOptions, connect: Bool) -> String {
        let points = transformed(series, logY: options.logY)
        guard let xr = extent(points, { $0.0 }), let yr = extent(points, { $0.1 }) else { return empty(options) }
        let (columns, rows) = size(options)
        let x = ChartAxis.make(xr.0, xr.1, count: Swift.max(2, columns / 10), extend: false)
        let y = ChartAxis.make(yr.0, yr.1, count: Swift.max(2, rows / 3 + 1), extend: false, log: options.logY)
        var canvas = BrailleCanvas(columns: columns, rows: rows)
        let dotX = { (v: Double) in clampedInt(x.fraction(v) * Double(canvas.dotWidth - 1)) }
        let dotY = { (v: Double) in clampedInt((1 - y.fraction(v)) * Double(canvas.dotHeight - 1)) }
        for (s, set) in points.enumerated() {
            var previous: (Int, Int)? = nil
            for p in set {
                guard p.0.isFinite else { previous = nil; continue }
                let dot = (dotX(p.0), dotY(p.1))
                if connect, let from = previous {
                    canvas.line(from.0, from.1, dot.0, dot.1, series: s)
                } else {
                    canvas.set(dot.0, dot.1, series: s)
                }
                previous = dot
            }
        }
        let labels: [String?] = series.count > 1 || series.contains { $0.label != nil } ? series.map { $0.label } : []
        return frame(cells: canvas.cells(), x: x, y: y,
                     xColumn: { dotX($0) / 2 }, yRow: { dotY($0) / 4 }, labels: labels, options: options)
    }

    /// Line chart of several series, one colour each, with a legend when there are labels or
    /// several series. Non-finite values (and non-positive ones on a log scale) break the line.
    public static func lines(_ series: [ChartSeries], options: ChartOptions = ChartOptions()) -> String {
        braille(series, options: options, connect: true)
    }

    /// Scatter plot of one or more point sets (data and samples), one colour each.
    public static func scatter(_ sets: [ChartSeries], options: ChartOptions = ChartOptions()) -> String {
        braille(sets, options: options, connect: false)
    }

    /// Eighth blocks for bar tops, from empty to full.
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The counts of `values` in `bins` equal bins over [lo, hi] (the last bin includes hi).
    public static func binCounts(_ values: [Double], bins: Int, lo: Double, hi: Double) -> [Int] {
        var counts = [Int](repeating: 0, count: Swift.max(1, bins))
        let width = (hi - lo) / Double(counts.count)
        for v in values where v.isFinite && v >= lo && v <= hi {
            let i = width > 0 ? clampedInt(((v - lo) / width).rounded(.down)) : 0
            counts[Swift.min(counts.count - 1, Swift.max(0, i))] += 1
        }
        return counts
    }

    /// Histogram with block bars: counts on the y axis, the data range on the x axis.
    public static func histogram(
        _ values: [Double], bins: Int = 20, range: (Double, Double)? = nil, options: ChartOptions = ChartOptions()
    ) -> String {
        let finite = values.filter { $0.isFinite }
        guard var (lo, hi) = range ?? finite.min().flatMap({ a in finite.max().map { (a, $0) } }) else { return empty(options) }
        if hi <= lo { lo -= 0.5; hi += 0.5 }
        let binCount = Swift.min(400, Swift.max(1, bins))
        let counts = binCounts(finite, bins: binCount, lo: lo, hi: hi)
        let (requested, rows) = size(options)
        let perBin = Swift.max(1, requested / binCount)
        let columns = perBin * binCount
        let peak = Double(counts.max() ?? 0)
        let y = ChartAxis.make(0, Swift.max(1, peak), count: Swift.max(2, rows / 3), extend: true)
        let x = ChartAxis.make(lo, hi, count: Swift.max(2, columns / 10), extend: false)
        var cells = [[Cell]](repeating: [Cell](repeating: Cell(), count: columns), count: rows)
        for (b, count) in counts.enumerated() {
            let eighths = clampedInt(Double(count) / y.hi * Double(rows * 8))
            for r in 0..<rows {
                let fill = Swift.min(8, Swift.max(0, eighths - (rows - 1 - r) * 8))
                guard fill > 0 else { continue }
                for k in 0..<perBin { cells[r][b * perBin + k] = Cell(character: blocks[fill], series: 0) }
            }
        }
        let xColumn = { (v: Double) in Swift.min(columns - 1, clampedInt((x.fraction(v) * Double(columns)).rounded(.down))) }
        let yRow = { (v: Double) in clampedInt((1 - y.fraction(v)) * Double(rows * 8 - 1)) / 8 }
        return frame(cells: cells, x: x, y: y, xColumn: xColumn, yRow: yRow, labels: [], options: options)
    }
}
