import DSLanguage
import DSShell
import Foundation
import XCTest

/// Parsing the command line (in process): modes, options, arguments passed through to the script.
final class InvocationTests: XCTestCase {
    func testScriptArgumentsPassThroughUntouched() {
        let invocation = Invocation.parse(["train.dscript", "--steps", "2000", "-e", "x"])
        XCTAssertEqual(invocation.mode, .file("train.dscript"))
        XCTAssertEqual(invocation.settings.scriptArguments, ["--steps", "2000", "-e", "x"])
    }

    func testOptionsBeforeTheProgram() {
        let invocation = Invocation.parse(["--seed", "7", "--threads", "2", "--quiet", "--no-color", "-e", "print(1)", "a"])
        XCTAssertEqual(invocation.mode, .code("print(1)"))
        XCTAssertEqual(invocation.settings.seed, 7)
        XCTAssertEqual(invocation.settings.threads, 2)
        XCTAssertTrue(invocation.settings.quiet)
        XCTAssertFalse(invocation.settings.color)
        XCTAssertEqual(invocation.settings.scriptArguments, ["a"])
    }

    func testDashReadsStandardInput() {
        let invocation = Invocation.parse(["-", "x", "--y"])
        XCTAssertEqual(invocation.mode, .standardInput)
        XCTAssertEqual(invocation.settings.scriptArguments, ["x", "--y"])
    }

    func testDoubleDashEndsOptions() {
        XCTAssertEqual(Invocation.parse(["--", "-odd.dscript"]).mode, .file("-odd.dscript"))
    }

    func testBadUsageIsStatusTwo() {
        for arguments in [["--bogus"], ["--seed"], ["--seed", "abc"], ["--threads", "x"], ["-e"], ["--seed", "1", "--frob", "f.dscript"]] {
            guard case .message(_, let status) = Invocation.parse(arguments).mode else {
                XCTFail("\(arguments) should be a usage error")
                continue
            }
            XCTAssertEqual(status, 2, "\(arguments)")
        }
    }

    /// A negative number is a value to judge, not a missing one ("Missing value for '--threads'").
    func testNegativeValuesAreJudged() {
        let cases = [(["--threads", "-1"], "--threads must be 0 or more, got -1"),
                     (["--seed", "-1"], "The value '-1' is invalid for '--seed <N>'")]
        for (arguments, expected) in cases {
            guard case .message(let text, 2) = Invocation.parse(arguments + ["-e", "1"]).mode else {
                XCTFail("\(arguments) should be a usage error")
                continue
            }
            XCTAssertTrue(text.contains(expected), text)
            XCTAssertFalse(text.contains("Missing value"), text)
        }
    }

    func testHelpAndVersionAreStatusZero() {
        guard case .message(let help, 0) = Invocation.parse(["--help"]).mode else { return XCTFail("--help") }
        XCTAssertTrue(help.contains("dscript FILE.dscript [ARGS...]"), help)
        XCTAssertEqual(Invocation.parse(["--version"]).mode, .version)
        XCTAssertEqual(Invocation.parse(["--threads", "3", "--version"]).settings.threads, 3)
    }
}

/// The built executable, run as a process: exit statuses, streams, arguments, bad input.
final class ExecutableTests: XCTestCase {
    func testEvalPrintsAndExitsZero() throws {
        let result = try runDscript(["-e", "print(1 + 2)"])
        XCTAssertEqual(result.output, "3\n")
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.status, 0)
    }

    func testArgsReachTheScript() throws {
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "show_args.dscript", "#!/usr/bin/env dscript\nprint(len(args), args[0], args[1], args[2])\n")
        let result = try runDscript([path, "--steps", "2000", "-q"])
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "3 --steps 2000 -q\n")
        XCTAssertEqual(result.status, 0)
    }

    func testProgramFromStandardInput() throws {
        let dash = try runDscript(["-", "one"], input: "print(args[0])\n")
        XCTAssertEqual(dash.output, "one\n")
        let piped = try runDscript([], input: "print(40 + 2)\n")
        XCTAssertEqual(piped.output, "42\n", "a pipe with no FILE is read as a program, without prompts")
        XCTAssertEqual(piped.status, 0)
    }

    func testVersionAndHelp() throws {
        let version = try runDscript(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.output.hasPrefix("dscript "), version.output)
        XCTAssertEqual(version.errors, "")
        let help = try runDscript(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("--seed"), help.output)
    }

    /// `--version` says what runs: the CPU, the kernels' level (DSCRIPT_CPU_LEVEL lowers it), the
    /// BLAS kernels and who chose them (a user's OPENBLAS_CORETYPE stands), the threads.
    func testVersionPrintsTheMachineConfiguration() throws {
        func lines(_ arguments: [String], _ environment: [String: String]) throws -> [String: String] {
            let result = try runDscript(arguments, environment: environment)
            XCTAssertEqual(result.status, 0, result.errors)
            var fields: [String: String] = [:]
            for line in result.output.split(separator: "\n") {
                if let colon = line.firstIndex(of: ":"), !line.hasPrefix(" ") {
                    fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return fields
        }
        // OPENBLAS_CORETYPE="" counts as unset (for OpenBLAS too).
        let plain = try lines(["--threads", "3", "--version"], ["OPENBLAS_CORETYPE": "", "DSCRIPT_CPU_LEVEL": ""])
        XCTAssertNotNil(plain["cpu"])
        XCTAssertEqual(plain["threads"], "3 (--threads)")
        let level = try XCTUnwrap(plain["kernels"]?.split(separator: " ").first.map(String.init))
        XCTAssertTrue(plain["kernels"]?.contains("the best this CPU has") ?? false, "\(plain)")
        XCTAssertTrue(plain["blas"]?.hasPrefix("OpenBLAS ") ?? false, "\(plain)")
        let lowered = try lines(["--version"], ["OPENBLAS_CORETYPE": "", "DSCRIPT_CPU_LEVEL": "baseline", "OMP_NUM_THREADS": "1"])
        XCTAssertEqual(lowered["kernels"].map { $0.hasPrefix("baseline") }, true, "\(lowered)")
        XCTAssertEqual(lowered["threads"], "1 (OMP_NUM_THREADS)")
        if level != "baseline" {
            XCTAssertTrue(lowered["kernels"]?.contains("(this CPU has \(level)); DSCRIPT_CPU_LEVEL=baseline") ?? false, "\(lowered)")
            XCTAssertTrue(lowered["blas"]?.contains("kernel Prescott (chosen by dscript for baseline") ?? false, "\(lowered)")
        }
        let user = try lines(["--version"], ["OPENBLAS_CORETYPE": "Sandybridge", "DSCRIPT_CPU_LEVEL": ""])
        XCTAssertTrue(user["blas"]?.hasSuffix("kernel Sandybridge (OPENBLAS_CORETYPE=Sandybridge from the environment)") ?? false, "\(user)")
        let wrong = try lines(["--version"], ["DSCRIPT_CPU_LEVEL": "sse9"])
        XCTAssertTrue(wrong["kernels"]?.hasSuffix("DSCRIPT_CPU_LEVEL=sse9 ignored: expected baseline, avx2 or avx512") ?? false, "\(wrong)")
    }

    func testUnknownFlagAndMissingValueAreStatusTwo() throws {
        let unknown = try runDscript(["--bogus", "file.dscript"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.errors.contains("--bogus"), unknown.errors)
        XCTAssertEqual(try runDscript(["--seed"]).status, 2)
        XCTAssertEqual(try runDscript(["-e"]).status, 2)
    }

    func testMissingFileDirectoryAndBinaryFileAreStatusOne() throws {
        let folder = try temporaryFolder(self)
        let missing = try runDscript([folder.path + "/nope.dscript"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("nope.dscript: no such file"), missing.errors)

        let directory = try runDscript([folder.path])
        XCTAssertEqual(directory.status, 1)
        XCTAssertTrue(directory.errors.contains("is a directory"), directory.errors)

        let binary = folder.appendingPathComponent("binary.dscript")
        try Data([0x70, 0x72, 0x0A, 0xFF, 0xFE, 0x00]).write(to: binary)
        let invalid = try runDscript([binary.path])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue(invalid.errors.contains("binary.dscript:2: not valid UTF-8"), invalid.errors)
    }

    func testUnreadableFile() throws {
        if geteuid() == 0 { throw XCTSkip("root can read any file") }
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "secret.dscript", "print(1)\n")
        chmod(path, 0)
        let result = try runDscript([path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("cannot open"), result.errors)
    }

    func testEmptyFileRunsNothing() throws {
        let folder = try temporaryFolder(self)
        let result = try runDscript([try writeFile(folder, "empty.dscript", "")])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output + result.errors, "")
    }

    func testSyntaxErrorIsStatusOneWithLocation() throws {
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "broken.dscript", "let a = 1\nlet b = a +* 2\nprint(b)\n")
        let result = try runDscript(["--no-color", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("\(path):2:"), result.errors)
        XCTAssertTrue(result.errors.contains(": error: "), result.errors)
        XCTAssertFalse(result.errors.contains("\u{1B}["), "no colour when stderr is not a terminal")
    }

    func testRuntimeErrorHasATraceback() throws {
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "fails.dscript", "fn inner() { error(\"deep trouble\") }\nfn outer() { inner() }\nouter()\n")
        let result = try runDscript([path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("\(path):1:"), result.errors)
        XCTAssertTrue(result.errors.contains("deep trouble"), result.errors)
        XCTAssertTrue(result.errors.contains("  at "), result.errors)
    }

    func testExitStatusFromTheScript() throws {
        let result = try runDscript(["-e", "print(1)\nexit(3)\nprint(2)"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.output, "1\n", "output before exit() is flushed")
    }

    func testDeepRecursionHasRoomOnTheLargeStack() throws {
        let program = "fn depth(n) {\n  if n == 0 { return 0 }\n  return 1 + depth(n - 1)\n}\nprint(depth(100000))"
        let deep = try runDscript(["-e", program])
        XCTAssertEqual(deep.errors, "")
        XCTAssertEqual(deep.output, "100000\n")
        XCTAssertEqual(deep.status, 0)
    }

    func testRunawayRecursionIsAnErrorNotACrash() throws {
        let runaway = try runDscript(["-e", "fn forever(n) { return forever(n + 1) + 1 }\nforever(0)"])
        XCTAssertEqual(runaway.status, 1)
        XCTAssertTrue(runaway.errors.contains("stack overflow"), runaway.errors)
    }

    func testControlCStopsAScriptWithStatus130() throws {
        guard let executable = Executable.url else { return XCTFail("no executable") }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-e", "let n = 0\nwhile true { n += 1 }"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)  // let it start running the loop
        kill(process.processIdentifier, SIGINT)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "ended by the signal instead of the handler")
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertTrue(errors.contains("interrupted"), errors)
    }

    func testStatsOfAMissingFileFails() throws {
        XCTAssertEqual(try runDscript(["--stats", "/nonexistent/weights.safetensors"]).status, 1)
    }
}

extension ExecutableTests {
    /// `import "name"` from -e, standard input and the REPL looks in the current folder first, as a
    /// script does in its own: here a local train.dscript wins over the standard library's.
    func testImportLooksInTheCurrentFolderFirst() throws {
        let folder = try temporaryFolder(self)
        try writeFile(folder, "train.dscript", "let local = 42\n")
        let code = "import \"train\"\nprint(train.local)"
        let fromE = try runDscript(["-e", code], directory: folder)
        XCTAssertEqual(fromE.output, "42\n", fromE.errors)
        let fromStandardInput = try runDscript(["-"], input: code, directory: folder)
        XCTAssertEqual(fromStandardInput.output, "42\n", fromStandardInput.errors)
    }

    /// A UTF-8 byte-order mark (Windows editors write one) starts a program in every way a program
    /// arrives, as it does a script file: -e, standard input, piped input and imported modules.
    func testAByteOrderMarkIsSkippedInEveryInput() throws {
        let bom = "\u{FEFF}"
        let folder = try temporaryFolder(self)
        try writeFile(folder, "marked.dscript", bom + "let answer = 42\n")
        let file = try writeFile(folder, "main.dscript", bom + "print(1)\n")
        XCTAssertEqual(try runDscript([file]).output, "1\n")
        let fromE = try runDscript(["-e", bom + "print(2)"])
        XCTAssertEqual(fromE.output, "2\n", fromE.errors)
        XCTAssertEqual(fromE.status, 0)
        XCTAssertEqual(try runDscript(["-"], input: bom + "print(3)\n").output, "3\n")
        XCTAssertEqual(try runDscript([], input: bom + "print(4)\n").output, "4\n")
        let imported = try runDscript(["-e", "import \"marked\"\nprint(marked.answer)"], directory: folder)
        XCTAssertEqual(imported.output, "42\n", imported.errors)
        // Only at the start: elsewhere it is still a character the language does not know.
        let inside = try runDscript(["-e", "print(5)\n" + bom + "print(6)"])
        XCTAssertEqual(inside.status, 1)
        XCTAssertTrue(inside.errors.contains("-e:2:1: error: unexpected character"), inside.errors)
    }
}
