import DSEngine
import DSLanguage

/// The shell requests: execute, complete, inspect, is_complete, kernel_info and the small ones.
extension JupyterKernel {
    /// Handles one shell request between `busy` and `idle`; false when the kernel should stop.
    func handle(_ request: KernelMessage) -> Bool {
        parent = request.header
        publish("status", ["execution_state": "busy"])
        defer { publish("status", ["execution_state": "idle"]) }
        switch request.type {
        case "execute_request": return execute(request)
        case "kernel_info_request": reply(to: request, kernelInfo)
        case "complete_request": reply(to: request, complete(request.content))
        case "inspect_request": reply(to: request, inspect(request.content))
        case "is_complete_request": reply(to: request, isComplete(request.content["code"]?.string ?? ""))
        case "comm_info_request": reply(to: request, ["status": "ok", "comms": [:]])
        case "history_request": reply(to: request, ["status": "ok", "history": .array([])])
        default: break  // comm messages and others this kernel does not offer
        }
        return true
    }

    var kernelInfo: JSONValue {
        let version = String(CommandLineOptions.version.split(separator: " ").last ?? "0")
        return [
            "status": "ok", "protocol_version": .string(KernelMessage.protocolVersion), "implementation": "dscript",
            "implementation_version": .string(version),
            "language_info": [
                "name": "dscript", "version": .string(version), "mimetype": "text/x-dscript",
                "file_extension": ".dscript", "codemirror_mode": "python", "pygments_lexer": "python",
            ],
            "banner": .string(CommandLineOptions.version + " — :help for help"),
            "help_links": .array([]),
        ]
    }

    // MARK: execute

    /// Runs a cell: its code and `:command` lines in order; the value of a last expression is the
    /// result. `exit(n)` stops the cell and keeps the kernel, as IPython's `sys.exit(n)`: quietly for
    /// 0, else as an error `exit(n)`. False when the cell asked the kernel to leave (`:quit`).
    func execute(_ request: KernelMessage) -> Bool {
        let code = request.content["code"]?.string ?? ""
        let silent = request.content["silent"]?.bool ?? false
        if !silent && (request.content["store_history"]?.bool ?? true) { executionCount += 1 }
        let count = JSONValue.integer(executionCount)
        if !silent { publish("execute_input", ["code": .string(code), "execution_count": count]) }
        var keepGoing = true
        var result: Value?
        do {
            for part in CellPart.split(code) {
                result = nil
                switch part {
                case .command(let line):
                    keepGoing = commands.runCommand(line)
                    if let failure = commands.failure {  // an error in `:time EXPR` or `:load FILE`
                        commands.failure = nil
                        throw failure
                    }
                case .code(let text, let firstLine):
                    let source = Source(name: "<cell \(executionCount)>", text: String(repeating: "\n", count: firstLine) + text)
                    result = try Interrupts.whileRunning(interpreter) { try interpreter.evaluateInteractive(source) }
                }
                if !keepGoing { break }
            }
        } catch let error as ScriptError where error.kind == .exit(0) {
            result = nil  // exit(0): the cell is done
        } catch {
            standardOutput.flush()
            standardError.flush()
            let failure = describeError(error)
            publish("error", failure)
            var content: [(key: String, value: JSONValue)] = [("status", "error"), ("execution_count", count)]
            if case .object(let entries) = failure { content += entries }
            reply(to: request, .object(content))
            return true
        }
        interpreter.flush()
        standardOutput.flush()
        standardError.flush()
        if let result, !silent {
            var data: [(key: String, value: JSONValue)] = [("text/plain", .string(interpreter.describe(result, repr: true)))]
            if case .native(let object) = result, let rich = object as? HTMLRepresentable { data.append(("text/html", .string(rich.html))) }
            publish("execute_result", ["execution_count": count, "data": .object(data), "metadata": [:]])
        }
        reply(to: request, ["status": "ok", "execution_count": count, "payload": .array([]), "user_expressions": [:]])
        return keepGoing
    }

    /// `ename`, `evalue` and `traceback` (the rendered diagnostic, one line per entry) of an error.
    func describeError(_ error: Error) -> JSONValue {
        let diagnostics = Interpreter.diagnostics(for: error)
        var name = "Error"
        if error is SyntaxErrors { name = "SyntaxError" }
        if let scriptError = error as? ScriptError, scriptError.kind == .interrupted { name = "Interrupted" }
        if let scriptError = error as? ScriptError, case .exit(let code) = scriptError.kind {
            return ["ename": "Exit", "evalue": .string("exit(\(code))"), "traceback": .array([.string("exit(\(code))")])]
        }
        let rendered = Shell.renderError(error, color: color)
        var lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        return [
            "ename": .string(name), "evalue": .string(diagnostics.first?.message ?? "\(error)"),
            "traceback": .array(lines.map { .string($0) }),
        ]
    }

    // MARK: complete, inspect, is_complete

    func complete(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.integer ?? code.count, 0), code.count)
        let (start, _) = CellPart.word(in: code, at: cursor, forward: false)
        let word = String(String.UnicodeScalarView(code[start..<cursor]))
        var lineStart = cursor
        while lineStart > 0, code[lineStart - 1] != "\n" { lineStart -= 1 }
        let line = String(String.UnicodeScalarView(code[lineStart..<start])).drop(while: { $0 == " " || $0 == "\t" })
        let completer = Completer(interpreter: interpreter)
        let matches: [String]
        if line == ":" {
            matches = Completer.commands(startingWith: word)
        } else if line.hasPrefix(":help") {
            matches = completer.helpCandidates(for: word)
        } else {
            matches = completer.candidates(for: word)
        }
        return [
            "status": "ok", "matches": .array(matches.map { .string($0) }), "cursor_start": .integer(start),
            "cursor_end": .integer(cursor), "metadata": [:],
        ]
    }

    /// Shift-Tab help: the `:help` text of the name under the cursor.
    func inspect(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.integer ?? code.count, 0), code.count)
        let (start, _) = CellPart.word(in: code, at: cursor, forward: false)
        let (_, end) = CellPart.word(in: code, at: cursor, forward: true)
        var name = String(String.UnicodeScalarView(code[start..<max(start, end)]))
        var lineStart = start
        while lineStart > 0, code[lineStart - 1] != "\n" { lineStart -= 1 }
        let before = String(String.UnicodeScalarView(code[lineStart..<start])).filter { $0 != " " && $0 != "\t" }
        if before == ":" { name = ":" + name }  // a command (`:time`), not the function of that name
        let text = name.isEmpty ? nil : helpText(name)
        return [
            "status": "ok", "found": .bool(text != nil),
            "data": text.map { ["text/plain": .string($0)] } ?? [:], "metadata": [:],
        ]
    }

    /// What `:help NAME` prints, or nil when it knows nothing of `name`.
    func helpText(_ name: String) -> String? {
        let found = StringSink(), missing = StringSink()
        let helper = REPL(interpreter: interpreter, reader: ScriptedLineReader([]), output: found, errorOutput: missing)
        helper.showHelp(name)
        return found.text.isEmpty ? nil : found.text
    }

    func isComplete(_ code: String) -> JSONValue {
        if Interpreter.needsMoreInput(code) { return ["status": "incomplete", "indent": "    "] }
        return ["status": "complete"]
    }
}

/// A cell's parts in order: runs of code and `:command` lines (a line starting with `:` outside
/// any open bracket or string).
enum CellPart: Equatable {
    /// Code and the number of lines before it in the cell.
    case code(String, firstLine: Int)
    case command(String)

    static func split(_ cell: String) -> [CellPart] {
        var parts: [CellPart] = []
        var code: [Substring] = []
        var codeStart = 0
        func endCode() {
            if code.contains(where: { !trim($0).isEmpty }) { parts.append(.code(code.joined(separator: "\n"), firstLine: codeStart)) }
            code = []
        }
        for (number, line) in cell.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let open = !code.isEmpty && Interpreter.needsMoreInput(code.joined(separator: "\n"))
            if !open, trim(line).hasPrefix(":") {
                endCode()
                parts.append(.command(trim(line)))
                continue
            }
            if code.isEmpty { codeStart = number }
            code.append(line)
        }
        endCode()
        return parts
    }

    /// The bounds of the identifier chain (`s.alpha_bar`) that ends (or, going `forward`, starts)
    /// at `cursor`.
    static func word(in code: [Unicode.Scalar], at cursor: Int, forward: Bool) -> (Int, Int) {
        func part(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == "." || c.properties.isAlphabetic || ("0"..."9").contains(c)
        }
        var i = cursor
        if forward {
            while i < code.count, part(code[i]), code[i] != "." { i += 1 }
            return (cursor, i)
        }
        while i > 0, part(code[i - 1]) { i -= 1 }
        return (i, cursor)
    }
}
