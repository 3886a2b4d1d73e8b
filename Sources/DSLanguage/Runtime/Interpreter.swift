/// The language's front door: what the command line, the REPL and the tests use.
///
/// CONTRACT (filled in by the runtime): the shell and the bindings depend on these signatures.
public final class Interpreter {
    public let settings: RuntimeSettings

    /// `output` receives what the script prints (tests capture it; the shell passes standard output).
    public init(settings: RuntimeSettings = RuntimeSettings(), output: TextSink = StandardStreams.output,
                errorOutput: TextSink = StandardStreams.error) {
        self.settings = settings
    }

    /// Adds a table of global built-ins (functions) and their `:help` entries.
    public func register(_ table: [Builtin]) {}
    /// Adds `:help` entries for methods of native types (`tensor.sum`), which are not globals.
    public func registerHelp(_ table: [Builtin]) {}
    /// Defines a global value (`args`, `pi`).
    public func define(_ name: String, _ value: Value) {}

    /// Runs a whole program: a file, `-e CODE`, or standard input.
    /// Throws `SyntaxErrors` (all of them) or `ScriptError` (with span and traceback).
    @discardableResult
    public func run(_ source: Source) throws -> Value { .null }

    /// Runs one complete REPL input; returns the value to echo when the input ends in an expression
    /// statement whose value is not nil. A second `let` of a global replaces it.
    public func evaluateInteractive(_ source: Source) throws -> Value? { nil }

    /// True when `text` cannot be complete yet (open bracket, open string, trailing binary operator
    /// or comma) so the REPL should read another line.
    public static func needsMoreInput(_ text: String) -> Bool { false }

    /// Turns any error thrown by `run` / `evaluateInteractive` into diagnostics.
    public static func diagnostics(for error: Error) -> [Diagnostic] { [] }
    /// `FILE:LINE:COL: error: MESSAGE`, source line, caret, notes, traceback — one per diagnostic.
    public static func render(_ diagnostics: [Diagnostic], color: Bool) -> String { "" }

    /// Names of globals (variables and built-ins), for completion and `:vars`.
    public var globalNames: [String] { [] }
    public func global(_ name: String) -> Value? { nil }
    /// The help entry of a built-in or method (`abs`, `tensor.sum`).
    public func help(_ name: String) -> Builtin? { nil }
    public var helpEntries: [Builtin] { [] }
    /// The language's keywords, for completion.
    public static let keywords: [String] = [
        "let", "fn", "return", "if", "else", "while", "for", "in", "break", "continue", "true", "false",
        "nil", "and", "or", "not", "import", "try", "catch",
    ]

    /// Asks running code to stop at its next check. Safe to call from a signal handler.
    public func interrupt() {}
    /// Forgets every global the user defined (built-ins stay).
    public func reset() {}
    /// Where `import "name"` looks after the importing script's folder: `DSCRIPT_PATH`, then `stdlib/`.
    public var importPaths: [String] = []
    /// Writes buffered output.
    public func flush() {}
    /// `str` (repr: false) or REPL echo form (repr: true) of a value.
    public func describe(_ value: Value, repr: Bool) -> String { "" }
}

