/// Decides whether REPL input is complete: open brackets, an open string, or a trailing binary
/// operator, comma or `{` ask for another line.
enum InputCompleteness {
    static let continuing: Set<TokenKind> = [
        .plus, .minus, .star, .slash, .percent, .at, .starStar, .equal, .equalEqual, .bangEqual,
        .less, .lessEqual, .greater, .greaterEqual, .plusEqual, .minusEqual, .starEqual, .slashEqual,
        .dotDotLess, .dotDotDot, .arrow, .comma, .dot, .kwAnd, .kwOr, .kwNot, .leftParen, .leftBracket, .leftBrace,
    ]

    static func needsMoreInput(_ text: String) -> Bool {
        let source = Source(name: "<repl>", text: text)
        var lexer = Lexer(source: source)
        var depth = 0
        var last: Token?
        var openString = false
        var brokenString = false
        while true {
            let t = lexer.next()
            switch t.kind {
            case .eof:
                // A string left open on an earlier line can never be completed: let it fail.
                if brokenString { return false }
                if depth > 0 { return true }
                if openString { return !text.hasSuffix("\n\n") }
                if let last, continuing.contains(last.kind) { return true }
                return false
            case .newline:
                if openString { brokenString = true }
                continue
            case .leftParen, .leftBracket, .leftBrace:
                depth += 1
            case .rightParen, .rightBracket, .rightBrace:
                depth -= 1
            case .error:
                if openString { brokenString = true }
                openString = t.text == "unterminated string"
            default:
                openString = false
            }
            if t.kind != .error { openString = false }
            last = t
        }
    }
}
