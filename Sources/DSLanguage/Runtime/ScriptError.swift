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

/// An error of a library below the language (the tensor engine, file formats, diffusion) whose
/// message is written for the script's author. The bindings say which types are (one list, in
/// `DSBindings/ScriptFacingErrors.swift`); `ScriptError.translating` shows their message as it is.
public protocol ScriptFacingError: Error {
    var message: String { get }
}

extension ScriptError {
    /// The one translation of whatever native code throws into a located script error: a
    /// `ScriptError` keeps its span or takes `span`; a `ScriptFacingError` becomes a `ScriptError`
    /// with its message at `span`; syntax errors (from `import`) pass unchanged; any other error (a
    /// bug in native code) becomes `FUNCTION: description` at `span`.
    public static func translating(_ error: Error, at span: SourceSpan?, in function: String? = nil) -> Error {
        switch error {
        case var scriptError as ScriptError:
            if scriptError.span == nil { scriptError.span = span }
            return scriptError
        case let facing as ScriptFacingError:
            return ScriptError(facing.message, span: span)
        case is SyntaxErrors, is Diagnostic:
            return error
        default:
            return ScriptError(function.map { "\($0): \(error)" } ?? "\(error)", span: span)
        }
    }
}

/// Runs native code (a native object's hook, a format) with whatever it throws translated by
/// `ScriptError.translating` and located at `span`: the one way the runtime enters native code.
@inline(__always)
func enteringNative<T>(at span: SourceSpan?, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw ScriptError.translating(error, at: span) }
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
