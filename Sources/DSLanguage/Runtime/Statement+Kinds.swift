/// Statement nodes: blocks, stores, control flow, loops, try/catch.
final class BlockStatement: Statement {
    /// Owns the statements; `list` is the same, read without reference counting.
    let statements: [Statement]
    let list: UnsafeMutablePointer<Unmanaged<Statement>>
    let count: Int
    init(_ runtime: Runtime, _ span: SourceSpan, _ statements: [Statement]) {
        self.statements = statements
        self.count = statements.count
        self.list = .allocate(capacity: max(1, statements.count))
        for (i, s) in statements.enumerated() { (list + i).initialize(to: .passUnretained(s)) }
        super.init(runtime, span)
    }
    deinit { list.deallocate() }
    override func exec(_ fp: Frame) throws -> Flow {
        var i = 0
        while i < count {
            let f = try list[i]._withUnsafeGuaranteedRef { try $0.exec(fp) }
            if f != .normal { return f }
            i += 1
        }
        return .normal
    }
}

final class ExpressionStatement: Statement {
    let expression: Node
    init(_ runtime: Runtime, _ expression: Node) {
        self.expression = expression
        super.init(runtime, expression.span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        _ = try expression.eval(fp)
        return .normal
    }
}

/// Where an assignment or declaration writes: a slot, a boxed slot, an upvalue or a global.
enum VariableTarget {
    case local(Int)
    case boxed(Int)
    case upvalue(Int)
    /// `declares`: `let` defines it; plain assignment needs it defined already.
    case global(Global, declares: Bool)
    case builtin(String)

    @inline(__always)
    func store(_ value: Value, _ fp: Frame, span: SourceSpan) throws {
        switch self {
        case .local(let slot):
            fp[slot] = value
        case .boxed(let slot):
            if case .native(let box) = fp[slot] { unsafeDowncast(box, to: Box.self).value = value }
        case .upvalue(let index):
            if case .function(let f) = fp[0] { f.captures[index].value = value }
        case .global(let g, let declares):
            if !declares && !g.defined {
                throw ScriptError("undefined name '\(g.name)'" + Suggestions.note(for: g.name, .name, candidates: []), span: span)
            }
            g.value = value
            g.defined = true
        case .builtin(let name):
            throw ScriptError("cannot assign to built-in '\(name)' (use 'let' to define your own)", span: span)
        }
    }
}

/// `let x = v` and `x = v`.
final class StoreStatement: Statement {
    let target: VariableTarget
    let value: Node
    /// A new captured local gets a fresh box (each loop iteration its own).
    let makesBox: Bool
    init(_ runtime: Runtime, _ span: SourceSpan, _ target: VariableTarget, _ value: Node, makesBox: Bool) {
        self.target = target
        self.value = value
        self.makesBox = makesBox
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let v = try value.eval(fp)
        if makesBox, case .boxed(let slot) = target {
            fp[slot] = .native(Box(v))
        } else {
            try target.store(v, fp, span: span)
        }
        return .normal
    }
}

/// `x = v` into an unboxed local slot.
final class StoreLocalStatement: Statement {
    let slot: Int
    let value: Node
    init(_ runtime: Runtime, _ span: SourceSpan, slot: Int, _ value: Node) {
        self.slot = slot
        self.value = value
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let v = try value.eval(fp)
        switch fp[slot] {
        // Nothing to release in the old value: write over it without the generic destroy.
        case .null, .bool, .number: (fp + slot).initialize(to: v)
        default: fp[slot] = v
        }
        return .normal
    }
}

/// `let x = v` / `x = v` for a global.
final class StoreGlobalStatement: Statement {
    let global: Global
    let declares: Bool
    let value: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ global: Global, declares: Bool, _ value: Node) {
        self.global = global
        self.declares = declares
        self.value = value
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let v = try value.eval(fp)
        if !declares && !global.defined {
            throw ScriptError("undefined name '\(global.name)'"
                              + Suggestions.note(for: global.name, .name, candidates: runtime.globals.definedNames), span: span)
        }
        global.value = v
        global.defined = true
        return .normal
    }
}

/// `x += v` on an unboxed local: updated in place.
final class LocalAddStatement: Statement {
    let slot: Int
    let value: Node
    init(_ runtime: Runtime, _ span: SourceSpan, slot: Int, _ value: Node) {
        self.slot = slot
        self.value = value
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let r = try value.eval(fp)
        if case .number(let a) = fp[slot], case .number(let b) = r {
            fp[slot] = .number(a + b)
        } else {
            fp[slot] = try runtime.binary(.add, fp[slot], r, span: span)
        }
        return .normal
    }
}

/// `fn f() {}` inside a function, when closures capture `f`: the box exists before the closure.
final class RecursiveFunctionStatement: Statement {
    let slot: Int
    let function: Node
    init(_ runtime: Runtime, _ span: SourceSpan, slot: Int, _ function: Node) {
        self.slot = slot
        self.function = function
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let box = Box(.null)
        fp[slot] = .native(box)
        box.value = try function.eval(fp)
        return .normal
    }
}

final class IndexAssignStatement: Statement {
    let object: Node
    let parts: [IndexNode]
    let value: Node
    let op: BinaryOp?
    let targetSpan: SourceSpan
    init(_ runtime: Runtime, _ span: SourceSpan, _ object: Node, _ parts: [IndexNode], _ value: Node, _ op: BinaryOp?, targetSpan: SourceSpan) {
        self.object = object
        self.parts = parts
        self.value = value
        self.op = op
        self.targetSpan = targetSpan
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let o = try object.eval(fp)
        let index = try evaluate(parts, fp)
        var v = try value.eval(fp)
        if let op {
            let old = try runtime.index(o, index, span: targetSpan)
            v = try runtime.binary(op, old, v, span: span)
        }
        try runtime.setIndex(o, index, v, span: targetSpan)
        return .normal
    }
}

/// `x[a][b]... = v` (and `+=` etc.): two or more bracket levels, written through (`Runtime.setIndex(chain:)`).
/// The one-level `IndexAssignStatement` stays separate: routed through here it ran `xs[i] = v` loops
/// about 1.5× slower (an array of levels per execution).
final class ChainIndexAssignStatement: Statement {
    let root: Node
    let levels: [[IndexNode]]
    let value: Node
    let op: BinaryOp?
    let targetSpan: SourceSpan
    init(_ runtime: Runtime, _ span: SourceSpan, _ root: Node, _ levels: [[IndexNode]], _ value: Node, _ op: BinaryOp?,
         targetSpan: SourceSpan) {
        self.root = root
        self.levels = levels
        self.value = value
        self.op = op
        self.targetSpan = targetSpan
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let o = try root.eval(fp)
        let chain = try levels.map { try evaluate($0, fp) }
        var v = try value.eval(fp)
        if let op {
            var old = o
            for components in chain { old = try runtime.index(old, components, span: targetSpan) }
            v = try runtime.binary(op, old, v, span: span)
        }
        try runtime.setIndex(o, chain: chain, v, span: targetSpan)
        return .normal
    }
}

final class MemberAssignStatement: Statement {
    let object: Node
    let name: String
    let value: Node
    let op: BinaryOp?
    let targetSpan: SourceSpan
    init(_ runtime: Runtime, _ span: SourceSpan, _ object: Node, _ name: String, _ value: Node, _ op: BinaryOp?, targetSpan: SourceSpan) {
        self.object = object
        self.name = name
        self.value = value
        self.op = op
        self.targetSpan = targetSpan
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let o = try object.eval(fp)
        var v = try value.eval(fp)
        if let op {
            let old = try runtime.member(o, name, span: targetSpan)
            v = try runtime.binary(op, old, v, span: span)
        }
        try runtime.setMember(o, name, v, span: targetSpan)
        return .normal
    }
}

final class IfStatement: Statement {
    let branches: [(condition: Node, body: Statement)]
    let otherwise: Statement?
    init(_ runtime: Runtime, _ span: SourceSpan, _ branches: [(condition: Node, body: Statement)], _ otherwise: Statement?) {
        self.branches = branches
        self.otherwise = otherwise
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        for (condition, body) in branches where try condition.test(fp) {
            return try body.exec(fp)
        }
        return try otherwise?.exec(fp) ?? .normal
    }
}

/// The common `if c { ... }` / `if c { ... } else { ... }`.
final class SimpleIfStatement: Statement {
    let condition: Node
    let body: Statement
    let otherwise: Statement?
    init(_ runtime: Runtime, _ span: SourceSpan, _ condition: Node, _ body: Statement, _ otherwise: Statement?) {
        self.condition = condition
        self.body = body
        self.otherwise = otherwise
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        if try condition.test(fp) { return try body.exec(fp) }
        if let otherwise { return try otherwise.exec(fp) }
        return .normal
    }
}

/// `if c { ... }` with no `else`.
final class IfThenStatement: Statement {
    let condition: Node
    let body: Statement
    init(_ runtime: Runtime, _ span: SourceSpan, _ condition: Node, _ body: Statement) {
        self.condition = condition
        self.body = body
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        if try condition.test(fp) { return try body.exec(fp) }
        return .normal
    }
}

/// `return v` with a value.
final class ReturnValueStatement: Statement {
    let value: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ value: Node) {
        self.value = value
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let v = try value.eval(fp)
        // The slot holds `.null` (nothing to release) until the caller moves the value out.
        runtime.returnSlot.initialize(to: v)
        return .returned
    }
}

final class ReturnStatement: Statement {
    let value: Node?
    init(_ runtime: Runtime, _ span: SourceSpan, _ value: Node?) {
        self.value = value
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let v = try value?.eval(fp) ?? .null
        // The slot holds `.null` (nothing to release) until the caller moves the value out.
        runtime.returnSlot.initialize(to: v)
        return .returned
    }
}

final class JumpStatement: Statement {
    let flow: Flow
    init(_ runtime: Runtime, _ span: SourceSpan, _ flow: Flow) {
        self.flow = flow
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow { flow }
}

/// What a loop does after its body ran with `flow`: nil to go on, else the flow the loop ends with.
@inline(__always)
func loopExit(_ flow: Flow) -> Flow? {
    switch flow {
    case .normal, .continueLoop: return nil
    case .breakLoop: return .normal
    case .returned: return .returned
    }
}

final class WhileStatement: Statement {
    let condition: Node
    let body: Statement
    init(_ runtime: Runtime, _ span: SourceSpan, _ condition: Node, _ body: Statement) {
        self.condition = condition
        self.body = body
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let flag = runtime.interruptFlag
        while try condition.test(fp) {
            try pollInterrupt(flag)
            if let exit = loopExit(try body.exec(fp)) { return exit }
        }
        return .normal
    }
}

/// `for x in ...`: binds the loop variable to each element in turn and runs the body.
class ForLoopStatement: Statement {
    let variable: VariableTarget
    let boxed: Bool
    let body: Statement
    init(_ runtime: Runtime, _ span: SourceSpan, _ variable: VariableTarget, boxed: Bool, _ body: Statement) {
        self.variable = variable
        self.boxed = boxed
        self.body = body
        super.init(runtime, span)
    }

    /// One turn of the loop with `item`: nil to go on, else the flow the loop ends with.
    @inline(__always)
    final func turn(_ item: Value, _ fp: Frame) throws -> Flow? {
        try bindLoopVariable(item, variable, boxed: boxed, fp)
        return loopExit(try body.exec(fp))
    }
}

/// `for x in a..<b`: counts without making a range object.
final class ForRangeStatement: ForLoopStatement {
    let range: RangeNode
    init(_ runtime: Runtime, _ span: SourceSpan, _ range: RangeNode, _ variable: VariableTarget, boxed: Bool, _ body: Statement) {
        self.range = range
        super.init(runtime, span, variable, boxed: boxed, body)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let (start, end) = try range.bounds(fp)
        let flag = runtime.interruptFlag
        let inclusive = range.inclusive
        var i = start
        while inclusive ? i <= end : i < end {
            try pollInterrupt(flag)
            if let exit = try turn(.number(i), fp) { return exit }
            i += 1
        }
        return .normal
    }
}

/// `for x in xs` over any iterable.
final class ForStatement: ForLoopStatement {
    let sequence: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ sequence: Node, _ variable: VariableTarget, boxed: Bool, _ body: Statement) {
        self.sequence = sequence
        super.init(runtime, span, variable, boxed: boxed, body)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        var iterator = try runtime.iterate(try sequence.eval(fp), span: sequence.span)
        var completed = false
        defer { iterator.finish(completed: completed) }
        let flag = runtime.interruptFlag
        while let item = try iterator.next() {
            try pollInterrupt(flag)
            if let exit = try turn(item, fp) { return exit }
        }
        completed = true
        return .normal
    }
}

final class ImportStatement: Statement {
    let path: String, target: VariableTarget, boxed: Bool
    init(_ runtime: Runtime, _ span: SourceSpan, _ path: String, _ target: VariableTarget, boxed: Bool) {
        self.path = path
        self.target = target
        self.boxed = boxed
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let module = Value.native(try runtime.importModule(path, span: span))
        if boxed, case .boxed(let slot) = target {
            fp[slot] = .native(Box(module))
        } else {
            try target.store(module, fp, span: span)
        }
        return .normal
    }
}

/// `try { } catch e { }`: catches ordinary errors only (not Ctrl-C, not `exit`).
final class TryStatement: Statement {
    let body: Statement
    let variable: VariableTarget?
    let boxed: Bool
    let handler: Statement
    init(_ runtime: Runtime, _ span: SourceSpan, _ body: Statement, _ variable: VariableTarget?, boxed: Bool, _ handler: Statement) {
        self.body = body
        self.variable = variable
        self.boxed = boxed
        self.handler = handler
        super.init(runtime, span)
    }
    override func exec(_ fp: Frame) throws -> Flow {
        let message: String
        do {
            return try body.exec(fp)
        } catch let error as ScriptError where error.kind == .runtime {
            message = error.message
        } catch let error as SyntaxErrors {
            let first = error.diagnostics.first
            message = "\(first?.span.map { "\($0): " } ?? "")\(first?.message ?? "syntax error")"
        }
        if let variable {
            if boxed, case .boxed(let slot) = variable {
                fp[slot] = .native(Box(.string(message)))
            } else {
                try variable.store(.string(message), fp, span: span)
            }
        }
        return try handler.exec(fp)
    }
}

extension Statement {
    /// Raises "interrupted" (and clears the flag) when Ctrl-C was pressed; loops call it each turn.
    @inline(__always)
    func pollInterrupt(_ flag: UnsafeMutablePointer<Int32>) throws {
        if flag.pointee != 0 {
            flag.pointee = 0
            throw ScriptError.interrupted()
        }
    }

    /// Stores a `for` loop's current element: into a fresh box when closures capture the variable
    /// (each turn gets its own), straight into the slot for a plain local.
    @inline(__always)
    func bindLoopVariable(_ value: Value, _ variable: VariableTarget, boxed: Bool, _ fp: Frame) throws {
        if boxed, case .boxed(let slot) = variable {
            fp[slot] = .native(Box(value))
        } else if case .local(let slot) = variable {
            fp[slot] = value
        } else {
            try variable.store(value, fp, span: span)
        }
    }
}
