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

    func testCommands() {
        XCTAssertEqual(Completer.commands(startingWith: "re"), ["reset"])
        XCTAssertEqual(Completer.commands(startingWith: ""), ["help", "vars", "time", "load", "info", "reset", "quit"])
    }
}
