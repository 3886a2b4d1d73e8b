import XCTest
import DSLanguage

/// Assigning a name that was never declared says how to declare it.
final class AssignmentHintTests: XCTestCase {
    func testAssigningAnUndeclaredNameSuggestsLet() {
        let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
        XCTAssertThrowsError(try interpreter.evaluateInteractive(Source(name: "<repl>", text: "s = 1"))) { error in
            let rendered = Interpreter.render(Interpreter.diagnostics(for: error), color: false)
            XCTAssertEqual(rendered, """
                <repl>:1:1: error: undefined name 's'
                s = 1
                ^
                note: declare a new variable with 'let s = ...'

                """)
        }
    }

    func testReadingAnUndeclaredNameHasNoHint() {
        let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
        XCTAssertThrowsError(try interpreter.run(Source(name: "t", text: "print(nope)"))) { error in
            let diagnostics = Interpreter.diagnostics(for: error)
            XCTAssertEqual(diagnostics.first?.notes, [])
        }
    }
}
