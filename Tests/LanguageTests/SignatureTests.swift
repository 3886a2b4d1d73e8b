import XCTest
@testable import DSLanguage

final class SignatureTests: XCTestCase {
    func testSignatureParsing() {
        let b = Builtin("ddim_sample(model, s, shape, steps = 50, ...rest)", "x") { _, _ in .null }
        XCTAssertEqual(b.name, "ddim_sample")
        XCTAssertEqual(b.parameterNames, ["model", "s", "shape", "steps", "rest"])
        XCTAssertTrue(b.isVariadic)
    }
}
