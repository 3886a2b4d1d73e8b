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

/// Reading arguments by name: positions and defaults come from the signature.
final class ArgumentNameTests: XCTestCase {
    /// Runs `probe` with `positional` and `keywords` through `Builtin.call`, returning what `read` returns.
    func read<T>(
        _ signature: String, _ positional: [Value], _ keywords: [(name: String, value: Value)] = [],
        _ body: @escaping (Arguments) throws -> T
    ) throws -> T {
        var result: T?
        let builtin = Builtin(signature, "x") { args, _ in
            result = try body(args)
            return .null
        }
        _ = try builtin.call(Arguments(positional, keywords: keywords, functionName: builtin.name), CoreFakeContext())
        guard let result else { throw ScriptError("no result") }
        return result
    }

    func testDefaultsAreParsedFromTheSignature() {
        let p = ParameterList(parsing: "f(a, steps = 50, eta = 1e-4, kind = \"a, b\", on = true, betas = [0.9, 0.999], config = {}, x = nil, ...rest, key = -1)")
        XCTAssertEqual(p.names, ["a", "steps", "eta", "kind", "on", "betas", "config", "x", "rest", "key"])
        XCTAssertEqual(p.parameters.map(\.position), [0, 1, 2, 3, 4, 5, 6, 7, nil, nil])
        XCTAssertEqual(p.unreadableDefaults, [])
        func show(_ name: String) -> String { p.defaultValue(of: name).map { "\($0.typeName) \(repr($0))" } ?? "none" }
        XCTAssertEqual(show("steps"), "number 50")
        XCTAssertEqual(show("eta"), "number 0.0001")
        XCTAssertEqual(show("kind"), "string a, b")
        XCTAssertEqual(show("on"), "bool true")
        XCTAssertEqual(show("betas"), "list 0.9 0.999")
        XCTAssertEqual(show("config"), "dict ")
        XCTAssertEqual(show("x"), "none")
        XCTAssertEqual(show("key"), "number -1")
        XCTAssertEqual(ParameterList(parsing: "g(n = 2 * k)").unreadableDefaults, ["n = 2 * k"])
    }

    func repr(_ v: Value) -> String {
        switch v {
        case .number(let x): return formatNumber(x)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return l.items.map(repr).joined(separator: " ")
        case .dict(let d): return d.entries.keys.joined(separator: " ")
        default: return v.typeName
        }
    }

    func testPositionKeywordOrDefault() throws {
        let sig = "f(x, steps = 50, eta)"
        XCTAssertEqual(try read(sig, [.number(1)]) { try $0.int("steps") }, 50)
        XCTAssertEqual(try read(sig, [.number(1), .number(7)]) { try $0.int("steps") }, 7)
        XCTAssertEqual(try read(sig, [.number(1)], [("steps", .number(9))]) { try $0.int("steps") }, 9)
        XCTAssertEqual(try read(sig, [.number(1), .null]) { try $0.int("steps") }, 50, "an explicit nil takes the default")
        XCTAssertEqual(try read(sig, [.number(1)]) { $0.has("eta") }, false)
        XCTAssertEqual(try read(sig, [.number(1)]) { try $0.number("eta", default: 0.5) }, 0.5)
        XCTAssertEqual(try read(sig, [.number(1), .number(2), .number(3)]) { try $0.number("eta", default: 0.5) }, 3)
        // An explicit default wins over the signature's.
        XCTAssertEqual(try read(sig, [.number(1)]) { try $0.int("steps", default: 10) }, 10)
    }

    func testMessagesNameThePositionOrTheKeyword() {
        let sig = "f(x, steps = 50)"
        XCTAssertThrowsError(try read(sig, [.number(1), .string("a")]) { try $0.int("steps") }) { error in
            XCTAssertEqual("\(error)", "bad argument #2 to 'f' (number expected, got string)")
        }
        XCTAssertThrowsError(try read(sig, [.number(1)], [("steps", .number(1.5))]) { try $0.int("steps") }) { error in
            XCTAssertEqual("\(error)", "bad argument 'steps' to 'f' (integer expected, got 1.5)")
        }
        XCTAssertThrowsError(try read(sig, []) { try $0.number("x") }) { error in
            XCTAssertEqual("\(error)", "bad argument 'x' to 'f' (value expected)")
        }
        XCTAssertThrowsError(try read("g(kind = \"a\")", [.string("c")]) { try $0.choice("kind", ["a", "b"]) }) { error in
            XCTAssertEqual("\(error)", "bad argument #1 to 'g' (expected one of \"a\", \"b\", got \"c\")")
        }
    }

    func testParametersAfterAVariadicAreKeywordsOnly() throws {
        let sig = "m(...values, key = 3)"
        XCTAssertEqual(try read(sig, [.number(1), .number(2)]) { try $0.int("key") }, 3)
        XCTAssertEqual(try read(sig, [.number(1)], [("key", .number(4))]) { try $0.int("key") }, 4)
    }
}
