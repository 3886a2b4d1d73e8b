/// Calls and function literals.
final class CallNode: Node {
    let callee: Node
    let arguments: [NodeRef]
    let count: Int
    init(_ runtime: Runtime, _ span: SourceSpan, _ callee: Node, _ arguments: [Node]) {
        self.callee = callee
        self.arguments = arguments.map(NodeRef.init)
        self.count = arguments.count
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let f = try callee.eval(fp)
        if case .function(let function) = f, let proto = function.proto, proto.parameterCount == count {
            return try runtime.callDirect(function, proto, fp, arguments, span: span)
        }
        var values: [Value] = []
        values.reserveCapacity(count)
        for a in arguments { values.append(try a.node.eval(fp)) }
        return try runtime.callValue(f, positional: values, keywords: [], span: span)
    }
}

/// A call with one positional argument.
final class Call1Node: Node {
    let callee: Node, a0: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ callee: Node, _ a0: Node) {
        self.callee = callee
        self.a0 = a0
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let f = try callee.eval(fp)
        let v0 = try a0.eval(fp)
        if case .function(let function) = f, let proto = function.proto, proto.parameterCount == 1 {
            let base = try runtime.pushFrame(proto, span: span)
            defer { runtime.popFrame(base, proto.slotCount) }
            base[1] = v0
            return try runtime.runFrame(function, proto, base, span: span)
        }
        return try runtime.callValue(f, positional: [v0], keywords: [], span: span)
    }
}

/// A call with two positional arguments.
final class Call2Node: Node {
    let callee: Node, a0: Node, a1: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ callee: Node, _ a0: Node, _ a1: Node) {
        self.callee = callee
        self.a0 = a0
        self.a1 = a1
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let f = try callee.eval(fp)
        let v0 = try a0.eval(fp), v1 = try a1.eval(fp)
        if case .function(let function) = f, let proto = function.proto, proto.parameterCount == 2 {
            let base = try runtime.pushFrame(proto, span: span)
            defer { runtime.popFrame(base, proto.slotCount) }
            base[1] = v0
            base[2] = v1
            return try runtime.runFrame(function, proto, base, span: span)
        }
        return try runtime.callValue(f, positional: [v0, v1], keywords: [], span: span)
    }
}

/// A call with keyword arguments.
final class KeywordCallNode: Node {
    let callee: Node
    let positional: [NodeRef]
    let keywords: [(name: String, value: Node)]
    init(_ runtime: Runtime, _ span: SourceSpan, _ callee: Node, _ positional: [Node], _ keywords: [(name: String, value: Node)]) {
        self.callee = callee
        self.positional = positional.map(NodeRef.init)
        self.keywords = keywords
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let f = try callee.eval(fp)
        var values: [Value] = []
        values.reserveCapacity(positional.count)
        for a in positional { values.append(try a.node.eval(fp)) }
        var named: [(name: String, value: Value)] = []
        for (name, a) in keywords { named.append((name, try a.eval(fp))) }
        return try runtime.callValue(f, positional: values, keywords: named, span: span)
    }
}

/// `fn (...) {...}`: makes a closure, capturing upvalues from the running frame.
final class FunctionNode: Node {
    let proto: FunctionProto
    let sources: [FunctionDecl.UpvalueSource]
    let slots: [Int]
    init(_ runtime: Runtime, _ span: SourceSpan, _ proto: FunctionProto, _ sources: [FunctionDecl.UpvalueSource]) {
        self.proto = proto
        self.sources = sources
        self.slots = sources.map { s in
            if case .local(let d) = s, case .local(let slot) = d.storage { return slot }
            if case .upvalue(let i) = s { return -1 - i }
            return 0
        }
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        if slots.isEmpty { return .function(FunctionObject(proto: proto, captures: [])) }
        var captures: [Box] = []
        captures.reserveCapacity(slots.count)
        for slot in slots {
            if slot >= 0 {
                if case .native(let box) = fp[slot] {
                    captures.append(unsafeDowncast(box, to: Box.self))
                } else {
                    captures.append(Box(.null))
                }
            } else if case .function(let outer) = fp[0] {
                captures.append(outer.captures[-1 - slot])
            } else {
                captures.append(Box(.null))
            }
        }
        return .function(FunctionObject(proto: proto, captures: captures))
    }
}

/// A call of a global by name with positional arguments that cannot change any variable
/// (locals, constants, arithmetic on them): while the global holds a dscript function of that
/// many parameters, the arguments go straight into the callee's frame and neither the function
/// nor the nodes are reference counted. Anything else takes the ordinary call node.
final class GlobalCallNode: Node {
    let global: Global
    let count: Int
    /// Owns the arguments; `list` is the same, read without reference counting.
    let arguments: [Node]
    let list: UnsafeMutablePointer<Unmanaged<Node>>
    let fallback: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ global: Global, _ arguments: [Node], fallback: Node) {
        self.global = global
        self.count = arguments.count
        self.arguments = arguments
        self.list = .allocate(capacity: max(1, arguments.count))
        for (i, a) in arguments.enumerated() { (list + i).initialize(to: .passUnretained(a)) }
        self.fallback = fallback
        super.init(runtime, span)
    }
    deinit { list.deallocate() }

    /// Whether evaluating `node` can neither assign a variable nor run user code.
    static func isPure(_ node: Node) -> Bool {
        switch node {
        case is ConstantNode, is LocalNode, is BoxedLocalNode, is UpvalueNode, is GlobalNode,
             is LocalConstantArithmeticNode, is GlobalConstantArithmeticNode:
            return true
        case let b as BinaryNode:
            return (b is AddNode || b is SubtractNode || b is MultiplyNode || b is DivideNode)
                && isPure(b.left) && isPure(b.right)
        case let n as NegateNode:
            return isPure(n.operand)
        default:
            return false
        }
    }

    override func eval(_ fp: Frame) throws -> Value {
        guard let callee = global.callee, let unmanagedProto = global.calleeProto else {
            return try fallback.eval(fp)
        }
        return try unmanagedProto._withUnsafeGuaranteedRef { proto in
            guard proto.parameterCount == count else { return try fallback.eval(fp) }
            let rt = runtime
            let base = try rt.pushFrame(proto, span: span)
            let result: Value
            do {
                // The slots hold `.null`: initializing over them releases nothing.
                var i = 0
                while i < count {
                    (base + 1 + i).initialize(to: try list[i]._withUnsafeGuaranteedRef { try $0.eval(fp) })
                    i += 1
                }
                if proto.needsSelf { base[0] = .function(callee.takeUnretainedValue()) }
                result = try rt.runBody(proto, base, span: span)
            } catch {
                rt.popFrame(base, proto.slotCount)
                throw error
            }
            // Popped here rather than in a `defer`, which the compiler leaves as a call.
            rt.popFrame(base, proto.slotCount)
            return result
        }
    }
}
