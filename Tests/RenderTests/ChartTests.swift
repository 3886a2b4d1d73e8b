import XCTest
@testable import DSRender

/// Snapshot tests: the exact text of small terminal charts, and well-formed SVG.
final class ChartTests: XCTestCase {
    func testLinePlotSnapshot() {
        let text = Chart.lines([ChartSeries(ys: [0, 1, 4, 9, 16])], options: ChartOptions(width: 10, height: 4))
        XCTAssertEqual(text, """
               │        ⢀⠎
            10 ┤       ⡰⠁
               │     ⡠⠊
             0 ┤⣀⡠⠤⠒⠉
               └┬────┬───┬
                0    2   4

            """)
    }

    /// Without colour (NO_COLOR, --no-color, output to a file) the second series is drawn with a
    /// glyph of its own, and the legend shows it; with colour both keep their braille dots.
    func testTwoSeriesWithLegendAndTitle() {
        let text = Chart.lines(series: [("up", [1, 2, 3], [1, 2, 3]), ("down", [1, 2, 3], [3, 2, 1])],
                               width: 10, height: 4, title: "cross")
        XCTAssertEqual(text, """
                 cross
            3 ┤•••     ⡠⠊
              │  •••⢀⠔⠉
            2 ┤  ⢀⡠⠒•••
            1 ┤⡠⠔⠁    •••
              └┬────┬───┬
               1    2   3
               ⣿ up   • down

            """)
        let colored = Chart.lines(series: [("up", [1, 2, 3], [1, 2, 3]), ("down", [1, 2, 3], [3, 2, 1])],
                                  width: 10, height: 4, color: true)
        XCTAssertTrue(colored.contains("\u{1B}[38;2;86;180;233m⣿\u{1B}[0m up"))
        XCTAssertTrue(colored.contains("\u{1B}[38;2;230;159;0m⣿\u{1B}[0m down"))
    }

    func testScatterSnapshot() {
        // (0, 0) → dot (0, 11): ⡀; (1, 1) → dot (10, 0): ⠁ in cell 5; (2, 0.5) → dot (19, 6): ⠠ in cell 9.
        let text = Chart.scatter([ChartSeries(xs: [0, 1, 2], ys: [0, 1, 0.5])], options: ChartOptions(width: 10, height: 3))
        XCTAssertEqual(text, """
            1 ┤     ⠁
              │         ⠠
            0 ┤⡀
              └┬────────┬
               0        2

            """)
    }

    func testHistogramSnapshot() {
        // Counts [1, 2, 3, 4] on a 0…5 axis, 4 rows of eighths: 6, 13, 19, 26 eighths tall.
        XCTAssertEqual(Chart.binCounts([1, 2, 2, 3, 3, 3, 4, 4, 4, 4], bins: 4, lo: 1, hi: 4), [1, 2, 3, 4])
        let text = Chart.histogram([1, 2, 2, 3, 3, 3, 4, 4, 4, 4], bins: 4, options: ChartOptions(width: 8, height: 4))
        XCTAssertEqual(text, """
            5 ┤      ▂▂
              │    ▃▃██
              │  ▅▅████
            0 ┤▆▆██████
              └──┬────┬
                 2    4

            """)
    }

    func testNiceTicksAndLogAxis() {
        let unit = ChartAxis.make(0, 1, count: 5, extend: false)
        XCTAssertEqual(unit.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let loose = ChartAxis.make(3, 97, count: 5, extend: true)
        XCTAssertEqual(loose.ticks, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(loose.lo, 0)
        XCTAssertEqual(ChartAxis.make(-0.003, 0.0021, count: 3, extend: false).labels, ["-0.002", "0.000", "0.002"])
        XCTAssertEqual(ChartAxis.make(0, 3e7, count: 4, extend: false).labels, ["0", "1e7", "2e7", "3e7"])
        let log = ChartAxis.make(-4, 0, count: 5, extend: false, log: true)
        XCTAssertEqual(log.labels, ["1e-4", "0.001", "0.01", "0.1", "1"])
        XCTAssertTrue(Chart.lines([ChartSeries(ys: [-1, 0])], options: ChartOptions(logY: true)).contains("no finite values"))
    }

    func testSVGChartsAreWellFormedAndEscaped() {
        let series = [ChartSeries(label: "a & <b>", xs: [0, 1, 2, .nan, 4, 5], ys: [0, 1, 0, 0, 1, 0]), ChartSeries(ys: [1, 2, 3])]
        let svg = Chart.svg(series, kind: .line, options: ChartOptions(title: "x < y"))
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        // The NaN breaks the first series in two; the second is one line.
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3)
        XCTAssertTrue(svg.contains(">a &amp; &lt;b&gt;</text>"))
        XCTAssertTrue(svg.contains(">series 2</text>"))
        XCTAssertTrue(svg.contains(">x &lt; y</text>"))
        // Every line of the body is one self-closed element (or two, tick and label).
        XCTAssertFalse(svg.contains("nan"))
        let dots = Chart.svg([ChartSeries(xs: [0, 1], ys: [1, 0])], kind: .scatter)
        XCTAssertEqual(dots.components(separatedBy: "<circle").count - 1, 2)
        // Histogram: counts [1, 2, 3, 4] → four bars.
        let bars = Chart.svg([ChartSeries(ys: [1, 2, 2, 3, 3, 3, 4, 4, 4, 4])], kind: .hist, bins: 4)
        XCTAssertEqual(bars.components(separatedBy: "<rect").count - 1, 2 + 4)
    }

    func testExtremeValuesNeverTrap() {
        // Spans beyond the largest double, subnormals and constant data all draw something.
        for ys in [[1e308, -1e308, 0], [5e-324, 1e-320], [3, 3, 3], [-.infinity, 1, .nan]] as [[Double]] {
            XCTAssertFalse(Chart.lines([ChartSeries(ys: ys)]).isEmpty)
            XCTAssertFalse(Chart.scatter([ChartSeries(xs: ys, ys: ys)]).isEmpty)
            XCTAssertFalse(Chart.histogram(ys, bins: 7).isEmpty)
            XCTAssertFalse(Chart.svg([ChartSeries(ys: ys)], kind: .line).isEmpty)
        }
    }
}

/// Charts without colour keep every series apart: each series after the first has its own glyph.
final class ChartMarkerTests: XCTestCase {
    func testEverySeriesHasItsOwnGlyphWithoutColour() {
        let series = (0..<4).map { k in ChartSeries(label: "s\(k)", ys: (0..<20).map { Double($0 * (k + 1)) }) }
        let text = Chart.lines(series, options: ChartOptions(width: 30, height: 10))
        let legend = text.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertEqual(legend.trimmingCharacters(in: .whitespaces), "⣿ s0   • s1   × s2   + s3")
        for marker in ["•", "×", "+"] { XCTAssertTrue(text.dropLast(legend.count + 1).contains(marker), marker) }
        let colored = Chart.lines(series, options: ChartOptions(width: 30, height: 10, color: true))
        XCTAssertFalse(colored.contains("•") || colored.contains("×"), "colour tells them apart instead")
    }
}
