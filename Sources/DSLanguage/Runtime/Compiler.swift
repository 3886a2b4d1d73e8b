/// Turns a resolved syntax tree into the executable node tree (`Node`, `Statement`): names become
/// slots, boxes or globals; operators become specialised nodes.
struct Compiler {
    let runtime: Runtime
    /// The globals of the program being compiled (the user's, or a module's).
    let globals: GlobalTable

    // MARK: Statements

    func block(_ statements: [Stmt], span: SourceSpan? = nil) -> Statement {
        let compiled = statements.map { statement($0) }
        if compiled.count == 1 { return compiled[0] }
        let s = span ?? statements.first?.span ?? SourceSpan(source: Source(name: "", text: ""), line: 0, column: 0, start: 0, end: 0)
        return BlockStatement(runtime, s, compiled)
    }

    /// The store statement suited to the target.
    func store(_ target: VariableTarget, _ value: Node, makesBox: Bool, _ span: SourceSpan) -> Statement {
        switch target {
        case .local(let slot): return StoreLocalStatement(runtime, span, slot: slot, value)
        case .global(let g, let declares): return StoreGlobalStatement(runtime, span, g, declares: declares, value)
        default: return StoreStatement(runtime, span, target, value, makesBox: makesBox)
        }
    }

    func statement(_ s: Stmt) -> Statement {
        let rt = runtime
        switch s.kind {
        case .expression(let e):
            return ExpressionStatement(rt, expression(e))
        case .declare(let d, let value):
            let v = value.map { expression($0) } ?? ConstantNode(rt, s.span, .null)
            return store(declared(d), v, makesBox: d.captured, s.span)
        case .assign(let target, let op, let value):
            return assignment(target, op, value, s.span)
        case .function(let d, let f):
            let make = function(f)
            if case .local(let slot) = d.storage, d.captured {
                return RecursiveFunctionStatement(rt, s.span, slot: slot, make)
            }
            return store(declared(d), make, makesBox: false, s.span)
        case .conditional(let branches, let otherwise):
            let compiled = branches.map { (condition: expression($0.condition), body: block($0.body, span: s.span)) }
            let elseBody = otherwise.map { block($0, span: s.span) }
            if compiled.count == 1, elseBody == nil {
                return IfThenStatement(rt, s.span, compiled[0].condition, compiled[0].body)
            }
            if compiled.count == 1 {
                return SimpleIfStatement(rt, s.span, compiled[0].condition, compiled[0].body, elseBody)
            }
            return IfStatement(rt, s.span, compiled, elseBody)
        case .whileLoop(let condition, let body):
            return WhileStatement(rt, s.span, expression(condition), block(body, span: s.span))
        case .forLoop(let d, let sequence, let body):
            let target = declared(d)
            let compiledBody = block(body, span: s.span)
            let sequenceNode = expression(sequence)
            if let range = sequenceNode as? RangeNode {
                return ForRangeStatement(rt, s.span, range, target, boxed: d.captured, compiledBody)
            }
            return ForStatement(rt, s.span, sequenceNode, target, boxed: d.captured, compiledBody)
        case .breakLoop:
            return JumpStatement(rt, s.span, .breakLoop)
        case .continueLoop:
            return JumpStatement(rt, s.span, .continueLoop)
        case .returnValue(let value):
            if let value { return ReturnValueStatement(rt, s.span, expression(value)) }
            return ReturnStatement(rt, s.span, nil)
        case .importModule(let path, let d):
            return ImportStatement(rt, s.span, path, declared(d), boxed: d.captured)
        case .tryCatch(let body, let d, let handler):
            return TryStatement(rt, s.span, block(body, span: s.span), d.map { declared($0) }, boxed: d?.captured ?? false,
                                block(handler, span: s.span))
        case .block(let body):
            return block(body, span: s.span)
        }
    }

    /// Where a declaration stores.
    func declared(_ d: Declaration) -> VariableTarget {
        switch d.storage {
        case .local(let slot): return d.captured ? .boxed(slot) : .local(slot)
        case .global, .unresolved: return .global(globals.slot(d.name), declares: true)
        }
    }

    /// Where an assignment to an existing name stores.
    func target(_ reference: NameReference) -> VariableTarget {
        switch reference.resolution {
        case .local(let d):
            if case .local(let slot) = d.storage { return d.captured ? .boxed(slot) : .local(slot) }
            return globalTarget(reference.name)
        case .upvalue(let index):
            return .upvalue(index)
        case .global, .unresolved:
            return globalTarget(reference.name)
        }
    }

    func globalTarget(_ name: String) -> VariableTarget {
        if let g = globals.variables[name] { return .global(g, declares: false) }
        if runtime.builtins.variables[name] != nil, globals !== runtime.builtins { return .builtin(name) }
        return .global(globals.slot(name), declares: false)
    }

    func assignment(_ targetExpr: Expr, _ op: BinaryOp?, _ valueExpr: Expr, _ span: SourceSpan) -> Statement {
        let rt = runtime
        let value = expression(valueExpr)
        switch targetExpr.kind {
        case .name(let reference):
            let t = target(reference)
            guard let op else { return store(t, value, makesBox: false, span) }
            if op == .add, case .local(let slot) = t {
                return LocalAddStatement(rt, span, slot: slot, value)
            }
            let combined = binary(op, read(reference, targetExpr.span), value, span)
            return store(t, combined, makesBox: false, span)
        case .index(let object, let components):
            // x[a][b] = v: collect the bracket levels down to the root, outermost first.
            var levels = [indexParts(components)], root = object
            while case .index(let inner, let innerComponents) = root.kind {
                levels.append(indexParts(innerComponents))
                root = inner
            }
            levels.reverse()
            if levels.count == 1 {
                return IndexAssignStatement(rt, span, expression(object), levels[0], value, op, targetSpan: targetExpr.span)
            }
            return ChainIndexAssignStatement(rt, span, expression(root), levels, value, op, targetSpan: targetExpr.span)
        case .member(let object, let name):
            return MemberAssignStatement(rt, span, expression(object), name, value, op, targetSpan: targetExpr.span)
        default:
            return ExpressionStatement(rt, value)
        }
    }

    // MARK: Expressions

    func expression(_ e: Expr) -> Node {
        let rt = runtime
        let span = e.span
        switch e.kind {
        case .number(let x): return ConstantNode(rt, span, .number(x))
        case .string(let s): return ConstantNode(rt, span, .string(s))
        case .bool(let b): return ConstantNode(rt, span, .bool(b))
        case .null: return ConstantNode(rt, span, .null)
        case .interpolation(let parts):
            return InterpolationNode(rt, span, parts.map { part in
                switch part {
                case .text(let s): return .text(s)
                case .expression(let inner, let format):
                    return .value(expression(inner), format.flatMap { FormatSpec(parsing: $0) }, format)
                }
            })
        case .name(let reference):
            return read(reference, span)
        case .list(let items):
            return ListNode(rt, span, items.map { expression($0) })
        case .dict(let entries):
            return DictNode(rt, span, entries.map { (key: expression($0.key), value: expression($0.value)) })
        case .negate(let x):
            return NegateNode(rt, span, expression(x))
        case .not(let x):
            return NotNode(rt, span, expression(x))
        case .and(let a, let b):
            return LogicalNode(rt, span, expression(a), expression(b), isAnd: true)
        case .or(let a, let b):
            return LogicalNode(rt, span, expression(a), expression(b), isAnd: false)
        case .binary(let op, let a, let b):
            return binary(op, expression(a), expression(b), span)
        case .range(let a, let b, let inclusive):
            return RangeNode(rt, span, expression(a), expression(b), inclusive: inclusive)
        case .call(let callee, let arguments):
            let positional = arguments.filter { $0.name == nil }.map { expression($0.value) }
            let keywords = arguments.compactMap { a in a.name.map { (name: $0, value: expression(a.value)) } }
            if keywords.isEmpty {
                let calleeNode = expression(callee)
                let call: Node
                switch positional.count {
                case 1: call = Call1Node(rt, span, calleeNode, positional[0])
                case 2: call = Call2Node(rt, span, calleeNode, positional[0], positional[1])
                default: call = CallNode(rt, span, calleeNode, positional)
                }
                if let g = calleeNode as? GlobalNode, positional.allSatisfy(GlobalCallNode.isPure) {
                    return GlobalCallNode(rt, span, g.global, positional, fallback: call)
                }
                return call
            }
            return KeywordCallNode(rt, span, expression(callee), positional, keywords)
        case .index(let target, let components):
            let parts = indexParts(components)
            if parts.count == 1, case .value(let key) = parts[0] {
                return IndexValueNode(rt, span, expression(target), key)
            }
            return IndexNodeGeneral(rt, span, expression(target), parts)
        case .member(let target, let name):
            return MemberNode(rt, span, expression(target), name)
        case .function(let f):
            return function(f)
        }
    }

    func binary(_ op: BinaryOp, _ left: Node, _ right: Node, _ span: SourceSpan) -> Node {
        if let local = left as? LocalNode, let constant = right as? ConstantNode, case .number(let c) = constant.value {
            switch op {
            case .add: return LocalAddConstantNode(runtime, span, op, slot: local.slot, c)
            case .sub: return LocalSubtractConstantNode(runtime, span, op, slot: local.slot, c)
            case .mul, .div: return LocalConstantArithmeticNode(runtime, span, op, slot: local.slot, c)
            case .lt: return LocalLessThanConstantNode(runtime, span, op, slot: local.slot, c)
            case .le, .gt, .ge, .eq, .ne: return LocalConstantCompareNode(runtime, span, op, slot: local.slot, c)
            default: break
            }
        }
        if let global = left as? GlobalNode, let constant = right as? ConstantNode, case .number(let c) = constant.value {
            switch op {
            case .add, .sub, .mul, .div: return GlobalConstantArithmeticNode(runtime, span, op, global, c)
            case .lt, .le, .gt, .ge, .eq, .ne: return GlobalConstantCompareNode(runtime, span, op, global, c)
            default: break
            }
        }
        switch op {
        case .add: return AddNode(runtime, span, op, left, right)
        case .sub: return SubtractNode(runtime, span, op, left, right)
        case .mul: return MultiplyNode(runtime, span, op, left, right)
        case .div: return DivideNode(runtime, span, op, left, right)
        case .lt, .le, .gt, .ge, .eq, .ne: return CompareNode(runtime, span, op, left, right)
        default: return BinaryNode(runtime, span, op, left, right)
        }
    }

    func read(_ reference: NameReference, _ span: SourceSpan) -> Node {
        switch reference.resolution {
        case .local(let d):
            guard case .local(let slot) = d.storage else { return readGlobal(reference.name, span) }
            return d.captured ? BoxedLocalNode(runtime, span, slot: slot) : LocalNode(runtime, span, slot: slot)
        case .upvalue(let index):
            return UpvalueNode(runtime, span, index: index)
        case .global, .unresolved:
            return readGlobal(reference.name, span)
        }
    }

    func readGlobal(_ name: String, _ span: SourceSpan) -> Node {
        GlobalNode(runtime, span, globals.lookup(name) ?? globals.slot(name))
    }

    func function(_ f: FunctionDecl) -> Node {
        let proto = FunctionProto(
            name: f.name, parameterNames: f.parameters.map(\.name),
            defaults: f.defaults.map { $0.map { expression($0) } },
            capturedParameterSlots: f.parameters.compactMap { p in
                if case .local(let slot) = p.storage, p.captured { return slot }
                return nil
            },
            slotCount: f.slotCount, needsSelf: !f.upvalues.isEmpty, body: block(f.body, span: f.span), span: f.span)
        // Calls through `Global.calleeProto` do not retain the proto: the arena keeps it alive.
        runtime.arena.append(proto)
        return FunctionNode(runtime, f.span, proto, f.upvalues)
    }

    func indexParts(_ components: [IndexArgument]) -> [IndexNode] {
        components.map { c in
            switch c {
            case .value(let e): return .value(expression(e))
            case .slice(let a, let b, let c):
                return .slice(a.map { expression($0) }, b.map { expression($0) }, c.map { expression($0) })
            }
        }
    }
}
