/// Expressions: each node becomes a closure `(Frame) throws -> Value`; arithmetic on two numbers
/// and comparisons in conditions take fast paths without leaving the closure.
extension Compiler {
    func expression(_ e: Expr) -> Eval {
        let runtime = self.runtime
        let span = e.span
        switch e.kind {
        case .number(let x):
            let v = Value.number(x)
            return { _ in v }
        case .string(let s):
            let v = Value.string(s)
            return { _ in v }
        case .bool(let b):
            let v = Value.bool(b)
            return { _ in v }
        case .null:
            return { _ in .null }
        case .interpolation(let parts):
            return interpolation(parts, span)
        case .name(let reference):
            return read(reference, span)
        case .list(let items):
            let evals = items.map { expression($0) }
            return { fp in
                var values: [Value] = []
                values.reserveCapacity(evals.count)
                for e in evals { values.append(try e(fp)) }
                return .list(ListObject(values))
            }
        case .dict(let entries):
            let evals = entries.map { (expression($0.key), expression($0.value), $0.key.span) }
            return { fp in
                let d = DictObject()
                for (k, v, keySpan) in evals {
                    let key = try k(fp)
                    guard case .string(let name) = key else {
                        throw ScriptError("dict keys must be strings, got \(key.typeName)", span: keySpan)
                    }
                    d.entries[name] = try v(fp)
                }
                return .dict(d)
            }
        case .negate(let x):
            let operand = expression(x)
            return { fp in
                let v = try operand(fp)
                if case .number(let n) = v { return .number(-n) }
                return try runtime.negate(v, span: span)
            }
        case .not(let x):
            let test = condition(x)
            return { fp in .bool(!(try test(fp))) }
        case .and(let a, let b):
            let left = expression(a), right = expression(b)
            return { fp in
                let l = try left(fp)
                guard try runtime.truthy(l, span: span) else { return l }
                return try right(fp)
            }
        case .or(let a, let b):
            let left = expression(a), right = expression(b)
            return { fp in
                let l = try left(fp)
                if try runtime.truthy(l, span: span) { return l }
                return try right(fp)
            }
        case .binary(let op, let a, let b):
            return binary(op, expression(a), expression(b), span)
        case .range(let a, let b, let inclusive):
            let low = expression(a), high = expression(b)
            return { fp in
                let lo = try low(fp), hi = try high(fp)
                guard case .number(let start) = lo, case .number(let end) = hi else {
                    throw ScriptError("range bounds must be numbers, got \(lo.typeName) and \(hi.typeName)", span: span)
                }
                return .range(RangeObject(start: start, end: end, inclusive: inclusive))
            }
        case .call(let callee, let arguments):
            return call(callee, arguments, span)
        case .index(let target, let components):
            let object = expression(target)
            let parts = indexComponents(components)
            if parts.count == 1, case .value(let only) = parts[0] {
                return { fp in try runtime.index(try object(fp), try only(fp), span: span) }
            }
            return { fp in
                let o = try object(fp)
                return try runtime.index(o, try evaluate(parts, fp), span: span)
            }
        case .member(let target, let name):
            let object = expression(target)
            return { fp in try runtime.member(try object(fp), name, span: span) }
        case .function(let f):
            return closure(f)
        }
    }

    // MARK: Names

    func read(_ reference: NameReference, _ span: SourceSpan) -> Eval {
        switch reference.resolution {
        case .local(let d):
            guard case .local(let slot) = d.storage else { return readGlobal(reference.name, span) }
            if d.captured {
                return { fp in
                    if case .native(let box) = fp[slot] { return unsafeDowncast(box, to: Box.self).value }
                    return .null
                }
            }
            return { fp in fp[slot] }
        case .upvalue(let index):
            return { fp in
                guard case .function(let f) = fp[0] else { return .null }
                return f.captures[index].value
            }
        case .global, .unresolved:
            return readGlobal(reference.name, span)
        }
    }

    func readGlobal(_ name: String, _ span: SourceSpan) -> Eval {
        let g = global(name, declaredHere: false)
        return { _ in
            if g.defined { return g.value }
            throw ScriptError("undefined name '\(name)'", span: span)
        }
    }

    /// A closure that writes a variable.
    func write(_ reference: NameReference, _ span: SourceSpan) -> (Frame, Value) throws -> Void {
        switch reference.resolution {
        case .local(let d):
            guard case .local(let slot) = d.storage else { return writeGlobal(reference.name, span) }
            if d.captured {
                return { fp, v in
                    if case .native(let box) = fp[slot] { unsafeDowncast(box, to: Box.self).value = v }
                }
            }
            return { fp, v in fp[slot] = v }
        case .upvalue(let index):
            return { fp, v in
                if case .function(let f) = fp[0] { f.captures[index].value = v }
            }
        case .global, .unresolved:
            return writeGlobal(reference.name, span)
        }
    }

    func writeGlobal(_ name: String, _ span: SourceSpan) -> (Frame, Value) throws -> Void {
        let g = global(name, declaredHere: false)
        if globals.variables[name] == nil, runtime.builtins.variables[name] === g {
            return { _, _ in throw ScriptError("cannot assign to built-in '\(name)' (use 'let' to define your own)", span: span) }
        }
        return { _, v in
            guard g.defined else { throw ScriptError("undefined name '\(name)'", span: span) }
            g.value = v
        }
    }

    // MARK: Functions

    /// Makes a closure value from `f`, capturing its upvalues from the running frame.
    func closure(_ f: FunctionDecl) -> Eval {
        let proto = FunctionProto(name: f.name, parameterNames: f.parameters.map(\.name), span: f.span)
        proto.slotCount = f.slotCount
        proto.defaults = f.defaults.map { $0.map { expression($0) } }
        proto.capturedParameterSlots = f.parameters.compactMap { p in
            if case .local(let slot) = p.storage, p.captured { return slot }
            return nil
        }
        proto.body = block(f.body)
        let sources = f.upvalues
        if sources.isEmpty {
            return { _ in .function(FunctionObject(proto: proto, captures: [])) }
        }
        return { fp in
            var captures: [Box] = []
            captures.reserveCapacity(sources.count)
            for source in sources {
                switch source {
                case .local(let d):
                    if case .local(let slot) = d.storage, case .native(let box) = fp[slot] {
                        captures.append(unsafeDowncast(box, to: Box.self))
                    } else {
                        captures.append(Box(.null))
                    }
                case .upvalue(let index):
                    if case .function(let outer) = fp[0] {
                        captures.append(outer.captures[index])
                    } else {
                        captures.append(Box(.null))
                    }
                }
            }
            return .function(FunctionObject(proto: proto, captures: captures))
        }
    }

    // MARK: Strings

    func interpolation(_ parts: [InterpolationPart], _ span: SourceSpan) -> Eval {
        let runtime = self.runtime
        enum Piece {
            case text(String)
            case value(Eval, FormatSpec?, String?, SourceSpan)
        }
        let pieces: [Piece] = parts.map { part in
            switch part {
            case .text(let s): return .text(s)
            case .expression(let e, let format):
                return .value(expression(e), format.flatMap { FormatSpec(parsing: $0) }, format, e.span)
            }
        }
        return { fp in
            var out = ""
            for piece in pieces {
                switch piece {
                case .text(let s):
                    out += s
                case .value(let eval, let spec, let text, let exprSpan):
                    let v = try eval(fp)
                    if let text {
                        guard let spec else { throw ScriptError("invalid format '\(text)'", span: exprSpan) }
                        do {
                            out += try spec.apply(to: v, context: runtime)
                        } catch var error as ScriptError {
                            if error.span == nil { error.span = exprSpan }
                            throw error
                        }
                    } else {
                        out += runtime.format(v, repr: false)
                    }
                }
            }
            return .string(out)
        }
    }

    // MARK: Indexing

    enum CompiledIndex {
        case value(Eval)
        case slice(Eval?, Eval?, Eval?)
    }

    func indexComponents(_ components: [IndexArgument]) -> [CompiledIndex] {
        components.map { c in
            switch c {
            case .value(let e): return .value(expression(e))
            case .slice(let a, let b, let c):
                return .slice(a.map { expression($0) }, b.map { expression($0) }, c.map { expression($0) })
            }
        }
    }
}

/// Evaluates compiled index components into the form native objects take.
func evaluate(_ parts: [Compiler.CompiledIndex], _ fp: Frame) throws -> [IndexComponent] {
    var out: [IndexComponent] = []
    out.reserveCapacity(parts.count)
    for p in parts {
        switch p {
        case .value(let e):
            out.append(.value(try e(fp)))
        case .slice(let a, let b, let c):
            out.append(.slice(start: try a.map { try $0(fp) }, stop: try b.map { try $0(fp) }, step: try c.map { try $0(fp) }))
        }
    }
    return out
}
