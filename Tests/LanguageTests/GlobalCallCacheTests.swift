import XCTest
import DSLanguage

/// Calls to a global function use a cached pointer to it; redefinitions in the REPL must be seen.
final class GlobalCallCacheTests: XCTestCase {
    func testREPLRedefinitionIsSeenByCallers() throws {
        let out = StringSink()
        let interpreter = Interpreter(output: out, errorOutput: StringSink())
        for line in [
            "fn f(x) { return x + 1 }",
            "fn g(x) { return f(x) * 10 }",
            "print(g(1))",
            "fn f(x) { return x + 2 }",
            "print(g(1))",
            "let f = fn(x) => x + 3",
            "print(g(1))",
            "f = 5",
        ] {
            _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: line))
        }
        XCTAssertThrowsError(try interpreter.evaluateInteractive(Source(name: "<repl>", text: "g(1)")))
        interpreter.flush()
        XCTAssertEqual(out.text, "20\n30\n40\n")
    }
}
