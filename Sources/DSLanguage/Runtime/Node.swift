/// The executable tree the compiler builds from the syntax tree: one final class per operation,
/// each with its operands already resolved (frame slots, global boxes, constants). Running code is
/// a virtual call per node — no dictionary look-ups, no re-dispatch on syntax kinds.
class Node: CompiledItem {
    /// The value of the expression.
    func eval(_ fp: Frame) throws -> Value { .null }

    /// The expression as a condition (`if`, `while`, `and`, `not`); comparisons override it to
    /// skip making a boolean value.
    func test(_ fp: Frame) throws -> Bool {
        switch try eval(fp) {
        case .bool(let b): return b
        case .null: return false
        case let v: return try runtime.truthy(v, span: span)
        }
    }
}

/// A statement: tells its block how control leaves it.
class Statement: CompiledItem {
    func exec(_ fp: Frame) throws -> Flow { .normal }
}

/// What every node and statement holds: where it stands in the source, and the runtime (which
/// outlives every node it compiled).
class CompiledItem {
    let span: SourceSpan
    let runtime: Runtime

    init(_ runtime: Runtime, _ span: SourceSpan) {
        self.runtime = runtime
        self.span = span
    }
}

/// A child reference that costs no reference counting: the runtime's arena keeps every node alive.
struct NodeRef {
    let node: Node
    init(_ node: Node) { self.node = node }
}

// MARK: Constants and names

final class ConstantNode: Node {
    let value: Value
    init(_ runtime: Runtime, _ span: SourceSpan, _ value: Value) {
        self.value = value
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value { value }
}

final class LocalNode: Node {
    let slot: Int
    init(_ runtime: Runtime, _ span: SourceSpan, slot: Int) {
        self.slot = slot
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        // Numbers need no reference counting: skip the generic copy.
        if case .number(let x) = fp[slot] { return .number(x) }
        return fp[slot]
    }
}

/// A local that closures capture: its slot holds a box.
final class BoxedLocalNode: Node {
    let slot: Int
    init(_ runtime: Runtime, _ span: SourceSpan, slot: Int) {
        self.slot = slot
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        if case .native(let box) = fp[slot] { return unsafeDowncast(box, to: Box.self).value }
        return .null
    }
}

final class UpvalueNode: Node {
    let index: Int
    init(_ runtime: Runtime, _ span: SourceSpan, index: Int) {
        self.index = index
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        guard case .function(let f) = fp[0] else { return .null }
        return f.captures[index].value
    }
}

final class GlobalNode: Node {
    let global: Global
    init(_ runtime: Runtime, _ span: SourceSpan, _ global: Global) {
        self.global = global
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let x) = global.value { return .number(x) }
        if global.defined { return global.value }
        throw ScriptError("undefined name '\(global.name)'"
                          + Suggestions.note(for: global.name, .name, candidates: runtime.globals.definedNames), span: span)
    }
}

// MARK: Collections and strings

final class ListNode: Node {
    let items: [NodeRef]
    init(_ runtime: Runtime, _ span: SourceSpan, _ items: [Node]) {
        self.items = items.map(NodeRef.init)
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for item in items { values.append(try item.node.eval(fp)) }
        return .list(ListObject(values))
    }
}

final class DictNode: Node {
    let entries: [(key: Node, value: Node)]
    init(_ runtime: Runtime, _ span: SourceSpan, _ entries: [(key: Node, value: Node)]) {
        self.entries = entries
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let d = DictObject()
        for (k, v) in entries {
            let key = try k.eval(fp)
            guard case .string(let name) = key else {
                throw ScriptError("dict keys must be strings, got \(key.typeName)", span: k.span)
            }
            d.entries[name] = try v.eval(fp)
        }
        return .dict(d)
    }
}

final class InterpolationNode: Node {
    enum Piece {
        case text(String)
        case value(Node, FormatSpec?, String?)
    }
    let pieces: [Piece]
    init(_ runtime: Runtime, _ span: SourceSpan, _ pieces: [Piece]) {
        self.pieces = pieces
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let s):
                out += s
            case .value(let node, let spec, let text):
                let v = try node.eval(fp)
                guard let text else {
                    if case .string(let s) = v { out += s } else { out += runtime.format(v, repr: false) }
                    continue
                }
                guard let spec else { throw ScriptError("invalid format '\(text)'", span: node.span) }
                out += try enteringNative(at: node.span) { try spec.apply(to: v, context: runtime) }
            }
        }
        return .string(out)
    }
}

final class RangeNode: Node {
    let low: Node
    let high: Node
    let inclusive: Bool
    init(_ runtime: Runtime, _ span: SourceSpan, _ low: Node, _ high: Node, inclusive: Bool) {
        self.low = low
        self.high = high
        self.inclusive = inclusive
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let (start, end) = try bounds(fp)
        return .range(RangeObject(start: start, end: end, inclusive: inclusive))
    }
    func bounds(_ fp: Frame) throws -> (Double, Double) {
        let lo = try low.eval(fp), hi = try high.eval(fp)
        guard case .number(let start) = lo, case .number(let end) = hi else {
            throw ScriptError("range bounds must be numbers, got \(lo.typeName) and \(hi.typeName)", span: span)
        }
        return (start, end)
    }
}

// MARK: Indexing and members

/// One compiled index component.
enum IndexNode {
    case value(Node)
    case slice(Node?, Node?, Node?)
}

func evaluate(_ parts: [IndexNode], _ fp: Frame) throws -> [IndexComponent] {
    var out: [IndexComponent] = []
    out.reserveCapacity(parts.count)
    for p in parts {
        switch p {
        case .value(let e):
            out.append(.value(try e.eval(fp)))
        case .slice(let a, let b, let c):
            out.append(.slice(start: try a?.eval(fp), stop: try b?.eval(fp), step: try c?.eval(fp)))
        }
    }
    return out
}

final class IndexValueNode: Node {
    let object: Node
    let key: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ object: Node, _ key: Node) {
        self.object = object
        self.key = key
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let o = try object.eval(fp)
        let k = try key.eval(fp)
        if case .list(let list) = o, case .number(let x) = k {
            let n = list.items.count
            if x >= 0, x < Double(n), let i = Int(exactly: x) { return list.items[i] }
        }
        return try runtime.index(o, k, span: span)
    }
}

final class IndexNodeGeneral: Node {
    let object: Node
    let parts: [IndexNode]
    init(_ runtime: Runtime, _ span: SourceSpan, _ object: Node, _ parts: [IndexNode]) {
        self.object = object
        self.parts = parts
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let o = try object.eval(fp)
        return try runtime.index(o, try evaluate(parts, fp), span: span)
    }
}

final class MemberNode: Node {
    let object: Node
    let name: String
    init(_ runtime: Runtime, _ span: SourceSpan, _ object: Node, _ name: String) {
        self.object = object
        self.name = name
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        try runtime.member(try object.eval(fp), name, span: span)
    }
}
