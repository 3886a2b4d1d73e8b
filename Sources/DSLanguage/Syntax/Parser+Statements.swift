/// Statements: `let`, `fn`, `if`, `while`, `for`, `break`, `continue`, `return`, `import`, `try`,
/// blocks, assignments and expression statements.
extension Parser {
    mutating func statementRecovering() -> Stmt? {
        let savedNesting = nesting
        do {
            let s = try statement()
            try endOfStatement()
            return s
        } catch {
            nesting = savedNesting
            synchronize()
            return nil
        }
    }

    /// A statement ends at a newline, `;`, `}` or the end of input — or right after its own
    /// closing `}`, so `if n == 0 { return 0 } return f(n - 1)` reads as two statements (as in Lua).
    mutating func endOfStatement() throws {
        if previous.kind == .rightBrace { return }
        switch current.kind {
        case .newline, .semicolon, .rightBrace, .eof: return
        default: throw fail("expected end of statement but found \(describe(current))", at: current)
        }
    }

    mutating func statement() throws -> Stmt {
        let start = current
        switch current.kind {
        case .kwLet:
            advance()
            let name = try expect(.identifier, "a name after 'let'")
            let decl = Declaration(name: name.text, span: name.span(in: source))
            var value: Expr?
            if match(.equal) {
                skipNewlines()
                value = try expression()
            }
            return Stmt(.declare(decl, value), span(from: start))
        case .kwFn where lexerPeekIsIdentifier():
            advance()
            let name = try expect(.identifier, "a function name")
            let decl = Declaration(name: name.text, span: name.span(in: source))
            let function = try functionRest(name: name.text, start: start)
            return Stmt(.function(decl, function), span(from: start))
        case .kwIf:
            return try ifStatement()
        case .kwWhile:
            advance()
            let condition = try expression()
            let body = try block()
            return Stmt(.whileLoop(condition, body), span(from: start))
        case .kwFor:
            advance()
            let name = try expect(.identifier, "a loop variable after 'for'")
            if check(.comma) { throw fail("expected 'in' but found ','" + Suggestions.syntaxNote("for-pair"), at: current) }
            try expect(.kwIn, "'in'")
            let sequence = try expression()
            let body = try block()
            return Stmt(.forLoop(Declaration(name: name.text, span: name.span(in: source)), sequence, body), span(from: start))
        case .kwBreak:
            advance()
            return Stmt(.breakLoop, span(from: start))
        case .kwContinue:
            advance()
            return Stmt(.continueLoop, span(from: start))
        case .kwReturn:
            advance()
            switch current.kind {
            case .newline, .semicolon, .rightBrace, .eof:
                return Stmt(.returnValue(nil), span(from: start))
            default:
                return Stmt(.returnValue(try expression()), span(from: start))
            }
        case .kwImport:
            advance()
            if check(.identifier) {
                throw fail("expected a module name in quotes after 'import' but found \(describe(current))"
                           + Suggestions.syntaxNote("import"), at: current)
            }
            let name = try expect(.string, "a module name in quotes after 'import'")
            guard name.parts.count == 1, case .text(let path) = name.parts[0] else {
                throw fail("module name must be a plain string", at: name)
            }
            let base = path.split(separator: "/").last.map(String.init) ?? path
            let moduleName = base.hasSuffix(".dscript") ? String(base.dropLast(8)) : base
            return Stmt(.importModule(path, Declaration(name: moduleName, span: name.span(in: source))), span(from: start))
        case .kwTry:
            advance()
            let body = try block()
            if current.kind == .newline { skipNewlinesBefore(.kwCatch) }
            try expect(.kwCatch, "'catch' after the 'try' block")
            var decl: Declaration?
            if check(.identifier) {
                advance()
                decl = Declaration(name: previous.text, span: previous.span(in: source))
            }
            let handler = try block()
            return Stmt(.tryCatch(body, decl, handler), span(from: start))
        case .leftBrace:
            return Stmt(.block(try block()), span(from: start))
        default:
            let target = try expression()
            let op: BinaryOp?
            switch current.kind {
            case .equal: op = nil
            case .plusEqual: op = .add
            case .minusEqual: op = .sub
            case .starEqual: op = .mul
            case .slashEqual: op = .div
            default: return Stmt(.expression(target), span(from: start))
            }
            switch target.kind {
            case .name, .index, .member: break
            default: throw fail("cannot assign to this expression", span: target.span)
            }
            advance()
            skipNewlines()
            let value = try expression()
            return Stmt(.assign(target: target, op: op, value: value), span(from: start))
        }
    }

    /// if → 'if' expr block ('else' 'if' expr block)* ('else' block)?
    mutating func ifStatement() throws -> Stmt {
        let start = current
        var branches: [(condition: Expr, body: [Stmt])] = []
        var otherwise: [Stmt]?
        advance()
        branches.append((try expression(), try block()))
        while true {
            if current.kind == .newline { skipNewlinesBefore(.kwElse) }
            guard match(.kwElse) else { break }
            if match(.kwIf) {
                branches.append((try expression(), try block()))
            } else {
                otherwise = try block()
                break
            }
        }
        return Stmt(.conditional(branches, otherwise: otherwise), span(from: start))
    }

    /// Skips newlines only when `kind` follows them (`}\nelse {`).
    mutating func skipNewlinesBefore(_ kind: TokenKind) {
        var probe = lexer
        var next = probe.next()
        while next.kind == .newline { next = probe.next() }
        if next.kind == kind {
            lexer = probe
            previous = current
            current = next
        }
    }

    /// block → '{' statement* '}'
    mutating func block() throws -> [Stmt] {
        let open = try expect(.leftBrace, "'{'")
        try enter(open)
        defer { nesting -= 1 }
        let saved = ignoreNewlines
        ignoreNewlines = false
        defer { ignoreNewlines = saved }
        var statements: [Stmt] = []
        skipTerminators()
        while !check(.rightBrace) {
            if check(.eof) {
                throw fail("expected '}' but found end of input", at: current,
                           notes: [.init("to close '{' opened at \(open.line):\(open.column)", span: open.span(in: source))])
            }
            if diagnostics.count >= Parser.maxDiagnostics || budget < 0 { throw Failure() }
            if let s = statementRecovering() { statements.append(s) }
            skipTerminators()
        }
        ignoreNewlines = saved
        advance()
        return statements
    }

    /// After `fn` or `fn name`: '(' params ')' (block | '=>' expr)
    mutating func functionRest(name: String, start: Token) throws -> FunctionDecl {
        let open = try expect(.leftParen, "'(' after 'fn'")
        let saved = ignoreNewlines
        ignoreNewlines = true
        skipNewlines()
        var parameters: [Declaration] = []
        var defaults: [Expr?] = []
        while !check(.rightParen) {
            let p = try expect(.identifier, "a parameter name")
            if parameters.contains(where: { $0.name == p.text }) {
                report("duplicate parameter '\(p.text)'", at: p)
            }
            parameters.append(Declaration(name: p.text, span: p.span(in: source)))
            if match(.equal) {
                defaults.append(try expression())
            } else {
                if defaults.last.flatMap({ $0 }) != nil {
                    report("parameter '\(p.text)' without a default follows one with a default", at: p)
                }
                defaults.append(nil)
            }
            if !match(.comma) { break }
        }
        try expect(.rightParen, "')' after the parameters", opening: open)
        ignoreNewlines = saved
        if saved { skipNewlines() }
        let body: [Stmt]
        if match(.arrow) {
            skipNewlines()
            let value = try expression()
            body = [Stmt(.returnValue(value), value.span)]
        } else {
            body = try block()
        }
        return FunctionDecl(name: name, parameters: parameters, defaults: defaults, body: body, span: span(from: start))
    }

    func lexerPeekIsIdentifier() -> Bool {
        var probe = lexer
        return probe.next().kind == .identifier
    }

    /// The span from `start` to the end of the previous token.
    func span(from start: Token) -> SourceSpan {
        SourceSpan(source: source, line: start.line, column: start.column, start: start.start, end: max(start.end, previous.end))
    }
}
