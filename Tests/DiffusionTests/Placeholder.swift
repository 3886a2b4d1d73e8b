import XCTest
final class DiffusionTestsPlaceholder: XCTestCase { func testNothingYet() {} }
