import XCTest
import Foundation
@testable import DSEngine

final class FastMathTests: XCTestCase {
    func testExpAccuracyOverRange() {
        var worst: Double = 0
        var x: Float = -103
        while x < 88.7 {
            let want = Foundation.exp(Double(x)), got = Double(FastMath.exp(x))
            if want > 1e-37 { worst = max(worst, abs(got - want) / want) }
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(FastMath.exp(0), 1)
        XCTAssertEqual(FastMath.exp(-200), 0)
        XCTAssertEqual(FastMath.exp(100), .infinity)
        XCTAssertTrue(FastMath.exp(.nan).isNaN)
        XCTAssertGreaterThan(FastMath.exp(88.7), 3.3e38)
        XCTAssertGreaterThan(FastMath.exp(-100), 0)
    }

    func testTanhSigmoidErf() {
        var x: Float = -12
        while x < 12 {
            XCTAssertEqual(Double(FastMath.tanh(x)), Foundation.tanh(Double(x)), accuracy: 2e-7 + 2e-7 * abs(Foundation.tanh(Double(x))))
            XCTAssertEqual(Double(FastMath.sigmoid(x)), 1 / (1 + Foundation.exp(-Double(x))), accuracy: 2e-7)
            XCTAssertEqual(Double(FastMath.erf(x)), Foundation.erf(Double(x)), accuracy: 3e-7)
            x += 0.01
        }
        XCTAssertEqual(FastMath.tanh(1e-4), 1e-4, accuracy: 1e-11)
    }
}
