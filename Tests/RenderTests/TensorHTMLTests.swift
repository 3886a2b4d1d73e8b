import XCTest
@testable import DSRender

/// Tensors as a notebook shows them: the same numbers as the text (`TensorFormatter`), a table for
/// matrices, a `<pre>` block otherwise.
final class TensorHTMLTests: XCTestCase {
    func html(_ shape: [Int], _ scalars: [Float], grad: Bool = false) -> String {
        TensorFormatter.html(shape: shape, scalars: scalars, requiresGrad: grad)
    }

    /// The table cells, row by row.
    func cells(_ html: String) -> [[String]] {
        html.components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "</tr>")[0].components(separatedBy: "</t").dropLast().map { cell in
                String(cell[cell.index(after: cell.lastIndex(of: ">")!)...])
            }
        }
    }

    func testAMatrixIsATableOfTheTextsNumbers() {
        let values: [Float] = [1.5, -2, .nan, 0.25, .infinity, -.infinity]
        let text = TensorFormatter.describe(shape: [2, 3], scalars: values)
        XCTAssertEqual(text, "tensor([[ 1.5000, -2.0000,     nan],\n        [ 0.2500,     inf,    -inf]], shape=[2, 3])")
        let out = html([2, 3], values)
        XCTAssertTrue(out.contains("tensor · shape [2, 3] · float32"), out)
        XCTAssertEqual(cells(out), [["", "0", "1", "2"], ["0", "1.5000", "-2.0000", "nan"], ["1", "0.2500", "inf", "-inf"]])
        XCTAssertTrue(out.contains("<td style=\"text-align:right\">-2.0000</td>"))
        XCTAssertFalse(out.contains("<pre>"))
    }

    func testASummarisedMatrixElidesTheSameRowsAndColumns() {
        let values = (0..<(40 * 50)).map { Float(100 + $0) }
        let out = html([40, 50], values)
        let rows = cells(out)
        XCTAssertEqual(rows[0], ["", "0", "1", "2", "…", "47", "48", "49"])
        XCTAssertEqual(rows[1], ["0", "100.", "101.", "102.", "…", "147.", "148.", "149."])
        XCTAssertEqual(rows[4], ["…", "…", "…", "…", "…", "…", "…", "…"])
        XCTAssertEqual(rows[7], ["39", "2050.", "2051.", "2052.", "…", "2097.", "2098.", "2099."])
        XCTAssertEqual(rows.count, 8)
        XCTAssertTrue(out.contains("2000 values, summarised"), out)
        // The text shows the same corners.
        let text = TensorFormatter.describe(shape: [40, 50], scalars: values)
        XCTAssertTrue(text.contains("[2050., 2051., 2052.,  ..., 2097., 2098., 2099.]]"), text)
    }

    func testOtherShapesAreAPreBlockOfTheText() {
        let vector = html([3], [.nan, -1, 2.5], grad: true)
        XCTAssertTrue(vector.contains("tensor · shape [3] · float32 · requires_grad"), vector)
        XCTAssertTrue(vector.contains("<pre>[    nan, -1.0000,  2.5000]</pre>"), vector)
        XCTAssertTrue(html([], [3.5]).contains("<pre>3.5000</pre>"))
        let cube = html([2, 1, 2], [1, 2, 3, 4])
        XCTAssertTrue(cube.contains("<pre>[[[1., 2.]],\n\n [[3., 4.]]]</pre>"), cube)
    }

    func testEmptyTensors() {
        XCTAssertTrue(html([0], []).contains("<pre>[]</pre>"))
        XCTAssertEqual(cells(html([0, 3], [])), [["", "0", "1", "2"]])
        XCTAssertEqual(cells(html([2, 0], [])), [[""], ["0"], ["1"]])
    }
}
