import DSLanguage

/// What the REPL's `:` commands do (the commands themselves are listed in `REPLCommand.all`).
extension REPL {
    /// Runs a `:command`; false when the REPL should stop.
    func runCommand(_ line: String) -> Bool {
        let body = line.dropFirst()
        let name = String(body.prefix(while: { !$0.isWhitespace }))
        guard let command = REPLCommand.named(name) else {
            let names = REPLCommand.all.flatMap { [$0.name] + $0.aliases }
            let guess = Suggestions.closest(to: name, in: names).map { "did you mean ':\($0)'?" } ?? "try :help"
            complain("unknown command ':\(name)' (\(guess))")
            return true
        }
        return command.run(self, trim(body.dropFirst(name.count)))
    }

    // MARK: :help

    func showHelp(_ name: String) {
        if name.isEmpty {
            say(HelpCatalog.overview(domains: interpreter.domains, entries: interpreter.helpEntries))
            return
        }
        if interpreter.help(name) == nil, let command = HelpCatalog.command(matching: name) {
            say(command.usage + "\n    " + command.summary)
        } else if let text = interpreter.helpText(name) {
            say(text)
        } else {
            let commands = REPLCommand.all.map { ":" + $0.name }
            complain("no help for '\(name)'" + interpreter.helpSuggestion(name, also: commands) + " (:help lists everything)")
        }
    }

    // MARK: :vars, :reset

    /// The user's globals (not built-ins), in order of definition.
    var userVariables: [(name: String, value: Value)] {
        interpreter.userGlobalNames.compactMap { name in interpreter.global(name).map { (name, $0) } }
    }

    func showVariables() {
        let variables = userVariables
        if variables.isEmpty {
            say("(no variables yet)")
            return
        }
        let nameWidth = min(variables.map(\.name.count).max() ?? 0, 24)
        let typeWidth = min(variables.map(\.value.typeName.count).max() ?? 0, 16)
        for (name, value) in variables {
            say(HelpCatalog.pad(name, nameWidth) + "  " + HelpCatalog.pad(value.typeName, typeWidth) + "  " + shortDescription(value))
        }
    }

    /// The first line of a value's echo, cut at 60 characters.
    func shortDescription(_ value: Value) -> String {
        let full = interpreter.describe(value, repr: true)
        var line = String(full.prefix(while: { $0 != "\n" }))
        let multiLine = line.count < full.count
        if line.count > 60 {
            line = String(line.prefix(59)) + "…"
        } else if multiLine {
            line += " …"
        }
        return line
    }

    func reset() {
        interpreter.reset()
        if interpreter.global("args") == nil {
            interpreter.define("args", .list(ListObject(interpreter.settings.scriptArguments.map { .string($0) })))
        }
        say("(variables cleared)")
    }

    // MARK: :time, :load

    /// Runs and times `code`; false when it called `exit(n)` (the REPL stops, as for the bare statement).
    func time(_ code: String) -> Bool {
        guard !code.isEmpty else {
            complain("usage: :time EXPR")
            return true
        }
        let start = System.monotonicSeconds()
        let outcome = evaluate(Source(name: "<repl>", text: code), echo: true)
        let elapsed = System.monotonicSeconds() - start
        if outcome == .success { say("time: " + formatDuration(elapsed)) }
        return outcome != .quit
    }

    func load(_ argument: String) -> Bool {
        var path = argument
        if path.count >= 2, let first = path.first, first == "\"" || first == "'", path.last == first {
            path = String(path.dropFirst().dropLast())
        }
        guard !path.isEmpty else {
            complain("usage: :load FILE")
            return true
        }
        if path.hasPrefix("~/"), let home = System.homeDirectory() { path = home + path.dropFirst() }
        let source: Source
        do {
            source = try SourceLoader.load(path: path)
        } catch {
            complain("\(error)")
            return true
        }
        return evaluate(source, echo: false) != .quit
    }
}

/// A duration with three significant digits in a fitting unit: `850 µs`, `12.3 ms`, `1.52 s`.
func formatDuration(_ seconds: Double) -> String {
    if seconds < 1e-3 { return significant(seconds * 1e6) + " µs" }
    if seconds < 1 { return significant(seconds * 1e3) + " ms" }
    return significant(seconds) + " s"
}

/// `x` (0 ≤ x < 1000, or larger) with three significant digits.
func significant(_ x: Double) -> String {
    let decimals = x >= 100 ? 0 : x >= 10 ? 1 : 2
    return fixed(x, decimals: decimals)
}

/// `x` with exactly `decimals` digits after the point.
func fixed(_ x: Double, decimals: Int) -> String {
    guard x.isFinite else { return formatNumber(x) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(x) * scale).rounded()
    guard scaled < 9e15 else { return formatNumber(x) }
    let whole = Int64(scaled)
    let divisor = Int64(scale)
    var text = String(whole / divisor)
    if decimals > 0 {
        let fraction = String(whole % divisor)
        text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    return (x < 0 && scaled != 0 ? "-" : "") + text
}
