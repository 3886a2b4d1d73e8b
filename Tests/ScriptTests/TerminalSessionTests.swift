import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The real REPL on a pseudo-terminal: readline prompts, echo, tab completion, Ctrl-C at the
/// prompt, Ctrl-D, and the history file.
final class TerminalSessionTests: XCTestCase {
    /// A `dscript` process whose standard streams are a pseudo-terminal.
    final class Terminal {
        let process = Process()
        let master: Int32
        var transcript = ""

        init(home: String, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
            guard let executable = Executable.url else { throw XCTSkip("no executable") }
            var master: Int32 = 0, slave: Int32 = 0
            guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw XCTSkip("no pseudo-terminal available") }
            self.master = master
            let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
            process.executableURL = executable
            process.arguments = arguments
            process.standardInput = handle
            process.standardOutput = handle
            process.standardError = handle
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home
            environment["TERM"] = "dumb"
            environment["INPUTRC"] = "/dev/null"
            environment["NO_COLOR"] = nil
            for (key, value) in extra { environment[key] = value }
            process.environment = environment
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
            close(master)
        }

        func send(_ text: String) {
            _ = text.withCString { write(master, $0, strlen($0)) }
        }

        /// Reads until `condition` holds for the transcript; false after `patience` ms of silence.
        func readUntil(patience: Int32 = 20_000, _ condition: (String) -> Bool) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !condition(transcript) {
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, patience) > 0 else { return false }
                let n = read(master, &buffer, buffer.count)
                guard n > 0 else { return false }
                transcript += String(decoding: buffer[0..<n], as: UTF8.self)
            }
            return true
        }

        func waitFor(_ text: String) -> Bool { readUntil { $0.contains(text) } }

        /// Types `line`; true when `text` then prompt number `prompt` appear.
        func enter(_ line: String, expecting text: String, prompt: Int) -> Bool {
            send(line + "\r")
            return waitFor(text) && waitForPrompt(prompt)
        }

        /// Waits until `count` prompts were shown.
        func waitForPrompt(_ count: Int) -> Bool {
            readUntil { $0.components(separatedBy: ">>> ").count - 1 >= count }
        }
    }

    func testReadlineSession() throws {
        let home = try temporaryFolder(self)
        let terminal = try Terminal(home: home.path)
        XCTAssertTrue(terminal.waitForPrompt(1), terminal.transcript)
        terminal.send("let alpha_value = 6\r")
        XCTAssertTrue(terminal.waitForPrompt(2), terminal.transcript)
        terminal.send("alpha_v\t * 7\r")  // Tab completes the variable's name
        XCTAssertTrue(terminal.waitFor("42"), terminal.transcript)
        XCTAssertTrue(terminal.waitForPrompt(3), terminal.transcript)
        terminal.send("[1,\r")
        XCTAssertTrue(terminal.waitFor("... "), terminal.transcript)
        // Ctrl-C at the prompt drops the unfinished entry. (The pseudo-terminal is not the
        // child's controlling terminal, so the signal is sent directly, as the terminal would.)
        kill(terminal.process.processIdentifier, SIGINT)
        XCTAssertTrue(terminal.waitForPrompt(4), terminal.transcript)
        // Ctrl-C while code runs stops it; the variables survive.
        terminal.send("let spins = 0\r")
        XCTAssertTrue(terminal.waitForPrompt(5), terminal.transcript)
        terminal.send("print(\"spinning\"); while true { spins += 1 }\r")
        // Printed lines show at once on a terminal, while the loop still runs.
        XCTAssertTrue(terminal.waitFor("spins += 1 }\r\nspinning\r\n"), terminal.transcript)
        var stopped = false
        for _ in 0..<20 where !stopped {
            kill(terminal.process.processIdentifier, SIGINT)
            stopped = terminal.readUntil(patience: 500) { $0.contains("interrupted") }
        }
        XCTAssertTrue(stopped, terminal.transcript)
        XCTAssertTrue(terminal.waitForPrompt(6), terminal.transcript)
        terminal.send("spins > 0\r")
        XCTAssertTrue(terminal.waitFor("true"), terminal.transcript)
        XCTAssertTrue(terminal.waitForPrompt(7), terminal.transcript)
        // Errors are coloured on a terminal.
        terminal.send("no_such_name\r")
        XCTAssertTrue(terminal.waitFor("\u{1B}[1;31merror:"), terminal.transcript)
        XCTAssertTrue(terminal.waitForPrompt(8), terminal.transcript)
        terminal.send("\u{04}")  // Ctrl-D leaves
        terminal.process.waitUntilExit()
        XCTAssertEqual(terminal.process.terminationStatus, 0)
        XCTAssertTrue(terminal.transcript.contains("alpha_value * 7"), terminal.transcript)
        let history = try String(contentsOf: home.appendingPathComponent(".dscript_history"), encoding: .utf8)
        XCTAssertEqual(history.split(separator: "\n").map(String.init), [
            "let alpha_value = 6", "alpha_value * 7", "[1,", "let spins = 0", "print(\"spinning\"); while true { spins += 1 }", "spins > 0", "no_such_name",
        ])
    }

    func testNoColorOnATerminal() throws {
        let home = try temporaryFolder(self)
        for (arguments, environment) in [(["--no-color"], [:]), ([], ["NO_COLOR": "1"])] {
            let terminal = try Terminal(home: home.path, arguments: arguments, environment: environment)
            XCTAssertTrue(terminal.waitForPrompt(1), terminal.transcript)
            terminal.send("no_such_name\r")
            XCTAssertTrue(terminal.waitFor("error: undefined"), terminal.transcript)
            XCTAssertTrue(terminal.waitForPrompt(2), terminal.transcript)
            terminal.send(":quit\r")
            terminal.process.waitUntilExit()
            XCTAssertFalse(terminal.transcript.contains("\u{1B}[1;31m"), "\(arguments) \(environment)")
        }
    }
}
