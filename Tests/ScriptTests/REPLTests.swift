import DSLanguage
import DSShell
import Foundation
import XCTest

/// REPL sessions driven by scripted lines, with output and errors captured.
final class REPLTests: XCTestCase {

    func testEchoesExpressionValuesButNotStatements() {
        let result = replSession(["1 + 2", "let x = 5", "x * 2", "\"hi\""])
        XCTAssertEqual(result.errors, "")
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "3")
        XCTAssertEqual(lines.dropFirst().first, "10")
        XCTAssertEqual(lines.count, 3, "`let` echoes nothing; got \(lines)")
        XCTAssertTrue(lines.last?.contains("hi") ?? false)
    }

    func testMultiLineEntryContinuesWhileBracketsAreOpen() {
        let result = replSession(["fn twice(a) {", "  return a * 2", "}", "twice(21)"])
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "42\n")
        XCTAssertEqual(result.reader.prompts, [">>> ", "... ", "... ", ">>> ", ">>> "])
        XCTAssertEqual(result.reader.history, ["fn twice(a) {", "  return a * 2", "}", "twice(21)"])
    }

    func testVarsListsUserVariablesOnly() {
        let result = replSession(["let x = 5", "let name = \"dscript\"", "let xs = [1, 2, 3]", ":vars"])
        XCTAssertEqual(result.errors, "")
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("name") && $0.contains("string") && $0.contains("dscript") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("x ") && $0.contains("number") && $0.hasSuffix("5") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("xs") && $0.contains("list") && $0.contains("[1, 2, 3]") }, "\(lines)")
        XCTAssertFalse(result.output.contains("print"), "built-ins are not user variables")
    }

    func testVarsWhenEmpty() {
        XCTAssertEqual(replSession([":vars"]).output, "(no variables yet)\n")
    }

    func testHelpNameShowsSignatureSummaryAndExample() {
        let result = replSession([":help twice"]) { interpreter in
            interpreter.register([
                Builtin("twice(x)", "doubles a number", example: "twice(2)   # 4") { args, _ in
                    .number(2 * (try args.number(0)))
                },
            ])
        }
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "twice(x)\n    doubles a number\n    example: twice(2)   # 4\n")
    }

    func testHelpOfACoreBuiltin() {
        let result = replSession([":help abs"])
        XCTAssertEqual(result.errors, "")
        XCTAssertTrue(result.output.hasPrefix("abs("), result.output)
        XCTAssertTrue(result.output.contains("example:"), result.output)
    }

    func testHelpOverviewListsCommandsAndGroups() {
        let result = replSession([":help"]) { interpreter in
            interpreter.register([Builtin("zeros(shape)", "a tensor of zeros") { _, _ in .null }])
        }
        for command in [":help", ":vars", ":time", ":load", ":info", ":reset", ":quit"] {
            XCTAssertTrue(result.output.contains(command), "overview lacks \(command)")
        }
        let group = result.output.components(separatedBy: "Tensors and autograd:\n").dropFirst().first ?? ""
        XCTAssertTrue(group.prefix { $0 != ":" }.contains(" zeros"), result.output)
    }

    func testHelpOverviewListsEveryGlobalOnceUnderItsDomain() {
        let result = replSession([":help"]) { interpreter in
            interpreter.register([Builtin("loose(x)", "registered outside any domain") { _, _ in .null }])
        }
        let interpreter = result.interpreter
        XCTAssertEqual(interpreter.domains.map(\.title), [
            "Core", "Math", "Strings", "Collections", "Tensors and autograd", "Layers and optimizers", "Diffusion",
            "Models", "Files, pictures and data", "Teaching the math",
        ])
        // The domains' lists lie between the commands and the methods by type.
        let lists = result.output.components(separatedBy: "\n\nCore:\n").last?.components(separatedBy: "\nMethods, by type").first ?? ""
        let words = lists.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        for name in interpreter.helpEntries.map(\.name) where !name.contains(".") {
            XCTAssertEqual(words.filter { $0 == name }.count, 1, name)
        }
        for domain in interpreter.domains { XCTAssertTrue(result.output.contains("\n\(domain.title):\n"), domain.title) }
        XCTAssertTrue(result.output.contains("\nMore:\n  loose\n"), result.output)
    }

    func testCommandsRunByNameOrAlias() {
        let result = replSession([":help lo", ":vars", ":q", "1"])
        XCTAssertEqual(result.output, ":load FILE\n    run FILE with the REPL's variables\n(no variables yet)\n")
        XCTAssertEqual(replSession([":nope"]).errors, "unknown command ':nope' (try :help)\n")
    }

    func testInfoDescribesTheMachine() {
        let result = replSession([":info"])
        XCTAssertEqual(result.errors, "")
        let lines = result.output.split(separator: "\n").map(String.init)
        for (index, key) in ["cpu:", "", "kernels:", "blas:", "threads:"].enumerated() where !key.isEmpty {
            XCTAssertTrue(lines.count > index && lines[index].hasPrefix(key), result.output)
        }
        XCTAssertTrue(result.output.contains("OpenBLAS"), result.output)
    }

    func testHelpOfUnknownNameComplains() {
        let result = replSession([":help no_such_thing_here"])
        XCTAssertEqual(result.output, "")
        XCTAssertTrue(result.errors.contains("no help for 'no_such_thing_here'"), result.errors)
    }

    func testTimeRunsTheExpressionAndPrintsTheWallTime() {
        let result = replSession([":time 6 * 7"])
        XCTAssertEqual(result.errors, "")
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "42")
        XCTAssertEqual(lines.count, 2)
        let timing = lines.last ?? ""
        XCTAssertTrue(timing.hasPrefix("time: "), timing)
        XCTAssertTrue(timing.hasSuffix(" µs") || timing.hasSuffix(" ms") || timing.hasSuffix(" s"), timing)
    }

    func testTimeOfAFailingExpressionReportsTheErrorOnly() {
        let result = replSession([":time error(\"slow failure\")", ":time"])
        XCTAssertEqual(result.output, "")
        XCTAssertTrue(result.errors.contains("slow failure"), result.errors)
        XCTAssertTrue(result.errors.contains("usage: :time EXPR"), result.errors)
    }

    func testResetForgetsUserVariables() {
        let result = replSession(["let x = 1", ":reset", ":vars", "x"])
        XCTAssertEqual(result.output, "(variables cleared)\n(no variables yet)\n")
        XCTAssertTrue(result.errors.contains("<repl>:1:1: error:"), result.errors)
    }

    func testErrorsAreReportedAndTheSessionContinues() {
        let result = replSession(["let y = 3", "1 +", ")", "error(\"boom\")", "y + 1"])
        XCTAssertTrue(result.errors.contains("<repl>:"), result.errors)
        XCTAssertTrue(result.errors.contains("boom"), result.errors)
        XCTAssertEqual(result.output, "4\n")
        XCTAssertEqual(result.status, 0)
    }

    func testControlCAtThePromptDropsTheUnfinishedEntry() {
        let result = replSession(["let kept = 7", "fn broken(a) {", ScriptedLineReader.controlC, "kept"])
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "7\n")
        XCTAssertEqual(result.reader.prompts, [">>> ", ">>> ", "... ", ">>> ", ">>> "])
    }

    func testInterruptStopsRunningCodeAndKeepsVariables() {
        let output = StringSink(), errors = StringSink()
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: output, errorOutput: errors)
        let reader = ScriptedLineReader(["let kept = 11", "while true { kept = kept }", "kept"])
        let repl = REPL(interpreter: interpreter, reader: reader, output: output, errorOutput: errors)
        // Keep asking the loop to stop until the REPL comes back for the next line.
        let stop = DispatchSemaphore(value: 0)
        let pester = Thread {
            while stop.wait(timeout: .now() + .milliseconds(20)) == .timedOut { interpreter.interrupt() }
        }
        pester.start()
        repl.run(banner: false)
        stop.signal()
        XCTAssertTrue(errors.text.contains("interrupted"), errors.text)
        XCTAssertEqual(output.text, "11\n")
    }

    func testExitLeavesWithItsStatus() {
        let result = replSession(["exit(3)", "print(\"not reached\")"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.output, "")
    }

    /// `:time exit(n)` and `exit(n)` in a `:load`ed file leave as the bare statement does, untimed.
    func testExitInsideACommandLeavesWithItsStatus() throws {
        let timed = replSession(["print(1)", ":time exit(3)", "print(\"not reached\")"])
        XCTAssertEqual(timed.status, 3)
        XCTAssertEqual(timed.output, "1\n")
        XCTAssertEqual(timed.errors, "")
        let zero = replSession([":time exit(0)", "print(\"not reached\")"])
        XCTAssertEqual(zero.status, 0)
        XCTAssertEqual(zero.output, "")
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "leave.dscript", "print(\"loaded\")\nexit(4)\n")
        let loaded = replSession([":load \(path)", "print(\"not reached\")"])
        XCTAssertEqual(loaded.status, 4)
        XCTAssertEqual(loaded.output, "loaded\n")
    }

    func testQuitStopsReading() {
        let result = replSession(["1", ":quit", "2"])
        XCTAssertEqual(result.output, "1\n")
    }

    func testLoadRunsAFileInTheREPLGlobals() throws {
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "setup.dscript", "let loaded = 40\nfn bump(v) => v + 2\n")
        let result = replSession([":load \(path)", "bump(loaded)", ":load \(folder.path)/missing.dscript"])
        XCTAssertEqual(result.output, "42\n")
        XCTAssertTrue(result.errors.contains("missing.dscript: no such file"), result.errors)
    }

    func testUnknownCommand() {
        let result = replSession([":frobnicate"])
        XCTAssertTrue(result.errors.contains("unknown command ':frobnicate'"), result.errors)
    }
}

/// `:help` reaches types, variables, members through a variable's type, modules and `help(x)`.
final class HelpLookupTests: XCTestCase {
    func testTypesListTheirMethods() {
        for type in ["tensor", "schedule", "model"] {
            let output = replSession([":help \(type)"]).output
            XCTAssertTrue(output.contains("Methods of \(type):\n"), output)
        }
        let schedule = replSession([":help schedule"]).output
        XCTAssertTrue(schedule.hasPrefix("schedule(kind, steps = 1000"), schedule)
        XCTAssertTrue(schedule.contains("  schedule.q_sample(x0, t, noise)"), schedule)
    }

    func testMembersResolveThroughAVariablesTypeAndModules() {
        let result = replSession(["let s = schedule(\"linear\", steps: 10)", ":help s.q_sample", "import \"train\"", ":help train.train",
                                  "help(s.predict_x0)", ":help s"])
        XCTAssertEqual(result.errors, "")
        XCTAssertTrue(result.output.contains("schedule.q_sample(x0, t, noise) -> tensor\n    x_t = √ᾱ_t·x0"), result.output)
        XCTAssertTrue(result.output.contains("fn train(model, s, data, steps = 1000, batch = 256,"), result.output)
        XCTAssertTrue(result.output.contains("    Trains `model` to predict the noise"), result.output)
        XCTAssertTrue(result.output.contains("schedule.predict_x0(xt, t, eps) -> tensor\n"), result.output)
        XCTAssertTrue(result.output.contains("s: schedule = schedule(\"linear\", steps: 10"), result.output)
        XCTAssertTrue(result.output.contains("alpha_bar"), result.output)
    }

    func testUnknownTopicsAndCommandsSuggestTheClosest() {
        XCTAssertEqual(replSession([":help zeroes"]).errors, "no help for 'zeroes' (did you mean 'zeros'?) (:help lists everything)\n")
        XCTAssertEqual(replSession([":help :lod"]).errors, "no help for ':lod' (did you mean ':load'?) (:help lists everything)\n")
        XCTAssertEqual(replSession([":hlep"]).errors, "unknown command ':hlep' (did you mean ':help'?)\n")
        XCTAssertEqual(replSession([":tiem 1"]).errors, "unknown command ':tiem' (did you mean ':time'?)\n")
    }
}
