import DSEngine
import DSLanguage
import XCTest
@testable import DSBindings

/// The tensor tables called directly (the golden scripts cover the same through the language).
final class BindingTensorTests: XCTestCase {
    let c = BindingTestContext()

    func testNestedListsAndRaggedError() throws {
        let t = try XCTUnwrap(try c.global("tensor", [nested([[1, 2], [3, 4]])]).tensorValue)
        XCTAssertEqual(t.shape, [2, 2])
        XCTAssertEqual(t.scalars, [1, 2, 3, 4])
        XCTAssertScriptError("ragged nested list: at position [1] expected a list of length 2, found a list of length 3") {
            try c.global("tensor", [nested([[1, 2], [3, 4, 5]])])
        }
        XCTAssertScriptError("at position [1] expected a list of length 2, found a number") {
            try c.global("tensor", [.list(ListObject([list([1, 2]), .number(3)]))])
        }
        XCTAssertEqual(try c.global("tensor", [.list(ListObject())]).tensorValue?.shape, [0])
    }

    func testHugeShapeIsRefusedNotAllocated() {
        XCTAssertScriptError("is too large") { try c.global("zeros", [list([100000, 100000, 100])]) }
        XCTAssertScriptError("negative dimension") { try c.global("ones", [list([2, -1])]) }
    }

    func testIndexingForms() throws {
        let x = try c.global("arange", [.number(12)])
        let m = try c.method(x, "reshape", [list([3, 4])])
        guard case .native(let object) = m else { return XCTFail() }
        func idx(_ components: [IndexComponent]) throws -> [Float] {
            try object.index(components, context: c).tensorValue?.scalars ?? []
        }
        XCTAssertEqual(try idx([.value(.number(1))]), [4, 5, 6, 7])
        XCTAssertEqual(try idx([.value(.number(-1)), .value(.number(2))]), [10])
        XCTAssertEqual(try idx([.slice(start: nil, stop: nil, step: nil), .value(.number(0))]), [0, 4, 8])
        XCTAssertEqual(try idx([.slice(start: .number(1), stop: .number(3), step: nil)]), Array(4..<12).map(Float.init))
        XCTAssertEqual(try idx([.value(.number(0)), .slice(start: nil, stop: nil, step: .number(2))]), [0, 2])
        XCTAssertEqual(try idx([.value(.number(0)), .slice(start: nil, stop: nil, step: .number(-1))]), [3, 2, 1, 0])
        XCTAssertEqual(try idx([.value(list([2, 0]))]), [8, 9, 10, 11, 0, 1, 2, 3])
        XCTAssertEqual(try idx([.slice(start: nil, stop: nil, step: nil), .value(list([3, 1]))]), [3, 1, 7, 5, 11, 9])
        XCTAssertScriptError("index 3 is out of range for dimension 0 with size 3") { try idx([.value(.number(3))]) }
        XCTAssertScriptError("too many indices") { try idx([.value(.number(0)), .value(.number(0)), .value(.number(0))]) }
    }

    func testRecordedIndexingMatchesPlainIndexingAndScattersGradient() throws {
        let x = try c.global("param", [nested([[1, 2, 3], [4, 5, 6]])])
        guard case .native(let object as TensorObject) = x else { return XCTFail() }
        let plain = TensorObject(object.tensor.detach())
        let forms: [[IndexComponent]] = [
            [.value(.number(1))],
            [.slice(start: nil, stop: nil, step: nil), .value(.number(-1))],
            [.slice(start: nil, stop: nil, step: .number(-1)), .slice(start: .number(0), stop: .number(3), step: .number(2))],
            [.value(list([1, 1, 0]))],
            [.value(.number(0)), .value(list([2, 0]))],
        ]
        for form in forms {
            let recorded = try XCTUnwrap(try object.index(form, context: c).tensorValue)
            let reference = try XCTUnwrap(try plain.index(form, context: c).tensorValue)
            XCTAssertEqual(recorded.shape, reference.shape)
            XCTAssertEqual(recorded.scalars, reference.scalars)
        }
        // d/dx sum(x[[1, 1, 0]]) counts how often each row was taken.
        let picked = try object.index([.value(list([1, 1, 0]))], context: c)
        _ = try c.method(try c.method(picked, "sum"), "backward")
        XCTAssertEqual(object.tensor.grad?.scalars, [1, 1, 1, 2, 2, 2])
    }

    func testElementAssignment() throws {
        let x = try c.global("zeros", [list([2, 3])])
        guard case .native(let object as TensorObject) = x else { return XCTFail() }
        try object.setIndex([.value(.number(1)), .value(.number(-1))], .number(7), context: c)
        try object.setIndex([.slice(start: nil, stop: nil, step: nil), .value(.number(0))], list([5, 6]), context: c)
        XCTAssertEqual(object.tensor.scalars, [5, 0, 0, 6, 0, 7])
        let w = try c.global("param", [list([1, 2])])
        guard case .native(let wObject as TensorObject) = w else { return XCTFail() }
        XCTAssertScriptError("requires grad") { try wObject.setIndex([.value(.number(0))], .number(3), context: c) }
        try Engine.withNoGrad { try wObject.setIndex([.value(.number(0))], .number(3), context: c) }
        XCTAssertEqual(wObject.tensor.scalars, [3, 2])
    }

    func testOperatorsBroadcastAndReverse() throws {
        let x = try c.global("tensor", [nested([[1, 2], [3, 4]])])
        guard case .native(let object) = x else { return XCTFail() }
        let reversed = try object.binary(.sub, .number(10), reversed: true, context: c)
        XCTAssertEqual(reversed?.tensorValue?.scalars, [9, 8, 7, 6])
        let row = try c.global("tensor", [list([10, 20])])
        XCTAssertEqual(try object.binary(.add, row, reversed: false, context: c)?.tensorValue?.scalars, [11, 22, 13, 24])
        XCTAssertEqual(try object.binary(.mod, .number(3), reversed: false, context: c)?.tensorValue?.scalars, [1, 2, 0, 1])
        XCTAssertEqual(try object.binary(.gt, .number(2), reversed: false, context: c)?.tensorValue?.scalars, [0, 0, 1, 1])
        XCTAssertEqual(try object.binary(.matmul, x, reversed: false, context: c)?.tensorValue?.scalars, [7, 10, 15, 22])
        XCTAssertScriptError("[3]") {
            try object.binary(.add, try c.global("ones", [list([3])]), reversed: false, context: c)
        }
        XCTAssertScriptError("ambiguous") { try object.truthiness() }
    }

    func testGradientOfSmallExpression() throws {
        // f(w) = sum(w^3 + 2w) → f'(w) = 3w^2 + 2.
        let w = try c.global("param", [list([1, -2, 0.5])])
        guard case .native(let object as TensorObject) = w else { return XCTFail() }
        let cube = try XCTUnwrap(try object.binary(.pow, .number(3), reversed: false, context: c))
        let twice = try XCTUnwrap(try object.binary(.mul, .number(2), reversed: true, context: c))
        guard case .native(let cubeObject) = cube else { return XCTFail() }
        let f = try XCTUnwrap(try cubeObject.binary(.add, twice, reversed: false, context: c))
        _ = try c.method(try c.method(f, "sum"), "backward")
        let grad = try XCTUnwrap(object.tensor.grad).scalars
        XCTAssertEqual(grad[0], 5, accuracy: 1e-5)
        XCTAssertEqual(grad[1], 14, accuracy: 1e-5)
        XCTAssertEqual(grad[2], 2.75, accuracy: 1e-5)
    }

    func testSeedMakesRandomNumbersRepeatable() throws {
        _ = try c.global("seed", [.number(7)])
        let a = try c.global("randn", [list([4])]).tensorValue?.scalars
        _ = try c.global("seed", [.number(7)])
        let b = try c.global("randn", [.number(4)]).tensorValue?.scalars
        XCTAssertEqual(a, b)
        let ints = try XCTUnwrap(try c.global("randint", [.number(0), .number(5), list([1000])]).tensorValue)
        XCTAssertTrue(ints.scalars.allSatisfy { $0 >= 0 && $0 < 5 && $0.rounded() == $0 })
        XCTAssertEqual(Set(ints.scalars).count, 5)
    }
}
