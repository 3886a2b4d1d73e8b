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
        let written = Habit.table.map { "\($0.kind) \($0.written) \($0.function ?? "")" }
        XCTAssertEqual(written.count, Set(written).count, "one row per habit")
    }

    /// A keyword row that names its function gives its hint there only; elsewhere the keyword gets the
    /// row that applies everywhere, or "did you mean", or nothing. (torch accepts every keyword of these
    /// rows: linspace(steps=), zeros/ones/randn/rand(size=), full(size=, fill_value=), randint(low=,
    /// high=, size=), clamp(min=, max=), chunk(chunks=), flip(dims=), std/var(correction=), pow(exponent=),
    /// nn.Linear/Conv2d/GroupNorm/LayerNorm's names, interpolate(scale_factor=), avg_pool2d(kernel_size=),
    /// scaled_dot_product_attention(attn_mask=), clip_grad_norm_(max_norm=), checked with torch 2.x.)
    func testKeywordRowsOfOneFunction() {
        XCTAssertEqual(errorMessage("linspace(0, 1, steps: 5)"), "unknown keyword argument 'steps' to 'linspace' "
                       + "(torch.linspace(start, end, steps=n) is linspace(start, end, n))")
        XCTAssertEqual(errorMessage("zeros(2, steps: 5)"), "unknown keyword argument 'steps' to 'zeros'")
        XCTAssertEqual(errorMessage("randn([3]).sum(min: 0)"), "unknown keyword argument 'min' to 'sum'")
        XCTAssertEqual(errorMessage("mse(randn([2]), randn([2]), size: 2)"), "unknown keyword argument 'size' to 'mse'")
        XCTAssertEqual(errorMessage("randn(2, size: [2])"),
                       "unknown keyword argument 'size' to 'randn' (torch's size= is the shape: randn([2, 3]) or randn(2, 3))")
        XCTAssertEqual(Habit.find(.keyword, "steps", function: "zeros")?.hint, nil)
        XCTAssertEqual(Habit.find(.keyword, "dim", function: "linspace")?.hint, "PyTorch's dim= is axis:")
        // a script function of the same name as a row's function gets the row too (it is what was meant)
        XCTAssertEqual(errorMessage("fn chunk(n) => n\nchunk(chunks: 2)"),
                       "unknown keyword argument 'chunks' to 'chunk' (torch's x.chunk(chunks, dim) is x.chunk(n, axis))")
    }

    /// torch.arange(end=5) counts from 0, and so does arange(end: 5).
    func testArangeTakesEndAlone() {
        XCTAssertNil(errorMessage("let a = arange(end: 3)\nif a.tolist() != [0, 1, 2] { error(\"got {a}\") }"))
        XCTAssertNil(errorMessage("if arange(1, end: 3).tolist() != [1, 2] { error(\"wrong\") }"))
        XCTAssertEqual(errorMessage("arange()"), "bad argument 'end' to 'arange' (give an end: arange(5), arange(0, 5) or arange(end: 5))")
    }

    /// Scripts with a misspelt name, member or keyword, and the message each fails with.
    static let misspellings: [(script: String, message: String)] = [
        ("pritn(1)", "undefined name 'pritn' (did you mean 'print'?)"),
        ("let learning_rate = 1\nprint(learning_rte)", "undefined name 'learning_rte' (did you mean 'learning_rate'?)"),
        ("fn f(alpha) { return alhpa }", "undefined name 'alhpa' (did you mean 'alpha'?)"),
        ("randn([2]).mena()", "tensor has no member 'mena' (did you mean 'mean'?)"),
        ("let d = {\"alpha\": 1}\nd.alpah", "dict has no key 'alpah' (did you mean 'alpha'?)"),
        ("randn([2, 2]).sum(axsi: 0)", "unknown keyword argument 'axsi' to 'sum' (did you mean 'axis'?)"),
        ("fn g(steps = 1) => steps\ng(step: 2)", "unknown keyword argument 'step' to 'g' (did you mean 'steps'?)"),
        ("randn([2]).shape()", "cannot call a value of type list (.shape is not a method: drop the parentheses)"),
        // a member whose value is a tensor or model (not callable) says so as well
        ("randn([2, 2]).T()", "cannot call a value of type tensor (.T is not a method: drop the parentheses)"),
        // Nothing close: no guess.
        ("print(zzzqqq)", "undefined name 'zzzqqq'"),
        ("let x = 1\nprint(y)", "undefined name 'y'"),
    ]

    func testDidYouMeanPicksTheClosestNameInScope() {
        for (script, message) in Self.misspellings { XCTAssertEqual(errorMessage(script), message, script) }
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
