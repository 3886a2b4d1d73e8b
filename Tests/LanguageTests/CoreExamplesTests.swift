import XCTest
@testable import DSLanguage

/// Every `:help` example of the core library that states its result (`expr   # result`) is run
/// through the interpreter and must print that result (`repr`), so the help text cannot drift.
/// Skipped while the interpreter is the contract stub (it prints nothing).
final class CoreExamplesTests: XCTestCase {
    func run(_ code: String) -> String? {
        let sink = StringSink()
        let interpreter = Interpreter(output: sink, errorOutput: StringSink())
        for (name, value) in CoreLibrary.constants { interpreter.define(name, value) }
        do {
            try interpreter.run(Source(name: "example", text: code))
        } catch {
            return "error: " + Interpreter.render(Interpreter.diagnostics(for: error), color: false)
        }
        interpreter.flush()
        var text = sink.text
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    func testExamplesPrintTheirStatedResults() throws {
        guard run("print(1)") == "1" else { throw XCTSkip("the interpreter is not there yet") }
        var checked = 0
        for builtin in CoreLibrary.all {
            guard let hash = builtin.example.range(of: "   # ") else { continue }
            let code = String(builtin.example[..<hash.lowerBound])
            let want = String(builtin.example[hash.upperBound...])
            // `print(...)   # text` states what is printed; every other example states a value.
            let program = code.hasPrefix("print(") ? code : "print(repr(\(code)))"
            XCTAssertEqual(run(program), want, "\(builtin.name): \(code)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
    }
}
