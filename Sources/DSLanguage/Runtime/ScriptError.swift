/// An error raised while a script runs: by the runtime, by a built-in (`throw ScriptError("...")`),
/// or by the script itself (`error("...")`). Native code throws it without a location; the runtime
/// adds the span of the call or operation that failed and the traceback of active calls.
public struct ScriptError: Error, CustomStringConvertible {
    public enum Kind: Equatable {
        /// An ordinary error; `try`/`catch` in dscript catches it.
        case runtime
        /// Ctrl-C; not caught by `try`/`catch`, returns to the REPL prompt.
        case interrupted
        /// `exit(n)`; not caught by `try`/`catch`.
        case exit(Int32)
    }

    public var kind: Kind
    public var message: String
    /// Where it happened, once the runtime knows.
    public var span: SourceSpan?
    /// Active calls, innermost first, once the runtime knows.
    public var traceback: [TraceFrame]
    /// Calls left out of `traceback` (deep recursion keeps the innermost and outermost frames).
    public var omittedFrames: Int = 0

    public init(_ message: String, kind: Kind = .runtime, span: SourceSpan? = nil) {
        self.kind = kind
        self.message = message
        self.span = span
        self.traceback = []
    }

    public static func interrupted() -> ScriptError { ScriptError("interrupted", kind: .interrupted) }

    public var description: String { message }
}

/// One active call in a traceback: `  at NAME (FILE:LINE:COL)`.
public struct TraceFrame: Equatable {
    public var function: String
    public var span: SourceSpan
    public init(function: String, span: SourceSpan) {
        self.function = function
        self.span = span
    }
}
