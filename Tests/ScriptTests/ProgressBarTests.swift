import XCTest
@testable import DSBindings

/// Snapshot tests: the exact text of progress lines, plain and redrawn in place.
final class ProgressBarTests: XCTestCase {
    func testNegativeCountsNeverTrap() {
        XCTAssertEqual(ProgressBar.format(count: -3, total: 10, elapsed: 1, description: "", postfix: "").prefix(5), "  0%|")
    }

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
        XCTAssertEqual(ProgressBar.formatValue(-Double.nan), "nan", "a loss of 0/0 has its sign bit set on x86")
        XCTAssertEqual(ProgressBar.formatValue(-.infinity), "-inf")
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
        // Nothing is drawn before the first update (0.5 s after the start: 2 it/s, 1 s left).
        XCTAssertTrue(text.hasPrefix("\rtrain:  33%|██████▋             | 1/3 [00:00<00:01, 2.00it/s]\u{1B}[K\rtrain:  66%"), text)
        // The rate counts from the first update (2 more items between 100.5 s and the close at 102 s).
        XCTAssertTrue(text.hasSuffix("| 3/3 [00:02<00:00, 1.33it/s]\u{1B}[K\n"))
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
        XCTAssertEqual(openOutput(), "train: 2it [00:40, 20.00s/it]\ntrain: 3it [01:20, 30.00s/it]\n")
        // With a total, a slow run still prints a line at least every 30 s between tenths.
        let (slow, slowOutput) = bar(total: 1000, interactive: false, tick: 20)
        for _ in 0..<3 { slow.update() }
        slow.close()
        XCTAssertEqual(slowOutput(), """
            train:   0%|                    | 2/1000 [00:40<5:32:40, 20.00s/it]
            train:   0%|                    | 3/1000 [01:20<8:18:30, 30.00s/it]

            """)
    }

    /// A sampler makes its bar when its first step is done: the first tick tells no rate (it used
    /// to report a million steps per second), later ticks count from it.
    func testTheFirstTickReportsNoAbsurdRate() {
        var now = 100.0
        var out = ""
        let bar = ProgressBar(total: 50, description: "ddim", interactive: true, quiet: false,
                              clock: { now }, write: { out += $0 })
        now += 1e-6
        bar.update()
        XCTAssertTrue(out.hasSuffix("| 1/50 [00:00<?, ?it/s]\u{1B}[K"), out)
        for _ in 0..<4 {
            now += 0.25
            bar.update()
        }
        XCTAssertTrue(out.hasSuffix("| 5/50 [00:01<00:11, 4.00it/s]\u{1B}[K"), out)
    }
}
