import DSLanguage
import DSShell
import XCTest

/// A native object with a few members, one of which is another native object.
private final class Probe: NativeObject {
    let depth: Int
    init(depth: Int) { self.depth = depth }
    var typeName: String { "probe" }
    var memberNames: [String] { depth > 0 ? ["shape", "std", "sum", "inner"] : ["shape", "std", "sum"] }
    func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "shape": return .list(ListObject([.number(2)]))
        case "inner" where depth > 0: return .native(Probe(depth: depth - 1))
        case "std", "sum": return .number(0)
        default: return nil
        }
    }
}

/// Tab completion: globals, built-ins, keywords; members after `.`; REPL commands.
final class CompletionTests: XCTestCase {

    func makeCompleter(_ code: String, setup: (Interpreter) -> Void = { _ in }) throws -> Completer {
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: StringSink(), errorOutput: StringSink())
        setup(interpreter)
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: code))
        return Completer(interpreter: interpreter)
    }

    func testVariablesWithAPrefix() throws {
        let completer = try makeCompleter("let alpha_bar = 1; let alpine = 2; let beta = 3")
        XCTAssertEqual(completer.candidates(for: "alp"), ["alpha_bar", "alpine"])
        XCTAssertEqual(completer.candidates(for: "bet"), ["beta"])
        XCTAssertEqual(completer.candidates(for: "zzz_nothing"), [])
    }

    func testKeywordsAndBuiltins() throws {
        let completer = try makeCompleter("let whilst = 1")
        XCTAssertEqual(completer.candidates(for: "whi"), ["while", "whilst"])
        XCTAssertTrue(completer.candidates(for: "pri").contains("print"))
    }

    func testDictKeysAfterADot() throws {
        let completer = try makeCompleter("let cfg = {steps: 10, stride: 2, eta: 0}")
        XCTAssertEqual(completer.candidates(for: "cfg.st"), ["cfg.steps", "cfg.stride"])
        XCTAssertEqual(completer.candidates(for: "cfg."), ["cfg.eta", "cfg.steps", "cfg.stride"])
    }

    func testNativeMembersAfterADotAndThroughAChain() throws {
        let completer = try makeCompleter("let unrelated = 1") { interpreter in
            interpreter.define("p", .native(Probe(depth: 1)))
        }
        XCTAssertEqual(completer.candidates(for: "p.s"), ["p.shape", "p.std", "p.sum"])
        XCTAssertEqual(completer.candidates(for: "p.inner.su"), ["p.inner.sum"])
        XCTAssertEqual(completer.candidates(for: "p.inner.inner."), [], "the inner probe has no `inner`")
        XCTAssertEqual(completer.candidates(for: "nothing.s"), [])
        XCTAssertEqual(completer.candidates(for: "unrelated.s"), [], "numbers have no members")
    }

    func testModuleMembers() throws {
        let folder = try temporaryFolder(self)
        try writeFile(folder, "shapes_mod.dscript", "let square_side = 2\nfn square_area(a) => a * a\n")
        let completer = try makeCompleter("import \"shapes_mod\"") { interpreter in
            interpreter.importPaths = [folder.path] + interpreter.importPaths
        }
        XCTAssertEqual(completer.candidates(for: "shapes_mod.square_"), ["shapes_mod.square_area", "shapes_mod.square_side"])
    }

    func testHelpNamesIncludeMethodEntries() throws {
        let completer = try makeCompleter("let probe_count = 1") { interpreter in
            interpreter.registerHelp([Builtin("probe.sum()", "sum of a probe") { _, _ in .null }])
        }
        XCTAssertEqual(completer.helpCandidates(for: "probe"), ["probe.sum", "probe_count"])
    }

    /// After a call, the members of the type its callee declares (`-> tensor`), found from the text
    /// alone: the calls are not made (here they could not be: `x` and `e` do not exist, and `boom`
    /// would print).
    func testMembersOfWhatACallReturns() throws {
        let output = StringSink()
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: output, errorOutput: StringSink())
        _ = try interpreter.evaluateInteractive(Source(name: "<repl>", text: """
            let s = schedule("linear", steps: 10)
            let t = zeros(1)
            let m = linear(2, 3)
            fn boom() { print("ran"); return zeros(1) }
            """))
        let completer = Completer(interpreter: interpreter)
        // the same names as completing a variable holding such a value
        func members(of variable: String) -> [String] {
            completer.candidates(for: variable + ".").map { String($0.dropFirst(variable.count)) }
        }
        XCTAssertTrue(members(of: "t").contains(".shape") && members(of: "t").contains(".sum"))
        XCTAssertEqual(completer.candidates(for: ".", after: "tensor([1])"), members(of: "t"))
        XCTAssertEqual(completer.candidates(for: ".su", after: "let y = s.q_sample(x, 1, e)"), [".sum"])
        XCTAssertEqual(completer.candidates(for: ".sq", after: "randn(2, 3).reshape(3, 2).mean(axis: 0)"),
                       [".sqrt", ".square", ".squeeze"])
        XCTAssertEqual(completer.candidates(for: ".sq", after: "zeros(len(\"))(\")).abs()"), [".sqrt", ".square", ".squeeze"],
                       "brackets inside strings do not count")
        XCTAssertEqual(completer.candidates(for: ".", after: "schedule(\"cosine\").with(spacing: \"trailing\")"), members(of: "s"))
        // a model's members beyond its own layers' names
        XCTAssertEqual(Set(completer.candidates(for: ".", after: "linear(2, 3)")), Set(members(of: "m")).subtracting([".weight", ".bias"]))
        XCTAssertEqual(completer.candidates(for: ".st", after: "adam(linear(2, 2).params())"), [".step", ".steps"])
        // Nothing is known: a script function, a built-in whose result depends on its argument
        // (abs(1) is a number), a result with no declared type, an index, a literal, no call.
        for before in ["boom()", "abs(randn([2]))", "randn([2]).item()", "randn([2, 2])[0]", "\"abc\"", "(zeros(1))", "", "1 +"] {
            XCTAssertEqual(completer.candidates(for: ".s", after: before), [], before)
        }
        XCTAssertEqual(output.text, "", "completion ran nothing")
    }

    /// The expression before the dot is read from its tokens: calls, members and names only, a long
    /// chain given up on rather than followed.
    func testTrailingExpressions() {
        XCTAssertEqual(TrailingExpression(endOf: "let y = s.q_sample(x, f(\")\"), e)"),
                       .call(.member(.name("s"), "q_sample")))
        XCTAssertEqual(TrailingExpression(endOf: "a.b().c"), .member(.call(.member(.name("a"), "b")), "c"))
        XCTAssertNil(TrailingExpression(endOf: "x[0]"))
        XCTAssertNil(TrailingExpression(endOf: "f(1))"), "unbalanced")
        XCTAssertNil(TrailingExpression(endOf: Array(repeating: "a", count: 5000).joined(separator: ".")))
        XCTAssertNil(TrailingExpression(endOf: String(repeating: "f(", count: 3000) + String(repeating: ")", count: 3000) + "+"))
    }

    /// Every declared result type is the type of what the built-in returned in every call the
    /// golden scripts make (ScriptRun checks each call), and each such built-in is called there.
    func testDeclaredResultTypesAreExercised() throws {
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: StringSink(), errorOutput: StringSink())
        let declared = interpreter.helpEntries.filter { $0.resultType != nil }
        XCTAssertGreaterThan(declared.count, 100)
        let scripts = ScriptGoldenTests.scripts.compactMap {
            try? String(contentsOfFile: ScriptGoldenTests.scriptsFolder.appendingPathComponent($0).path, encoding: .utf8)
        }.joined(separator: "\n")
        for b in declared {
            let called = b.name.contains(".") ? "." + b.shortName + "(" : b.name + "("
            XCTAssertTrue(scripts.contains(called), "\(b.name) -> \(b.resultType ?? ""): no golden script calls it")
        }
    }

    func testCommands() {
        XCTAssertEqual(Completer.commands(startingWith: "re"), ["reset"])
        XCTAssertEqual(Completer.commands(startingWith: ""), ["help", "vars", "time", "load", "info", "reset", "quit"])
    }
}
