/// Expressions by Pratt parsing: one table row per token — prefix rule, infix rule, precedence.
enum Precedence: Int, Comparable {
    case none, or, and, not, comparison, range, term, factor, unary, power, postfix

    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
    var next: Precedence { Precedence(rawValue: rawValue + 1) ?? .postfix }
}

struct ParseRule {
    typealias Prefix = (inout Parser, Token) throws -> Expr
    typealias Infix = (inout Parser, Expr, Token) throws -> Expr
    var prefix: Prefix?
    var infix: Infix?
    var precedence: Precedence

    init(_ prefix: Prefix?, _ infix: Infix?, _ precedence: Precedence) {
        self.prefix = prefix
        self.infix = infix
        self.precedence = precedence
    }

    /// The table: adding an operator is adding a row.
    static let table: [ParseRule] = {
        var t = [ParseRule](repeating: ParseRule(nil, nil, .none), count: TokenKind.allCases.count)
        func row(_ kind: TokenKind, _ prefix: Prefix?, _ infix: Infix?, _ p: Precedence) {
            t[Int(kind.rawValue)] = ParseRule(prefix, infix, p)
        }
        row(.leftParen, { p, t in try p.grouping(t) }, { p, l, t in try p.call(l, t) }, .postfix)
        row(.leftBracket, { p, t in try p.listLiteral(t) }, { p, l, t in try p.subscriptExpr(l, t) }, .postfix)
        row(.leftBrace, { p, t in try p.dictLiteral(t) }, nil, .none)
        row(.dot, nil, { p, l, t in try p.memberExpr(l, t) }, .postfix)
        row(.minus, { p, t in try p.unary(t) }, { p, l, t in try p.binary(l, t) }, .term)
        row(.plus, nil, { p, l, t in try p.binary(l, t) }, .term)
        for k in [TokenKind.star, .slash, .percent, .at] { row(k, nil, { p, l, t in try p.binary(l, t) }, .factor) }
        row(.starStar, nil, { p, l, t in try p.binary(l, t) }, .power)
        for k in [TokenKind.equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual] {
            row(k, nil, { p, l, t in try p.binary(l, t) }, .comparison)
        }
        row(.dotDotLess, nil, { p, l, t in try p.rangeExpr(l, t) }, .range)
        row(.dotDotDot, nil, { p, l, t in try p.rangeExpr(l, t) }, .range)
        row(.kwAnd, nil, { p, l, t in try p.logical(l, t) }, .and)
        row(.kwOr, nil, { p, l, t in try p.logical(l, t) }, .or)
        row(.kwNot, { p, t in try p.notExpr(t) }, nil, .none)
        row(.number, { p, t in p.leaf(.number(t.number), t) }, nil, .none)
        row(.string, { p, t in try p.stringLiteral(t) }, nil, .none)
        row(.identifier, { p, t in p.leaf(.name(NameReference(name: t.text)), t) }, nil, .none)
        row(.kwTrue, { p, t in p.leaf(.bool(true), t) }, nil, .none)
        row(.kwFalse, { p, t in p.leaf(.bool(false), t) }, nil, .none)
        row(.kwNil, { p, t in p.leaf(.null, t) }, nil, .none)
        row(.kwFn, { p, t in try p.functionLiteral(t) }, nil, .none)
        return t
    }()
}

extension Parser {
    mutating func expression() throws -> Expr { try parse(.or) }

    mutating func parse(_ precedence: Precedence) throws -> Expr {
        let token = current
        budget -= 1
        if budget == -1 {
            throw fail("program too large (more than \(Parser.maxExpressions) expressions)", at: token)
        } else if budget < 0 {
            throw Failure()
        }
        try enter(token)
        defer { nesting -= 1 }
        guard let prefix = ParseRule.table[Int(token.kind.rawValue)].prefix else {
            if token.kind == .error { throw fail(token.text, at: token) }
            throw fail("expected an expression but found \(describe(token))", at: token)
        }
        advance()
        var left = try prefix(&self, token)
        while true {
            let rule = ParseRule.table[Int(current.kind.rawValue)]
            guard let infix = rule.infix, precedence <= rule.precedence else { break }
            let op = current
            advance()
            left = try infix(&self, left, op)
            if left.depth > Parser.maxDepth {
                abandon()
                throw fail("expression too deeply nested", span: left.span)
            }
        }
        return left
    }

    func leaf(_ kind: Expr.Kind, _ token: Token) -> Expr { Expr(kind, token.span(in: source)) }

    func spanning(_ a: SourceSpan, _ b: SourceSpan) -> SourceSpan {
        SourceSpan(source: source, line: a.line, column: a.column, start: a.start, end: max(a.end, b.end))
    }

    func node(_ kind: Expr.Kind, from start: SourceSpan, _ children: Expr?...) -> Expr {
        let depth = (children.map { $0?.depth ?? 0 }.max() ?? 0) + 1
        return Expr(kind, SourceSpan(source: source, line: start.line, column: start.column, start: start.start,
                                     end: max(start.end, previous.end)), depth: depth)
    }

    /// Parses `body` inside the brackets that `open` opened: newlines are ignored up to the closing
    /// `kind` (`what` in the message when it is missing), and count after it where they counted before.
    mutating func enclosed<T>(_ open: Token, closing kind: TokenKind, _ what: String,
                              _ body: (inout Parser) throws -> T) throws -> T {
        let saved = ignoreNewlines
        ignoreNewlines = true
        skipNewlines()
        defer { ignoreNewlines = saved }
        let result = try body(&self)
        ignoreNewlines = saved
        try expect(kind, what, opening: open)
        return result
    }

    // MARK: Prefix rules

    mutating func grouping(_ open: Token) throws -> Expr {
        try enclosed(open, closing: .rightParen, "')'") { p in
            let inner = try p.expression()
            if p.check(.comma) { throw p.fail("expected ')' but found ','" + Suggestions.syntaxNote("tuple"), at: p.current) }
            return inner
        }
    }

    mutating func listLiteral(_ open: Token) throws -> Expr {
        let items = try enclosed(open, closing: .rightBracket, "']'") { p in
            var items: [Expr] = []
            while !p.check(.rightBracket) {
                items.append(try p.expression())
                if !p.match(.comma) { break }
            }
            return items
        }
        return node(.list(items), from: open.span(in: source), nil)
    }

    /// `{"a": 1, b: 2}`: a bare identifier key is a string.
    mutating func dictLiteral(_ open: Token) throws -> Expr {
        let entries = try enclosed(open, closing: .rightBrace, "'}'") { p in
            var entries: [(key: Expr, value: Expr)] = []
            while !p.check(.rightBrace) {
                let key: Expr
                if p.check(.identifier), p.lexerPeekIsColon() {
                    p.advance()
                    key = p.leaf(.string(p.previous.text), p.previous)
                } else {
                    key = try p.expression()
                }
                try p.expect(.colon, "':' after the key")
                entries.append((key, try p.expression()))
                if !p.match(.comma) { break }
            }
            return entries
        }
        return node(.dict(entries), from: open.span(in: source), nil)
    }

    func lexerPeekIsColon() -> Bool {
        var probe = lexer
        var t = probe.next()
        while t.kind == .newline { t = probe.next() }
        return t.kind == .colon
    }

    mutating func unary(_ op: Token) throws -> Expr {
        let operand = try parse(.unary)
        if case .number(let x) = operand.kind {
            return node(.number(-x), from: op.span(in: source), operand)
        }
        return node(.negate(operand), from: op.span(in: source), operand)
    }

    mutating func notExpr(_ op: Token) throws -> Expr {
        let operand = try parse(.comparison)
        return node(.not(operand), from: op.span(in: source), operand)
    }

    mutating func functionLiteral(_ start: Token) throws -> Expr {
        let function = try functionRest(name: "fn", start: start)
        return node(.function(function), from: start.span(in: source), nil)
    }

    mutating func stringLiteral(_ token: Token) throws -> Expr {
        if token.parts.count == 1, case .text(let s) = token.parts[0] {
            return leaf(.string(s), token)
        }
        var parts: [InterpolationPart] = []
        for part in token.parts {
            switch part {
            case .text(let s):
                parts.append(.text(s))
            case .expression(let start, let end, let line, let column, let format):
                var sub = Parser(lexer: Lexer(source: source, start: start, end: end, line: line, column: column))
                sub.nesting = nesting
                sub.ignoreNewlines = true
                if sub.check(.eof) {
                    throw fail("empty expression in string interpolation", at: token)
                }
                do {
                    let e = try sub.expression()
                    if !sub.check(.eof) { throw sub.fail("unexpected \(sub.describe(sub.current)) in interpolation", at: sub.current) }
                    parts.append(.expression(e, format: format))
                } catch {
                    diagnostics += sub.diagnostics
                    throw Failure()
                }
            }
        }
        return Expr(.interpolation(parts), token.span(in: source), depth: 2)
    }

    // MARK: Infix rules

    mutating func binary(_ left: Expr, _ op: Token) throws -> Expr {
        let rule = ParseRule.table[Int(op.kind.rawValue)]
        skipNewlines()
        // `**` is right-associative: its right operand may itself be a `**` (or a unary minus).
        let right = op.kind == .starStar ? try parse(.unary) : try parse(rule.precedence.next)
        let bop: BinaryOp
        switch op.kind {
        case .plus: bop = .add
        case .minus: bop = .sub
        case .star: bop = .mul
        case .slash: bop = .div
        case .percent: bop = .mod
        case .at: bop = .matmul
        case .starStar: bop = .pow
        case .equalEqual: bop = .eq
        case .bangEqual: bop = .ne
        case .less: bop = .lt
        case .lessEqual: bop = .le
        case .greater: bop = .gt
        default: bop = .ge
        }
        return node(.binary(bop, left, right), from: left.span, left, right)
    }

    mutating func logical(_ left: Expr, _ op: Token) throws -> Expr {
        skipNewlines()
        if op.kind == .kwAnd {
            let right = try parse(.not)
            return node(.and(left, right), from: left.span, left, right)
        }
        let right = try parse(.and)
        return node(.or(left, right), from: left.span, left, right)
    }

    mutating func rangeExpr(_ left: Expr, _ op: Token) throws -> Expr {
        skipNewlines()
        let right = try parse(.term)
        return node(.range(left, right, inclusive: op.kind == .dotDotDot), from: left.span, left, right)
    }

    mutating func memberExpr(_ left: Expr, _ dot: Token) throws -> Expr {
        skipNewlines()
        let name = try expect(.identifier, "a member name after '.'")
        return node(.member(left, name.text), from: left.span, left)
    }

    /// call → expr '(' (arg (',' arg)*)? ')' where arg → (NAME ':')? expr
    mutating func call(_ callee: Expr, _ open: Token) throws -> Expr {
        let arguments = try enclosed(open, closing: .rightParen, "')' after the arguments") { p in
            var arguments: [CallArgument] = []
            var sawKeyword = false
            while !p.check(.rightParen) {
                let start = p.current
                if p.check(.identifier), p.lexerPeekIsColon() {
                    p.advance()
                    let name = p.previous.text
                    p.advance()  // ':'
                    let value = try p.expression()
                    if arguments.contains(where: { $0.name == name }) {
                        p.report("keyword argument '\(name)' repeated", at: start)
                    }
                    arguments.append(CallArgument(name: name, value: value, span: p.span(from: start)))
                    sawKeyword = true
                } else {
                    let value = try p.expression()
                    if sawKeyword { p.report("positional argument follows keyword argument", at: start) }
                    arguments.append(CallArgument(name: nil, value: value, span: value.span))
                }
                if !p.match(.comma) { break }
            }
            return arguments
        }
        let depth = (arguments.map { $0.value.depth }.max() ?? 0)
        return Expr(.call(callee, arguments), spanning(callee.span, previous.span(in: source)),
                    depth: max(depth, callee.depth) + 1)
    }

    /// subscript → expr '[' component (',' component)* ']' where component → expr | expr? ':' expr? (':' expr?)?
    mutating func subscriptExpr(_ target: Expr, _ open: Token) throws -> Expr {
        let components = try enclosed(open, closing: .rightBracket, "']'") { p in
            var components: [IndexArgument] = []
            repeat {
                var start: Expr?
                if !p.check(.colon) { start = try p.expression() }
                if p.match(.colon) {
                    var stop: Expr?, step: Expr?
                    if !p.check(.colon) && !p.check(.comma) && !p.check(.rightBracket) { stop = try p.expression() }
                    if p.match(.colon) {
                        if !p.check(.comma) && !p.check(.rightBracket) { step = try p.expression() }
                    }
                    components.append(.slice(start: start, stop: stop, step: step))
                } else if let start {
                    components.append(.value(start))
                }
            } while p.match(.comma) && !p.check(.rightBracket)
            if components.isEmpty { throw p.fail("expected an index", at: p.current) }
            return components
        }
        return Expr(.index(target, components), spanning(target.span, previous.span(in: source)), depth: target.depth + 1)
    }
}
