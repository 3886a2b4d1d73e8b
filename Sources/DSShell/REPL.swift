import DSLanguage

/// The read-eval-print loop (docs/shell.md § The REPL).
///
/// Lines come from a `LineReader` (readline on a terminal, scripted lines in tests). An entry
/// continues over several lines while `Interpreter.needsMoreInput` says so; its value is echoed;
/// errors are rendered and the loop goes on with every variable intact. Lines starting with `:`
/// are commands (`REPLCommand.all`: `:help`, `:vars`, `:time`, `:load`, `:reset`, `:quit`).
public final class REPL {
    public static let prompt = ">>> "
    public static let continuationPrompt = "... "

    public let interpreter: Interpreter
    let reader: LineReader
    let output: TextSink
    let errorOutput: TextSink
    let color: Bool
    /// True on a terminal: Ctrl-C is caught while code runs.
    let interruptible: Bool
    /// The status `run()` returns; set by `exit(n)` in a script.
    var exitStatus: Int32 = 0
    /// Set by the notebook kernel: an error of a command's code is kept here for the kernel to report
    /// as the cell's error (and stop the cell) instead of being written.
    var keepsFailures = false
    var failure: Error?

    public init(
        interpreter: Interpreter, reader: LineReader, output: TextSink, errorOutput: TextSink,
        color: Bool = false, interruptible: Bool = false
    ) {
        self.interpreter = interpreter
        self.reader = reader
        self.output = output
        self.errorOutput = errorOutput
        self.color = color
        self.interruptible = interruptible
        if let readline = reader as? ReadlineReader {
            let completer = Completer(interpreter: interpreter)
            readline.setCompletion { word, before in
                let trimmed = before.drop(while: { $0 == " " })
                if trimmed == ":" { return Completer.commands(startingWith: word) }
                if trimmed.hasPrefix(":help") { return completer.helpCandidates(for: word) }
                if trimmed.hasPrefix(":"), !trimmed.hasPrefix(":time") { return [] }
                return completer.candidates(for: word)
            }
        }
    }

    /// Reads and runs entries until Ctrl-D, `:quit` or `exit(n)`; returns the exit status.
    @discardableResult
    public func run(banner: Bool = true) -> Int32 {
        if banner {
            output.write("\(CommandLineOptions.version) — :help for help, Ctrl-D or :quit to leave\n")
        }
        while let entry = readEntry() {
            guard handle(entry) else { break }
        }
        interpreter.flush()
        output.flush()
        errorOutput.flush()
        return exitStatus
    }

    /// Reads one complete entry (several lines while brackets are open); nil at the end of input.
    func readEntry() -> String? {
        var lines: [String] = []
        while true {
            interpreter.flush()
            output.flush()
            errorOutput.flush()
            let line: String?
            do {
                line = try reader.readLine(prompt: lines.isEmpty ? Self.prompt : Self.continuationPrompt)
            } catch {
                lines.removeAll()  // Ctrl-C: drop the entry, fresh prompt
                continue
            }
            guard let line else {
                // End of input inside an unfinished entry: run what there is, so its error shows.
                return lines.isEmpty ? nil : lines.joined(separator: "\n")
            }
            reader.addHistory(line)
            lines.append(line)
            let text = lines.joined(separator: "\n")
            if lines.count == 1, isCommand(line) { return text }
            if !Interpreter.needsMoreInput(text) { return text }
        }
    }

    func isCommand(_ line: String) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(":")
    }

    /// Runs one entry; false when the REPL should stop.
    @discardableResult
    public func handle(_ entry: String) -> Bool {
        let trimmed = trim(entry)
        if trimmed.isEmpty { return true }
        if trimmed.hasPrefix(":") { return runCommand(trimmed) }
        return evaluate(Source(name: "<repl>", text: entry), echo: true) != .quit
    }

    enum Outcome: Equatable { case success, failure, quit }

    /// Evaluates `source` in the REPL's globals, echoing the value when asked; renders errors.
    @discardableResult
    func evaluate(_ source: Source, echo: Bool) -> Outcome {
        do {
            let value = try guarded { try interpreter.evaluateInteractive(source) }
            interpreter.flush()
            if echo, let value {
                output.write(interpreter.describe(value, repr: true) + "\n")
            }
            return .success
        } catch {
            return fail(error)
        }
    }

    /// Runs `body` with Ctrl-C routed to the interpreter when on a terminal.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        interruptible ? try Interrupts.whileRunning(interpreter, body) : try body()
    }

    /// Reports an error; `exit(n)` ends the REPL with status n.
    func fail(_ error: Error) -> Outcome {
        interpreter.flush()
        output.flush()
        if let scriptError = error as? ScriptError, case .exit(let code) = scriptError.kind {
            exitStatus = code
            return .quit
        }
        if keepsFailures {
            failure = error
            return .failure
        }
        if interruptible, let scriptError = error as? ScriptError, scriptError.kind == .interrupted {
            errorOutput.write("\n")  // the terminal echoed ^C without a newline
        }
        errorOutput.write(Shell.renderError(error, color: color))
        errorOutput.flush()
        return .failure
    }

    /// Writes a line of REPL output (command results).
    func say(_ text: String) {
        output.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes a REPL complaint (unknown command, missing file) on the error stream.
    func complain(_ text: String) {
        output.flush()
        errorOutput.write(text.hasSuffix("\n") ? text : text + "\n")
        errorOutput.flush()
    }
}

/// `text` without surrounding white space.
func trim<S: StringProtocol>(_ text: S) -> String {
    var slice = Substring(text)
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return String(slice)
}
