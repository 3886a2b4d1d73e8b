import XCTest
@testable import DSRender

/// Tables as terminal text and as HTML, from the same cells: alignment, escaping, NaN and ±Inf,
/// empty tables, and the tables of `stats`, `diff` and `check`.
final class TextTableTests: XCTestCase {
    /// The cells of an HTML table, row by row (header row first), with the entities read back.
    func cells(_ html: String) -> [[String]] {
        var rows: [[String]] = []
        for row in html.components(separatedBy: "<tr>").dropFirst() {
            let body = row.components(separatedBy: "</tr>")[0]
            let pattern = try! NSRegularExpression(pattern: "<t[hd][^>]*>(.*?)</t[hd]>")
            let range = NSRange(body.startIndex..., in: body)
            rows.append(pattern.matches(in: body, range: range).map { match in
                String(body[Range(match.range(at: 1), in: body)!])
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                    .replacingOccurrences(of: "&amp;", with: "&")
            })
        }
        return rows
    }

    func testTextAlignsTextLeftAndNumbersRight() {
        let table = TextTable(header: ["name", "value"], rows: [.cells(["a", "1.5"]), .note("  a note"), .cells(["long name", "-20"])],
                              leftAligned: 1, footer: ["total: 2"])
        XCTAssertEqual(table.text(), """
            name       value
            a            1.5
              a note
            long name    -20
            total: 2

            """)
        let listing = TextTable(header: ["lesson", "title"], cells: [["kl", "the KL divergence"], ["forward", "q"]],
                                leftAligned: 2, indent: "  ", headerInText: false)
        XCTAssertEqual(listing.text(), "  kl       the KL divergence\n  forward  q\n")
        XCTAssertTrue(listing.html().contains("<thead><tr><th style=\"text-align:left\">lesson</th><th style=\"text-align:left\">title</th></tr></thead>"),
                      "the HTML keeps a header row the terminal leaves out")
    }

    func testHTMLHasAHeaderRowRightAlignedNumbersAndEscapedText() {
        let table = TextTable(header: ["x<y", "n"], rows: [.cells(["a & \"b\" 'c' <script>", "1"]), .note("<i>")],
                              leftAligned: 1, footer: ["5 > 4 & done"])
        let html = table.html()
        XCTAssertTrue(html.hasPrefix("<table"), html)
        XCTAssertTrue(html.contains("<th style=\"text-align:left\">x&lt;y</th><th style=\"text-align:right\">n</th>"), html)
        XCTAssertTrue(html.contains("<td style=\"text-align:left\">a &amp; &quot;b&quot; &#39;c&#39; &lt;script&gt;</td><td style=\"text-align:right\">1</td>"), html)
        XCTAssertTrue(html.contains("<td colspan=\"2\" style=\"text-align:left\">&lt;i&gt;</td>"), html)
        XCTAssertTrue(html.contains("<tfoot>\n<tr><td colspan=\"2\" style=\"text-align:left\">5 &gt; 4 &amp; done</td></tr>\n</tfoot>"), html)
        XCTAssertFalse(html.contains("<script") || html.contains("<i>"), "nothing from the cells is markup")
        XCTAssertEqual(cells(html), [["x<y", "n"], ["a & \"b\" 'c' <script>", "1"], ["<i>"], ["5 > 4 & done"]])
        XCTAssertEqual(Markup.escape("plain ᾱ_t"), "plain ᾱ_t")
    }

    func testEmptyTables() {
        let empty = TextTable(header: ["name", "value"], cells: [], leftAligned: 1)
        XCTAssertEqual(empty.text(), "name  value\n")
        XCTAssertEqual(empty.html(), """
            <table style="font-variant-numeric:tabular-nums">
            <thead><tr><th style="text-align:left">name</th><th style="text-align:right">value</th></tr></thead>
            <tbody>
            </tbody>
            </table>

            """)
        let stats = StatsTable.table([])
        XCTAssertEqual(stats.text(), "name  shape  dtype  mean  std  min  max  norm  nan/inf\ntotal: 0 tensors, 0 parameters\n")
        XCTAssertEqual(cells(stats.html()), [["name", "shape", "dtype", "mean", "std", "min", "max", "norm", "nan/inf"],
                                             ["total: 0 tensors, 0 parameters"]])
    }

    func testStatsHTMLHoldsTheSameCellsAsTheText() {
        let rows = [
            StatsRow(name: "w<1>", shape: [2, 2], dtype: "F16", values: [1, -1, 2, -2]),
            StatsRow(name: "bias", shape: [3], dtype: "F32", values: [.nan, -.nan, .infinity]),
            StatsRow(name: "big", shape: [2], dtype: "F32", values: [1e30, -3e-30]),
        ]
        let table = StatsTable.table(rows)
        XCTAssertEqual(table.text(), StatsTable.render(rows))
        XCTAssertEqual(table.text(), """
            name  shape   dtype   mean        std     min    max   norm  nan/inf
            w<1>  [2, 2]  F16        0      1.826      -2      2  3.162        0
            bias  [3]     F32        -          -       -      -      0        3
            big   [2]     F32    5e+29  7.071e+29  -3e-30  1e+30  1e+30        0
            total: 3 tensors, 9 parameters, 3 NaN/Inf values

            """)
        let html = cells(table.html())
        XCTAssertEqual(html[0], table.header)
        XCTAssertEqual(html[1], ["w<1>", "[2, 2]", "F16", "0", "1.826", "-2", "2", "3.162", "0"])
        XCTAssertEqual(html[2], ["bias", "[3]", "F32", "-", "-", "-", "-", "0", "3"], "undefined statistics of NaN/Inf only")
        XCTAssertEqual(html[4], ["total: 3 tensors, 9 parameters, 3 NaN/Inf values"])
        XCTAssertTrue(table.html().contains("<td style=\"text-align:right\">1.826</td>"))
    }

    func testGroupedStatsKeepTheirSubtotalsInHTML() {
        let rows = (0...StatsTable.groupThreshold).map { i in
            StatsRow(name: (i < 30 ? "enc." : "dec.") + "w\(i)", shape: [1], dtype: "F32", values: [Float(i)])
        }
        let table = StatsTable.table(rows)
        let html = cells(table.html())
        XCTAssertEqual(html.count, 1 + rows.count + 2 + 1)
        XCTAssertEqual(html[31], ["  enc: 30 tensors, 30 parameters"])
        XCTAssertEqual(html.last, ["total: 41 tensors, 41 parameters"])
        XCTAssertTrue(table.text().contains("\n  enc: 30 tensors, 30 parameters\n"))
    }

    func testDiffHTML() {
        let rows = [DiffRow(name: "a", shape: [2], maxAbs: 0.5, relative: .infinity),
                    DiffRow(name: "b", shape: [2], shapeB: [3], maxAbs: .nan, relative: .nan)]
        let table = StatsTable.diffTable(rows, onlyA: ["x"], onlyB: [])
        XCTAssertEqual(table.text(), StatsTable.renderDiff(rows, onlyA: ["x"], onlyB: []))
        XCTAssertEqual(cells(table.html()), [["name", "shape", "max |a-b|", "relative"], ["a", "[2]", "0.5", "inf"],
                                             ["b", "[2] vs [3]", "-", "-"], ["only in a: x"],
                                             ["1 shared tensor, max |a-b| 0.5, 1 with different shapes"]])
    }

    func testCheckRows() {
        let number = CheckRow(name: "var", got: "0.998", want: "1", difference: "0.002", tolerance: "0.05", passed: true)
        let failed = CheckRow(name: "x < y", got: "false", want: "true", passed: false)
        XCTAssertEqual(number.text, "  PASS  var: 0.998 vs 1  (|diff| 0.002 ≤ tol 0.05)\n")
        XCTAssertEqual(failed.text, "  FAIL  x < y: false (want true)\n")
        XCTAssertEqual(CheckRow(name: "ok", got: "true", want: "true", passed: true).text, "  PASS  ok: true\n")
        let html = CheckRow.table([number, failed]).html()
        XCTAssertEqual(cells(html), [["", "check", "got", "want", "|diff|", "tol"], ["PASS", "var", "0.998", "1", "0.002", "0.05"],
                                     ["FAIL", "x < y", "false", "true", "", ""]])
    }
}
