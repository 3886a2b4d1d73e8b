/// Operator nodes. The four arithmetic operators and the comparisons have a fast path for two
/// numbers; everything else goes to `Runtime.binary` (strings, lists, natives, errors).
class BinaryNode: Node {
    let op: BinaryOp
    let left: Node
    let right: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ op: BinaryOp, _ left: Node, _ right: Node) {
        self.op = op
        self.left = left
        self.right = right
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        try runtime.binary(op, try left.eval(fp), try right.eval(fp), span: span)
    }
}

final class AddNode: BinaryNode {
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return .number(a + b) }
        return try runtime.binary(.add, l, r, span: span)
    }
}

final class SubtractNode: BinaryNode {
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return .number(a - b) }
        return try runtime.binary(.sub, l, r, span: span)
    }
}

final class MultiplyNode: BinaryNode {
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return .number(a * b) }
        return try runtime.binary(.mul, l, r, span: span)
    }
}

final class DivideNode: BinaryNode {
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return .number(a / b) }
        return try runtime.binary(.div, l, r, span: span)
    }
}

/// `< <= > >= == !=`: `test` gives a Swift `Bool` for conditions.
final class CompareNode: BinaryNode {
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return .bool(compare(a, b)) }
        return try runtime.binary(op, l, r, span: span)
    }

    override func test(_ fp: Frame) throws -> Bool {
        let l = try left.eval(fp), r = try right.eval(fp)
        if case .number(let a) = l, case .number(let b) = r { return compare(a, b) }
        return try runtime.truthy(try runtime.binary(op, l, r, span: span), span: span)
    }

    @inline(__always)
    func compare(_ a: Double, _ b: Double) -> Bool {
        switch op {
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        case .eq: return a == b
        default: return a != b
        }
    }
}

final class NegateNode: Node {
    let operand: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ operand: Node) {
        self.operand = operand
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let v = try operand.eval(fp)
        if case .number(let x) = v { return .number(-x) }
        return try runtime.negate(v, span: span)
    }
}

final class NotNode: Node {
    let operand: Node
    init(_ runtime: Runtime, _ span: SourceSpan, _ operand: Node) {
        self.operand = operand
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value { .bool(!(try operand.test(fp))) }
    override func test(_ fp: Frame) throws -> Bool { !(try operand.test(fp)) }
}

/// `a and b` is `a` when `a` is false, else `b`; `a or b` is `a` when `a` is true, else `b`.
final class LogicalNode: Node {
    let left: Node
    let right: Node
    let isAnd: Bool
    init(_ runtime: Runtime, _ span: SourceSpan, _ left: Node, _ right: Node, isAnd: Bool) {
        self.left = left
        self.right = right
        self.isAnd = isAnd
        super.init(runtime, span)
    }
    override func eval(_ fp: Frame) throws -> Value {
        let l = try left.eval(fp)
        let truth = try runtime.truthy(l, span: left.span)
        if isAnd ? !truth : truth { return l }
        return try right.eval(fp)
    }
    override func test(_ fp: Frame) throws -> Bool {
        isAnd ? try left.test(fp) && right.test(fp) : try left.test(fp) || right.test(fp)
    }
}
