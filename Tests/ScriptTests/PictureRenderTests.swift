import DSEngine
import Foundation
import DSLanguage
import XCTest
@testable import DSBindings

/// Snapshot tests: the exact text of small pictures, charts and progress lines.
final class PictureRenderTests: XCTestCase {
    /// A 4×4 gradient 0, 1/15, ..., 1: pixel k is grey 17k.
    let gradient = Tensor(shape: [4, 4], scalars: (0..<16).map { Float($0) / 15 })

    func testShowGradientInShades() throws {
        let text = try PictureRenderer.render(gradient, scale: 1, color: false)
        // Cell (x, row pair r) is the mean of greys 17(8r + x) and 17(8r + x + 4) on a 10-step ramp.
        XCTAssertEqual(text, "..:-\n*##%\n")
        // Automatic scale for a 4-pixel-wide picture: 4× (16 columns, 8 lines).
        let big = try PictureRenderer.render(gradient, color: false)
        XCTAssertEqual(big.split(separator: "\n").count, 8)
        XCTAssertEqual(big.split(separator: "\n").last, "####%%%%@@@@@@@@")
    }

    func testShowGradientInHalfBlocks() throws {
        let text = try PictureRenderer.render(gradient, scale: 1, color: true)
        var want = ""
        for pair in 0..<2 {
            for x in 0..<4 {
                let top = 17 * (8 * pair + x), bottom = 17 * (8 * pair + x + 4)
                want += "\u{1B}[38;2;\(top);\(top);\(top)m\u{1B}[48;2;\(bottom);\(bottom);\(bottom)m▀"
            }
            want += "\u{1B}[0m\n"
        }
        XCTAssertEqual(text, want)
    }

    func testOddHeightAndRepeatedColours() {
        // Three rows of one red pixel: the second line has no lower pixel, so no background.
        let red = PixelImage(width: 2, height: 3, channels: 3, bytes: [UInt8](repeating: 0, count: 18).enumerated().map { $0.offset % 3 == 0 ? 255 : 0 })
        XCTAssertEqual(PictureRenderer.halfBlocks(red),
                       "\u{1B}[38;2;255;0;0m\u{1B}[48;2;255;0;0m▀▀\u{1B}[0m\n\u{1B}[38;2;255;0;0m▀▀\u{1B}[0m\n")
    }

    func testBatchGridAndErrors() throws {
        let batch = Tensor(shape: [3, 1, 2, 2], scalars: [Float](repeating: 1, count: 12))
        // Two per row, 1 px black padding: 5×5 pixels → 3 lines of 5 cells at scale 1.
        let text = try PictureRenderer.render(batch, nrow: 2, scale: 1, color: false)
        XCTAssertEqual(text, "@@ @@\n==\n@@\n")  // padding rows and the empty slot are black
        XCTAssertThrowsError(try PictureRenderer.render(Tensor(shape: [2, 2, 2, 2, 2], scalars: [Float](repeating: 0, count: 32)), color: false))
        XCTAssertThrowsError(try PictureRenderer.render(gradient, scale: 0, color: false))
    }

    // MARK: Charts

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

    func testTwoSeriesWithLegendAndTitle() {
        let text = Chart.lines(series: [("up", [1, 2, 3], [1, 2, 3]), ("down", [1, 2, 3], [3, 2, 1])],
                               width: 10, height: 4, title: "cross")
        XCTAssertEqual(text, """
                 cross
            3 ┤⠑⠤⡀     ⡠⠊
              │  ⠈⠢⢄⢀⠔⠉
            2 ┤  ⢀⡠⠒⠑⠤⡀
            1 ┤⡠⠔⠁    ⠈⠒⢄
              └┬────┬───┬
               1    2   3
               ⣿ up   ⣿ down

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

    // MARK: Progress

    /// A bar with a fake clock that advances `tick` seconds per reading.
    func bar(total: Int?, interactive: Bool, quiet: Bool = false, tick: Double = 0.5) -> (ProgressBar, () -> String) {
        var now = 100.0
        var out = ""
        let bar = ProgressBar(total: total, description: "train", interactive: interactive, quiet: quiet,
                              clock: { defer { now += tick }; return now }, write: { out += $0 })
        return (bar, { out })
    }

    func testProgressFormat() {
        XCTAssertEqual(ProgressBar.format(count: 450, total: 1000, elapsed: 2.5, description: "train", postfix: "loss=0.1234"),
                       "train:  45%|█████████           | 450/1000 [00:02<00:03, 180.00it/s, loss=0.1234]")
        XCTAssertEqual(ProgressBar.format(count: 3, total: 8, elapsed: 7, description: "", postfix: ""),
                       " 37%|███████▌            | 3/8 [00:07<00:11, 2.33s/it]")
        XCTAssertEqual(ProgressBar.format(count: 12, total: nil, elapsed: 3725, description: "", postfix: ""),
                       "12it [1:02:05, 310.42s/it]")
        XCTAssertEqual(ProgressBar.format(count: 0, total: 5, elapsed: 0, description: "", postfix: ""),
                       "  0%|                    | 0/5 [00:00<?, ?it/s]")
        XCTAssertEqual(ProgressBar.formatValue(0.123456), "0.1235")
        XCTAssertEqual(ProgressBar.formatValue(3), "3")
        XCTAssertEqual(ProgressBar.formatValue(1.5e-5), "1.5e-5")
    }

    func testProgressPlainLinesEveryTenth() {
        let (bar, output) = bar(total: 20, interactive: false)
        for i in 0..<20 {
            bar.set([("loss", ProgressBar.formatValue(1 / Double(i + 1)))])
            bar.update()
        }
        bar.close()
        let lines = output().split(separator: "\n")
        XCTAssertEqual(lines.count, 10)
        // The clock reads 100 at the start and advances 0.5 s per reading (one per update).
        XCTAssertEqual(lines[0], "train:  10%|██                  | 2/20 [00:01<00:09, 2.00it/s, loss=0.5]")
        XCTAssertEqual(lines[9], "train: 100%|████████████████████| 20/20 [00:10<00:00, 2.00it/s, loss=0.05]")
        bar.update()  // ignored after close
        XCTAssertEqual(output().split(separator: "\n").count, 10)
    }

    func testProgressInteractiveRedrawsInPlace() {
        let (bar, output) = bar(total: 3, interactive: true)
        bar.update()
        bar.update()
        bar.update()
        bar.close()
        let text = output()
        XCTAssertTrue(text.hasPrefix("\rtrain:   0%|                    | 0/3 [00:00<?, ?it/s]\u{1B}[K"))
        XCTAssertTrue(text.hasSuffix("| 3/3 [00:02<00:00, 1.20it/s]\u{1B}[K\n"))
        XCTAssertEqual(text.filter { $0 == "\n" }.count, 1)
    }

    func testProgressQuietAndWithoutTotal() {
        let (quiet, quietOutput) = bar(total: 5, interactive: false, quiet: true)
        for _ in 0..<5 { quiet.update() }
        quiet.close()
        XCTAssertEqual(quietOutput(), "")
        let (open, openOutput) = bar(total: nil, interactive: false, tick: 20)
        for _ in 0..<3 { open.update() }
        open.close()
        XCTAssertEqual(openOutput(), "train: 2it [00:40, 20.00s/it]\ntrain: 3it [01:20, 26.67s/it]\n")
    }
}
