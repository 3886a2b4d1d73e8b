import XCTest
@testable import DSLanguage

/// Fully rendered diagnostics, pinned: message, source line, caret, notes, traceback.
final class DiagnosticRenderingTests: XCTestCase {
    func failure(_ text: String, name: String = "test.dscript") -> String {
        let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
        do {
            try interpreter.run(Source(name: name, text: text))
            return "<no error>"
        } catch {
            return Interpreter.render(Interpreter.diagnostics(for: error), color: false)
        }
    }

    func testRuntimeErrorWithTraceback() {
        let rendered = failure("""
            fn f(x) {
              return x + "a"
            }
            fn g() { return f(1) }
            g()
            """)
        XCTAssertEqual(rendered, """
            test.dscript:2:10: error: unsupported operand types for +: number and string
              return x + "a"
                     ^~~~~~~
              at f (test.dscript:4:17)
              at g (test.dscript:5:1)

            """)
    }

    func testSyntaxErrorWithNote() {
        let rendered = failure("""
            let a = 1
            print(a, (2
            let b = 3
            """)
        XCTAssertEqual(rendered, """
            test.dscript:3:1: error: expected ')' but found 'let'
            let b = 3
            ^~~
            test.dscript:2:10: note: to close '(' opened at 2:10
            print(a, (2
                     ^

            """)
    }

    func testUndefinedNameIsFoundBeforeRunning() {
        let rendered = failure("print(\"runs?\")\nprint(nope)")
        XCTAssertEqual(rendered, """
            test.dscript:2:7: error: undefined name 'nope'
            print(nope)
                  ^~~~

            """)
    }

    func testBuiltinArgumentError() {
        XCTAssertEqual(failure("let n = len(5)"), """
            test.dscript:1:9: error: bad argument #1 to 'len' (value with a length expected, got number)
            let n = len(5)
                    ^~~~~~

            """)
    }

    func testCaretUnderUnicodeAndTabs() {
        let rendered = failure("let ᾱ = 1\n\tᾱ + nil")
        XCTAssertEqual(rendered, """
            test.dscript:2:2: error: unsupported operand types for +: number and nil
            \tᾱ + nil
            \t^~~~~~~

            """)
    }

    func testLongLinesAreWindowed() {
        let text = "let s = \"" + String(repeating: "x", count: 5000) + "\" + 1"
        let rendered = failure(text)
        let lines = rendered.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("test.dscript:1:9: error: unsupported operand types for +: string and number"))
        XCTAssertLessThan(lines[1].count, 200)
    }

    func testColorOnlyWhenAsked() {
        let d = [Diagnostic("boom", span: nil)]
        XCTAssertEqual(Interpreter.render(d, color: false), "error: boom\n")
        XCTAssertTrue(Interpreter.render(d, color: true).contains("\u{1B}[1;31merror:"))
    }
}
