/// The language's front door: what the command line, the REPL and the tests use.
///
/// CONTRACT (filled in by the runtime): the shell and the bindings depend on these signatures.
public final class Interpreter {
    public let settings: RuntimeSettings
    let runtime: Runtime

    /// `output` receives what the script prints (tests capture it; the shell passes standard output).
    public init(settings: RuntimeSettings = RuntimeSettings(), output: TextSink = StandardStreams.output,
                errorOutput: TextSink = StandardStreams.error) {
        self.settings = settings
        self.runtime = Runtime(settings: settings, output: output, errorOutput: errorOutput)
        for domain in CoreLibrary.domains { register(domain) }
        for (name, value) in CoreLibrary.constants { define(name, value) }
        define("args", .list(ListObject(settings.scriptArguments.map { .string($0) })))
    }

    deinit { runtime.teardown() }

    /// The domains registered so far, in order (the `:help` overview lists them).
    public private(set) var domains: [BuiltinDomain] = []

    /// Adds a domain: its functions as globals, its methods to `:help`.
    public func register(_ domain: BuiltinDomain) {
        register(domain.functions)
        registerHelp(domain.methods)
        runtime.typeMembers.merge(domain.members) { $0 + $1 }
        domains.append(domain)
    }

    /// What may follow `x.` for any `x` of type `type`: its registered members and methods, sorted.
    public func memberNames(ofType type: String) -> [String] {
        Set((runtime.typeMembers[type] ?? []) + runtime.registeredMethods(of: type).map(\.shortName)).sorted()
    }

    /// Called with every built-in's result as it returns (nil: nothing is called); the script tests
    /// check each declared result type (`-> tensor`) with it.
    public var builtinResultObserver: ((Builtin, Value) -> Void)? {
        get { runtime.builtinResultObserver }
        set { runtime.builtinResultObserver = newValue }
    }

    /// Adds a table of global built-ins (functions) and their `:help` entries.
    public func register(_ table: [Builtin]) {
        for b in table {
            runtime.builtins.define(b.name, .builtin(BuiltinFunction(b)))
        }
        registerHelp(table)
    }

    /// Adds `:help` entries for methods of native types (`tensor.sum`), which are not globals.
    public func registerHelp(_ table: [Builtin]) {
        for b in table {
            if runtime.helpTable[b.name] == nil { runtime.helpOrder.append(b.name) }
            runtime.helpTable[b.name] = b
        }
    }

    /// Defines a global value (`args`, `pi`).
    public func define(_ name: String, _ value: Value) {
        runtime.builtins.define(name, value)
    }

    /// Runs a whole program: a file, `-e CODE`, or standard input.
    /// Throws `SyntaxErrors` (all of them) or `ScriptError` (with span and traceback).
    @discardableResult
    public func run(_ source: Source) throws -> Value {
        try entering {
            // The main script counts as being imported, so importing it back is a cycle.
            let path = source.name.hasPrefix("<") || source.name == "-e" ? nil : canonicalPath(source.name)
            if let path { runtime.importing.append(path) }
            defer { if path != nil { runtime.importing.removeLast() } }
            _ = try runtime.execute(source, globals: runtime.globals, interactive: false)
            return .null
        }
    }

    /// Runs one complete REPL input; returns the value to echo when the input ends in an expression
    /// statement whose value is not nil. A second `let` of a global replaces it.
    public func evaluateInteractive(_ source: Source) throws -> Value? {
        try entering {
            let v = try runtime.execute(source, globals: runtime.globals, interactive: true)
            if let v, !v.isNull { return v }
            return nil
        }
    }

    /// Sets up the running thread's limits on the outermost entry and flushes output afterwards.
    func entering<T>(_ body: () throws -> T) throws -> T {
        let outermost = runtime.depth == 0 && runtime.stackTop == runtime.stackBase
        if outermost { runtime.prepareThread() }
        defer { runtime.output.flush() }
        return try body()
    }

    /// True when `text` cannot be complete yet (open bracket, open string, trailing binary operator
    /// or comma) so the REPL should read another line.
    public static func needsMoreInput(_ text: String) -> Bool {
        InputCompleteness.needsMoreInput(text)
    }

    /// Turns any error thrown by `run` / `evaluateInteractive` into diagnostics.
    public static func diagnostics(for error: Error) -> [Diagnostic] {
        switch error {
        case let e as SyntaxErrors: return e.diagnostics
        case let d as Diagnostic: return [d]
        case let e as ScriptError:
            var d = Diagnostic(e.message, span: e.span, traceback: e.traceback)
            d.omittedFrames = e.omittedFrames
            return [d]
        default: return [Diagnostic("\(error)", span: nil)]
        }
    }

    /// `FILE:LINE:COL: error: MESSAGE`, source line, caret, notes, traceback — one per diagnostic.
    public static func render(_ diagnostics: [Diagnostic], color: Bool) -> String {
        DiagnosticRenderer.render(diagnostics, color: color)
    }

    /// Names of globals (variables and built-ins), for completion and `:vars`.
    public var globalNames: [String] {
        let user = runtime.globals.order.filter { runtime.globals.variables[$0]?.defined == true }
        let builtin = runtime.builtins.order.filter { runtime.globals.variables[$0] == nil }
        return user + builtin
    }

    /// Names the user defined (not built-ins), in order of definition, for `:vars`.
    public var userGlobalNames: [String] {
        runtime.globals.order.filter { runtime.globals.variables[$0]?.defined == true }
    }

    public func global(_ name: String) -> Value? {
        guard let g = runtime.globals.lookup(name), g.defined else { return nil }
        return g.value
    }

    /// The help entry of a built-in or method (`abs`, `tensor.sum`).
    public func help(_ name: String) -> Builtin? { runtime.helpTable[name] }
    public var helpEntries: [Builtin] { runtime.helpOrder.compactMap { runtime.helpTable[$0] } }
    /// The language's keywords, for completion.
    public static let keywords: [String] = [
        "let", "fn", "return", "if", "else", "while", "for", "in", "break", "continue", "true", "false",
        "nil", "and", "or", "not", "import", "try", "catch",
    ]

    /// Asks running code to stop at its next check. Safe to call from a signal handler.
    public func interrupt() { runtime.interruptFlag.pointee = 1 }
    /// Forgets every global the user defined (built-ins stay).
    public func reset() {
        runtime.globals = GlobalTable(parent: runtime.builtins)
        runtime.modules = [:]
    }
    /// Where `import "name"` looks after the importing script's folder: `DSCRIPT_PATH`, then `stdlib/`.
    public var importPaths: [String] {
        get { runtime.importPaths }
        set { runtime.importPaths = newValue }
    }
    /// Writes buffered output.
    public func flush() { runtime.output.flush() }
    /// `str` (repr: false) or REPL echo form (repr: true) of a value.
    public func describe(_ value: Value, repr: Bool) -> String { runtime.format(value, repr: repr) }

    /// The context native code receives (to call back into dscript from outside a script).
    public var context: CallContext { runtime }

    /// Calls a callable value (a dscript function, a built-in, a callable native) from Swift.
    public func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        try entering { try runtime.call(callee, arguments) }
    }
}
