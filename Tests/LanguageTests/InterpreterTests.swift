import Foundation
import XCTest
@testable import DSLanguage

final class InterpreterTests: XCTestCase {
    func make(_ arguments: [String] = []) -> (Interpreter, StringSink) {
        var settings = RuntimeSettings()
        settings.scriptArguments = arguments
        let out = StringSink()
        return (Interpreter(settings: settings, output: out, errorOutput: StringSink()), out)
    }

    func testReplEchoesValuesAndKeepsGlobals() throws {
        let (interpreter, _) = make()
        XCTAssertNil(try interpreter.evaluateInteractive(Source(name: "<repl>", text: "let x = 2")))
        let v = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "x * 21"))
        XCTAssertEqual(v.map { interpreter.describe($0, repr: true) }, "42")
        // A second `let` replaces the global.
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "let x = \"s\""))
        let s = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "x"))
        XCTAssertEqual(s.map { interpreter.describe($0, repr: true) }, "\"s\"")
        XCTAssertNil(try interpreter.evaluateInteractive(Source(name: "<repl>", text: "nil")))
        XCTAssertTrue(interpreter.globalNames.contains("x"))
        XCTAssertTrue(interpreter.globalNames.contains("print"))
    }

    func testReplFunctionsMayUseGlobalsDefinedLater() throws {
        let (interpreter, out) = make()
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "fn f() { return later * 2 }"))
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "let later = 5"))
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: "print(f())"))
        XCTAssertEqual(out.text, "10\n")
    }

    func testResetForgetsUserGlobals() throws {
        let (interpreter, _) = make()
        try interpreter.run(Source(name: "-e", text: "let y = 1"))
        XCTAssertNotNil(interpreter.global("y"))
        interpreter.reset()
        XCTAssertNil(interpreter.global("y"))
        XCTAssertNotNil(interpreter.global("print"))
    }

    func testScriptArguments() throws {
        let (interpreter, out) = make(["--steps", "20"])
        try interpreter.run(Source(name: "-e", text: "print(args, len(args))"))
        XCTAssertEqual(out.text, "[\"--steps\", \"20\"] 2\n")
    }

    /// Input lines and whether the REPL waits for more before running them.
    static let continuations: [(text: String, needsMore: Bool)] = [
        ("print(1,", true),
        ("fn f() {", true),
        ("let x = [1,\n2", true),
        ("let x = 1 +", true),
        ("a and", true),
        ("print(\"abc", true),
        ("print(1)", false),
        ("fn f() { return 1 }", false),
        ("let s = \"{x}\"", false),
        ("x = 1 # trailing comment (", false),
        (")", false),
        // A string broken on an earlier line cannot be completed by more lines.
        ("print(\"abc\n1)", false),
    ]

    func testNeedsMoreInput() {
        for (text, needsMore) in Self.continuations { XCTAssertEqual(Interpreter.needsMoreInput(text), needsMore, text) }
    }

    func testExitIsNotCaught() {
        let (interpreter, out) = make()
        XCTAssertThrowsError(try interpreter.run(Source(name: "-e", text: "try { exit(3) } catch e { print(\"caught\") }"))) { error in
            XCTAssertEqual((error as? ScriptError)?.kind, .exit(3))
        }
        XCTAssertEqual(out.text, "")
    }

    func testInterruptStopsLoopsAndKeepsVariables() throws {
        let (interpreter, out) = make()
        try interpreter.run(Source(name: "-e", text: "let kept = 7\nlet n = 0"))
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var caught: Error?
        let thread = Thread {
            do {
                try interpreter.run(Source(name: "-e", text: "try { while true { n += 1 } } catch e { print(\"caught\") }"))
            } catch {
                caught = error
            }
            finished.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
        // Keep asking until the loop notices (the flag is cleared when a run starts).
        while finished.wait(timeout: .now() + .milliseconds(20)) == .timedOut { interpreter.interrupt() }
        XCTAssertEqual((caught as? ScriptError)?.kind, .interrupted)
        XCTAssertEqual(out.text, "")
        try interpreter.run(Source(name: "-e", text: "print(kept, n > 0)"))
        XCTAssertEqual(out.text, "7 true\n")
    }

    func testCallingBackIntoScriptsFromNativeCode() throws {
        let (interpreter, out) = make()
        interpreter.register([
            Builtin("twice(f, x)", "calls f twice", example: "twice(fn(v) => v + 1, 0)") { args, context in
                let f = try args.value(0, "f")
                let once = try context.call(f, Arguments([try args.value(1, "x")]))
                return try context.call(f, Arguments([once]))
            },
        ])
        try interpreter.run(Source(name: "-e", text: "print(twice(fn(v) => v * 3, 2))"))
        XCTAssertEqual(out.text, "18\n")
        XCTAssertEqual(interpreter.help("twice")?.summary, "calls f twice")
    }

    func testHugeSingleLinesEndInDiagnosticsOrSucceed() throws {
        let (interpreter, out) = make()
        // A long string literal.
        let long = "let s = \"" + String(repeating: "a", count: 3_000_000) + "\"\nprint(len(s))"
        try interpreter.run(Source(name: "big", text: long))
        XCTAssertEqual(out.text, "3000000\n")
        // A long chain of operators is refused with a located error.
        let chain = "let x = " + String(repeating: "1+", count: 1_000_000) + "1"
        XCTAssertThrowsError(try interpreter.run(Source(name: "chain", text: chain))) { error in
            XCTAssertEqual(Interpreter.diagnostics(for: error).first?.message, "expression too deeply nested")
        }
        // Garbage: every stray character is an error, but the count is capped.
        XCTAssertThrowsError(try interpreter.run(Source(name: "junk", text: String(repeating: "$\n", count: 100_000)))) { error in
            XCTAssertEqual(Interpreter.diagnostics(for: error).count, Parser.maxDiagnostics)
        }
    }

    func testNativeObjectsGetOperatorsIndicesAndMembers() throws {
        let (interpreter, out) = make()
        interpreter.define("v", .native(Vector([1, 2, 3])))
        try interpreter.run(Source(name: "-e", text: """
            print(v + 1, 2 * v, -v)
            print(v[0], v[1:3], v[:, 0], len(v))
            v.scale = 10
            v[0] = 5
            print(v, v.scale)
            for x in v { print(x) }
            print("{v:.2f} {v}")
            """))
        XCTAssertEqual(out.text, """
            vec[2, 3, 4] vec[2, 4, 6] vec[-1, -2, -3]
            1 slice(1,3,nil) slice(nil,nil,nil)+0 3
            vec[5, 2, 3] 10
            5
            2
            3
            5.00 vec[5, 2, 3]

            """)
    }
}

/// A small native type exercising the hooks.
final class Vector: NativeObject {
    var items: [Double]
    var scale: Double = 1
    init(_ items: [Double]) { self.items = items }
    var typeName: String { "vector" }
    func describe(repr: Bool) -> String { "vec[" + items.map(formatNumber).joined(separator: ", ") + "]" }
    func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool, context: CallContext) throws -> Value? {
        guard case .number(let x) = other else { return nil }
        switch op {
        case .add: return .native(Vector(items.map { $0 + x }))
        case .mul: return .native(Vector(items.map { $0 * x }))
        default: return nil
        }
    }
    func unary(_ op: UnaryOperator, context: CallContext) throws -> Value? { .native(Vector(items.map { -$0 })) }
    func index(_ components: [IndexComponent], context: CallContext) throws -> Value {
        func show(_ v: Value?) -> String { v.map { context.describe($0, repr: false) } ?? "nil" }
        let parts = components.map { c -> String in
            switch c {
            case .value(let v): return show(v)
            case .slice(let a, let b, let s): return "slice(\(show(a)),\(show(b)),\(show(s)))"
            }
        }
        if components.count == 1, case .value(.number(let i)) = components[0] { return .number(items[Int(i)]) }
        return .string(parts.joined(separator: "+"))
    }
    func setIndex(_ components: [IndexComponent], _ value: Value, context: CallContext) throws {
        guard case .value(.number(let i)) = components[0], case .number(let x) = value else { throw ScriptError("bad") }
        items[Int(i)] = x
    }
    func member(_ name: String, context: CallContext) throws -> Value? {
        if name == "item" {
            let first = items[0]
            return .builtin(BuiltinFunction(Builtin("vector.item()", "first element") { _, _ in .number(first) }, receiver: .native(self)))
        }
        return name == "scale" ? .number(scale) : nil
    }
    func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        guard name == "scale", case .number(let x) = value else { throw ScriptError("no member \(name)") }
        scale = x
    }
    var length: Int? { items.count }
    func elements(context: CallContext) throws -> [Value]? { items.map { .number($0) } }
}
