/// The expression a piece of text ends with, read for completion without running anything: a
/// chain of names, member accesses and calls (`s.q_sample(x, 1, e).sum()`). Anything else (a
/// literal, an index, a parenthesised expression, an operator) is not one.
///
/// The text is lexed, so brackets inside strings and comments do not count; the chain is read
/// backwards from the last token, a call's arguments skipped as one balanced group.
public indirect enum TrailingExpression: Equatable {
    case name(String)
    case member(TrailingExpression, String)
    /// A call of the expression (its arguments are not kept: they are never evaluated).
    case call(TrailingExpression)

    /// Links read at most (a longer chain is not completed).
    static let maxLinks = 64

    /// The expression `text` ends with, nil when it ends with something else.
    public init?(endOf text: String) {
        var lexer = Lexer(source: Source(name: "<completion>", text: text))
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            if token.kind == .eof { break }
            if token.kind != .newline { tokens.append(token) }
        }
        guard let found = TrailingExpression.read(tokens, end: tokens.count - 1, links: 0) else { return nil }
        self = found.expression
    }

    /// The chain that ends at `tokens[end]`, and the index of its first token.
    private static func read(_ tokens: [Token], end: Int, links: Int) -> (expression: TrailingExpression, start: Int)? {
        guard end >= 0, links < maxLinks else { return nil }
        switch tokens[end].kind {
        case .rightParen:
            var depth = 0
            var open = end
            while open >= 0 {
                if tokens[open].kind == .rightParen { depth += 1 }
                if tokens[open].kind == .leftParen { depth -= 1 }
                if depth == 0 { break }
                open -= 1
            }
            guard open > 0, let callee = read(tokens, end: open - 1, links: links + 1) else { return nil }
            return (.call(callee.expression), callee.start)
        case .identifier:
            let name = tokens[end].text
            guard end >= 1, tokens[end - 1].kind == .dot else { return (.name(name), end) }
            guard let base = read(tokens, end: end - 2, links: links + 1) else { return nil }
            return (.member(base.expression, name), base.start)
        default:
            return nil
        }
    }
}
