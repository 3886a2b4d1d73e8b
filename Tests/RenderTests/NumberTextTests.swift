import DSLimits
import XCTest
@testable import DSRender

/// A NaN prints as `nan` wherever numbers are formatted, whatever its sign bit (x86's 0/0 sets it).
final class NumberTextTests: XCTestCase {
    let negativeNaN = -Double.nan

    func testTheNaNUsedHasItsSignBitSet() {
        XCTAssertEqual(negativeNaN.sign, .minus)
        XCTAssertEqual("\(negativeNaN)", "-nan", "Swift's own description shows the sign, which is what NumberText drops")
    }

    func testPrintfAndPlainNeverShowASignOnNaN() {
        for nan in [Double.nan, negativeNaN] {
            XCTAssertEqual(NumberText.printf("%.4g", nan), "nan")
            XCTAssertEqual(NumberText.printf("%.2f", nan), "nan")
            XCTAssertEqual(NumberText.printf("%8.3e", nan), "     nan")
            XCTAssertEqual(NumberText.printf("%E", nan), "NAN")
            XCTAssertEqual(NumberText.significant(nan, 6), "nan")
            XCTAssertEqual(NumberText.plain(nan), "nan")
            XCTAssertEqual(NumberText.plain(Float(nan)), "nan")
        }
        XCTAssertEqual(NumberText.plain(-Float.nan), "nan")
        XCTAssertEqual(NumberText.significant(-.infinity, 4), "-inf")
        XCTAssertEqual(NumberText.significant(.infinity, 4), "inf")
        XCTAssertEqual(NumberText.significant(0.0777967123, 6), "0.0777967")
        XCTAssertEqual(NumberText.printf("%.3f", -0.5), "-0.500")
        XCTAssertEqual(NumberText.plain(Float(0.1)), "0.1")
        XCTAssertEqual(NumberText.printf("%.300f", 1).count, 302, "long results are not cut")
    }

    func testRenderersPrintNaNWithoutASign() {
        XCTAssertEqual(TensorFormatter.describe(shape: [2], scalars: [-Float.nan, 1.5]), "tensor([   nan, 1.5000])")
        XCTAssertEqual(StatsTable.number(negativeNaN), "-", "an undefined statistic")
        let chart = Chart.lines([ChartSeries(label: "loss", ys: [1, negativeNaN, 2])], options: ChartOptions())
        XCTAssertFalse(chart.contains("-nan"), chart)
    }
}
