/// Turns a resolved syntax tree into a tree of Swift closures over frame slots (closure
/// compilation): no dictionary look-ups for variables at run time, no re-dispatch on node kinds.
/// Statements are here; expressions in `Compiler+Expressions.swift`.
struct Compiler {
    let runtime: Runtime
    /// The globals of the program being compiled (the user's, or a module's).
    let globals: GlobalTable
    /// In the REPL the value of a final expression statement is kept for echoing.
    let interactive: Bool

    /// The variable `name` as a global of this program or a built-in.
    func global(_ name: String, declaredHere: Bool) -> Global {
        if declaredHere { return globals.slot(name) }
        return globals.lookup(name) ?? globals.slot(name)
    }

    // MARK: Blocks

    func block(_ statements: [Stmt]) -> Exec {
        let compiled = statements.map { statement($0) }
        switch compiled.count {
        case 0:
            return { _ in .normal }
        case 1:
            return compiled[0]
        case 2:
            let a = compiled[0], b = compiled[1]
            return { fp in
                let f = try a(fp)
                if f != .normal { return f }
                return try b(fp)
            }
        default:
            return { fp in
                for s in compiled {
                    let f = try s(fp)
                    if f != .normal { return f }
                }
                return .normal
            }
        }
    }

    // MARK: Statements

    func statement(_ s: Stmt) -> Exec {
        switch s.kind {
        case .expression(let e):
            let eval = expression(e)
            return { fp in
                _ = try eval(fp)
                return .normal
            }
        case .declare(let d, let value):
            let eval = value.map { expression($0) } ?? { _ in .null }
            return store(d, eval)
        case .assign(let target, let op, let value):
            return assignment(target, op, value, s.span)
        case .function(let d, let f):
            let make = closure(f)
            if case .local(let slot) = d.storage, d.captured {
                // The box exists before the closure, so the function can call itself.
                return { fp in
                    let box = Box(.null)
                    fp[slot] = .native(box)
                    box.value = try make(fp)
                    return .normal
                }
            }
            return store(d, make)
        case .conditional(let branches, let otherwise):
            return conditional(branches, otherwise)
        case .whileLoop(let condition, let body):
            return whileLoop(condition, body)
        case .forLoop(let d, let sequence, let body):
            return forLoop(d, sequence, body, s.span)
        case .breakLoop:
            return { _ in .breakLoop }
        case .continueLoop:
            return { _ in .continueLoop }
        case .returnValue(let value):
            let runtime = self.runtime
            guard let value else {
                return { _ in
                    runtime.returnValue = .null
                    return .returned
                }
            }
            let eval = expression(value)
            return { fp in
                runtime.returnValue = try eval(fp)
                return .returned
            }
        case .importModule(let path, let d):
            let runtime = self.runtime
            let span = s.span
            return store(d) { _ in .native(try runtime.importModule(path, span: span)) }
        case .tryCatch(let body, let d, let handler):
            return tryCatch(block(body), d, block(handler))
        case .block(let body):
            return block(body)
        }
    }

    /// Stores the value of `eval` into a newly declared variable.
    func store(_ d: Declaration, _ eval: @escaping Eval) -> Exec {
        switch d.storage {
        case .local(let slot):
            if d.captured {
                return { fp in
                    fp[slot] = .native(Box(try eval(fp)))
                    return .normal
                }
            }
            return { fp in
                fp[slot] = try eval(fp)
                return .normal
            }
        case .global, .unresolved:
            let g = globals.slot(d.name)
            return { fp in
                g.value = try eval(fp)
                g.defined = true
                return .normal
            }
        }
    }

    /// Writes a value into an existing declared local (loop and catch variables).
    func bind(_ d: Declaration) -> (Frame, Value) -> Void {
        switch d.storage {
        case .local(let slot):
            if d.captured { return { fp, v in fp[slot] = .native(Box(v)) } }
            return { fp, v in fp[slot] = v }
        case .global, .unresolved:
            let g = globals.slot(d.name)
            return { _, v in
                g.value = v
                g.defined = true
            }
        }
    }

    func conditional(_ branches: [(condition: Expr, body: [Stmt])], _ otherwise: [Stmt]?) -> Exec {
        let compiled = branches.map { (condition($0.condition), block($0.body)) }
        let elseBody = otherwise.map { block($0) }
        if compiled.count == 1 {
            let (test, body) = compiled[0]
            if let elseBody {
                return { fp in try test(fp) ? try body(fp) : try elseBody(fp) }
            }
            return { fp in try test(fp) ? try body(fp) : .normal }
        }
        return { fp in
            for (test, body) in compiled where try test(fp) {
                return try body(fp)
            }
            if let elseBody { return try elseBody(fp) }
            return .normal
        }
    }

    func whileLoop(_ conditionExpr: Expr, _ bodyStatements: [Stmt]) -> Exec {
        let test = condition(conditionExpr)
        let body = block(bodyStatements)
        let flag = runtime.interruptFlag
        return { fp in
            while try test(fp) {
                if flag.pointee != 0 {
                    flag.pointee = 0
                    throw ScriptError.interrupted()
                }
                switch try body(fp) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned: return .returned
                }
            }
            return .normal
        }
    }

    func forLoop(_ d: Declaration, _ sequence: Expr, _ bodyStatements: [Stmt], _ span: SourceSpan) -> Exec {
        let body = block(bodyStatements)
        let flag = runtime.interruptFlag
        let assign = bind(d)
        let runtime = self.runtime
        // `for i in a..<b`: count without making a range object.
        if case .range(let a, let b, let inclusive) = sequence.kind {
            let low = expression(a), high = expression(b)
            return { fp in
                let lo = try low(fp), hi = try high(fp)
                guard case .number(let start) = lo, case .number(let end) = hi else {
                    throw ScriptError("range bounds must be numbers, got \(lo.typeName) and \(hi.typeName)", span: sequence.span)
                }
                var i = start
                while inclusive ? i <= end : i < end {
                    if flag.pointee != 0 {
                        flag.pointee = 0
                        throw ScriptError.interrupted()
                    }
                    assign(fp, .number(i))
                    switch try body(fp) {
                    case .normal, .continueLoop: break
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    }
                    i += 1
                }
                return .normal
            }
        }
        let eval = expression(sequence)
        return { fp in
            var iterator = try runtime.iterate(try eval(fp), span: sequence.span)
            while let item = try iterator.next() {
                if flag.pointee != 0 {
                    flag.pointee = 0
                    throw ScriptError.interrupted()
                }
                assign(fp, item)
                switch try body(fp) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned: return .returned
                }
            }
            return .normal
        }
    }

    func tryCatch(_ body: @escaping Exec, _ d: Declaration?, _ handler: @escaping Exec) -> Exec {
        let assign = d.map { bind($0) }
        let runtime = self.runtime
        return { fp in
            let savedTop = runtime.stackTop
            let savedDepth = runtime.depth
            do {
                return try body(fp)
            } catch let error as ScriptError where error.kind == .runtime {
                runtime.stackTop = savedTop
                runtime.depth = savedDepth
                assign?(fp, .string(error.message))
            } catch let error as SyntaxErrors {
                assign?(fp, .string(error.diagnostics.first.map { "\($0.span.map { "\($0): " } ?? "")\($0.message)" } ?? "syntax error"))
            }
            return try handler(fp)
        }
    }
}
