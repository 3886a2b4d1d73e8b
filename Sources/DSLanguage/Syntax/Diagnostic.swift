/// The one diagnostic type: syntax errors, runtime errors and notes all become `Diagnostic`s, and
/// one renderer prints them (`FILE:LINE:COL: error: MESSAGE`, the source line, a caret, notes,
/// traceback).
public struct Diagnostic: Error, Equatable {
    public struct Note: Equatable {
        public var message: String
        public var span: SourceSpan?
        public init(_ message: String, span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    public var message: String
    public var span: SourceSpan?
    public var notes: [Note]
    /// Active calls, innermost first (runtime errors only).
    public var traceback: [TraceFrame]
    /// Calls left out of the traceback, counted (deep recursion).
    public var omittedFrames: Int = 0

    public init(_ message: String, span: SourceSpan?, notes: [Note] = [], traceback: [TraceFrame] = []) {
        self.message = message
        self.span = span
        self.notes = notes
        self.traceback = traceback
    }
}

/// Every syntax error of one program (the parser recovers and reports them all).
public struct SyntaxErrors: Error {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
