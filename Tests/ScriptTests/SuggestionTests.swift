@testable import DSLanguage
import DSShell
import XCTest

/// Errors that say what you meant: every row of the habit table, and "did you mean" by edit distance.
final class SuggestionTests: XCTestCase {
    /// The message of the error `code` raises in an interpreter with every built-in.
    func errorMessage(_ code: String) -> String? {
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: StringSink(), errorOutput: StringSink())
        do {
            try interpreter.run(Source(name: "t", text: code))
            return nil
        } catch {
            return Interpreter.diagnostics(for: error).map(\.message).joined(separator: "\n")
        }
    }

    func testEveryHabitRowGivesItsHint() {
        XCTAssertGreaterThanOrEqual(Habit.table.count, 30)
        for habit in Habit.table {
            let message = errorMessage(habit.example)
            XCTAssertTrue(message?.contains("(\(habit.hint))") == true,
                          "\(habit.written): `\(habit.example)` gave \(message ?? "no error")")
        }
    }

    func testTheRowsTheIssueNames() {
        for (written, kind, advice) in [
            ("parameters", Habit.Kind.member, "params()"), ("load_state_dict", .member, "load_state(model, sd)"),
            ("manual_seed", .name, "seed(n)"), ("dim", .keyword, "axis:"), ("alphas_cumprod", .member, "s.alpha_bar"),
            ("f-string", .syntax, "needs no f"), ("numel", .call, "x.numel, a number"), ("tuple", .syntax, "[128]"),
            ("for-pair", .syntax, "enumerate(xs)"),
        ] {
            XCTAssertTrue(Habit.find(kind, written)?.hint.contains(advice) == true, written)
        }
        let written = Habit.table.map { "\($0.kind) \($0.written)" }
        XCTAssertEqual(written.count, Set(written).count, "one row per habit")
    }

    func testDidYouMeanPicksTheClosestNameInScope() {
        XCTAssertEqual(errorMessage("pritn(1)"), "undefined name 'pritn' (did you mean 'print'?)")
        XCTAssertEqual(errorMessage("let learning_rate = 1\nprint(learning_rte)"),
                       "undefined name 'learning_rte' (did you mean 'learning_rate'?)")
        XCTAssertEqual(errorMessage("fn f(alpha) { return alhpa }"), "undefined name 'alhpa' (did you mean 'alpha'?)")
        XCTAssertEqual(errorMessage("randn([2]).mena()"), "tensor has no member 'mena' (did you mean 'mean'?)")
        XCTAssertEqual(errorMessage("let d = {\"alpha\": 1}\nd.alpah"), "dict has no key 'alpah' (did you mean 'alpha'?)")
        XCTAssertEqual(errorMessage("randn([2, 2]).sum(axsi: 0)"), "unknown keyword argument 'axsi' to 'sum' (did you mean 'axis'?)")
        XCTAssertEqual(errorMessage("fn g(steps = 1) => steps\ng(step: 2)"),
                       "unknown keyword argument 'step' to 'g' (did you mean 'steps'?)")
        XCTAssertEqual(errorMessage("randn([2]).shape()"), "cannot call a value of type list (.shape is not a method: drop the parentheses)")
        // a member whose value is a tensor or model (not callable) says so as well
        XCTAssertEqual(errorMessage("randn([2, 2]).T()"), "cannot call a value of type tensor (.T is not a method: drop the parentheses)")
        // Nothing close: no guess.
        XCTAssertEqual(errorMessage("print(zzzqqq)"), "undefined name 'zzzqqq'")
        XCTAssertEqual(errorMessage("let x = 1\nprint(y)"), "undefined name 'y'")
    }

    func testDistanceCountsEditsAndSwaps() {
        func d(_ a: String, _ b: String) -> Int {
            Suggestions.distance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: 9)
        }
        XCTAssertEqual(d("print", "pritn"), 1)
        XCTAssertEqual(d("kitten", "sitting"), 3)
        XCTAssertEqual(d("", "abc"), 3)
        XCTAssertEqual(d("ᾱ_t", "α_t"), 1)
        XCTAssertEqual(Suggestions.distance(Array("abcdef".unicodeScalars), Array("uvwxyz".unicodeScalars), limit: 2), 3)
        XCTAssertEqual(Suggestions.closest(to: "Print", in: ["print", "pint"]), "print")
        XCTAssertNil(Suggestions.closest(to: "ab", in: ["abs"]), "two letters are too short to guess from")
    }
}
