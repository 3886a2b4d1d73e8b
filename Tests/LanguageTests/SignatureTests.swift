import XCTest
@testable import DSLanguage

final class SignatureTests: XCTestCase {
    func testSignatureParsing() {
        let b = Builtin("ddim_sample(model, s, shape, steps = 50, ...rest)", "x") { _, _ in .null }
        XCTAssertEqual(b.name, "ddim_sample")
        XCTAssertEqual(b.parameterNames, ["model", "s", "shape", "steps", "rest"])
        XCTAssertTrue(b.isVariadic)
        XCTAssertEqual(b.variadicName, "rest")
        XCTAssertFalse(b.acceptsAnyKeyword)
    }

    func testVariadicNeedNotBeLastAndDoubleStarTakesAnyKeyword() {
        let m = Builtin("max(...values, key = nil)", "x") { _, _ in .null }
        XCTAssertEqual(m.parameterNames, ["values", "key"])
        XCTAssertEqual(m.variadicName, "values")
        let p = Builtin("progress.set(values = nil, **names)", "x") { _, _ in .null }
        XCTAssertEqual(p.shortName, "set")
        XCTAssertEqual(p.parameterNames, ["values", "names"])
        XCTAssertFalse(p.isVariadic)
        XCTAssertTrue(p.acceptsAnyKeyword)
    }

    func testKeywordChecksThroughTheInterpreter() throws {
        let out = StringSink()
        let interpreter = Interpreter(output: out)
        interpreter.register([
            Builtin("probe(...xs, key = nil)", "x") { a, _ in .number(Double(a.count)) },
            Builtin("anykw(**kw)", "x") { a, _ in .number(Double(a.keywords.count)) },
        ])
        try interpreter.run(Source(name: "t", text: "print(probe(1, 2, key: 3), anykw(a: 1, b: 2))"))
        interpreter.flush()
        XCTAssertEqual(out.text, "2 2\n")
        XCTAssertThrowsError(try interpreter.run(Source(name: "t", text: "probe(xs: 1)")))
        XCTAssertThrowsError(try interpreter.run(Source(name: "t", text: "probe(1, other: 1)")))
    }
}
