/// A Pratt parser: statements by recursive descent (`Parser+Statements.swift`), expressions by the
/// rule table `ParseRule.table` (`Parser+Expressions.swift`). It recovers from syntax errors at
/// statement boundaries and reports them all.
struct Parser {
    struct Failure: Error {}

    let source: Source
    var lexer: Lexer
    var current: Token
    var previous: Token
    /// The last token that is not a newline (where "found end of input" errors point).
    var lastSignificant: Token
    var diagnostics: [Diagnostic] = []
    /// Inside `()` and `[]` (and dict literals) newlines do not end anything.
    var ignoreNewlines = false
    var nesting = 0
    /// Expressions left before the program is refused as too large (bounds memory on huge inputs).
    var budget = Parser.maxExpressions

    static let maxNesting = 200
    static let maxDepth = 1000
    static let maxDiagnostics = 50
    static let maxExpressions = 1_000_000

    init(source: Source) {
        self.init(lexer: Lexer(source: source))
    }

    init(lexer: Lexer) {
        self.source = lexer.source
        self.lexer = lexer
        let first = self.lexer.next()
        self.current = first
        self.previous = first
        self.lastSignificant = first
    }

    /// program → statement* EOF
    mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        skipTerminators()
        while current.kind != .eof && diagnostics.count < Parser.maxDiagnostics && budget >= 0 {
            if current.kind == .rightBrace {
                report("unexpected '}'", at: current)
                advance()
                skipTerminators()
                continue
            }
            if let s = statementRecovering() { statements.append(s) }
            skipTerminators()
        }
        return statements
    }

    // MARK: Tokens

    mutating func advance() {
        previous = current
        if current.kind != .newline { lastSignificant = current }
        current = lexer.next()
        if ignoreNewlines && current.kind == .newline {
            while current.kind == .newline { current = lexer.next() }
            current.afterNewline = true
        }
    }

    mutating func skipNewlines() {
        while current.kind == .newline { advance() }
    }

    mutating func skipTerminators() {
        while current.kind == .newline || current.kind == .semicolon { advance() }
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard current.kind == kind else { return false }
        advance()
        return true
    }

    /// Consumes `kind` or reports `expected X`; `opening` adds the note about the bracket it closes.
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ what: String, opening: Token? = nil) throws -> Token {
        if current.kind == kind {
            advance()
            return previous
        }
        var notes: [Diagnostic.Note] = []
        if let opening {
            let span = opening.span(in: source)
            notes.append(.init("to close \(opening.kind.display) opened at \(span.line):\(span.column)", span: span))
        }
        throw fail("expected \(what) but found \(describe(current))", at: current, notes: notes)
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "'\(token.text)'"
        case .number, .string:
            return String(decoding: source.bytes[token.start..<min(token.end, token.start + 40)], as: UTF8.self)
        default: return token.kind.display
        }
    }

    // MARK: Errors

    mutating func report(_ message: String, at token: Token, notes: [Diagnostic.Note] = []) {
        let message = message + habitNote(at: token)
        if token.kind == .error {
            diagnostics.append(Diagnostic(token.text, span: token.span(in: source)))
        } else if token.kind == .eof {
            diagnostics.append(Diagnostic(message, span: endOfPrevious(), notes: notes))
        } else {
            diagnostics.append(Diagnostic(message, span: token.span(in: source), notes: notes))
        }
    }

    /// The hint for Python written where dscript was expected: `f"..."` strings, `def`, `elif` or
    /// `lambda` read as a name followed by something that cannot follow it, and `in` outside a `for`.
    func habitNote(at token: Token) -> String {
        if token.kind == .kwIn, previous.kind != .kwFor { return Suggestions.syntaxNote("in") }
        guard previous.kind == .identifier, token.kind != .error else { return "" }
        if token.kind == .string, ["f", "F", "rf", "fr"].contains(previous.text), previous.end == token.start {
            return Suggestions.syntaxNote("f-string")
        }
        if ["def", "elif", "lambda"].contains(previous.text) { return Suggestions.syntaxNote(previous.text) }
        return ""
    }

    /// Just after the previous token: where "found end of input" errors point.
    func endOfPrevious() -> SourceSpan {
        let p = lastSignificant
        if p.kind == .eof || p.kind == .newline || p.start == current.start { return current.span(in: source) }
        var column = p.column
        var line = p.line
        for b in source.bytes[p.start..<p.end] {
            if b == 10 {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceSpan(source: source, line: line, column: column, start: p.end, end: p.end)
    }

    mutating func fail(_ message: String, at token: Token, notes: [Diagnostic.Note] = []) -> Failure {
        report(message, at: token, notes: notes)
        return Failure()
    }

    mutating func fail(_ message: String, span: SourceSpan) -> Failure {
        diagnostics.append(Diagnostic(message, span: span))
        return Failure()
    }

    /// Skips to the start of the next statement after an error.
    mutating func synchronize() {
        ignoreNewlines = false
        if budget < 0 { return }
        // An error found at the first token of a line: that line starts the next statement.
        if current.afterNewline && TokenKind.statementStarts.contains(current.kind) { return }
        var depth = 0
        while current.kind != .eof {
            switch current.kind {
            case .newline, .semicolon:
                advance()
                if depth <= 0 || TokenKind.statementStarts.contains(current.kind) { return }
                continue
            case .leftParen, .leftBracket, .leftBrace:
                depth += 1
            case .rightParen, .rightBracket:
                depth -= 1
            case .rightBrace:
                if depth <= 0 { return }
                depth -= 1
            default:
                break
            }
            advance()
        }
    }

    mutating func enter(_ token: Token) throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            abandon()
            throw fail("code nested too deeply", at: token)
        }
    }

    /// Stops parsing altogether (input too deep or too large to be worth recovering from).
    mutating func abandon() {
        budget = -2
    }
}

extension TokenKind {
    static let statementStarts: Set<TokenKind> = [.kwLet, .kwFn, .kwIf, .kwWhile, .kwFor, .kwReturn, .kwImport, .kwTry]
}
