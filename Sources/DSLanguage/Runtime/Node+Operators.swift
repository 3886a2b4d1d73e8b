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
    func compare(_ a: Double, _ b: Double) -> Bool { compareNumbers(op, a, b) }
}

/// `a op b` for a comparison operator on two numbers.
@inline(__always)
func compareNumbers(_ op: BinaryOp, _ a: Double, _ b: Double) -> Bool {
    switch op {
    case .lt: return a < b
    case .le: return a <= b
    case .gt: return a > b
    case .ge: return a >= b
    case .eq: return a == b
    default: return a != b
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

/// `a op b` for `+ - * /` on two numbers (the operators the constant nodes are made for).
@inline(__always)
func arithmeticNumbers(_ op: BinaryOp, _ a: Double, _ b: Double) -> Double {
    switch op {
    case .add: return a + b
    case .sub: return a - b
    case .mul: return a * b
    default: return a / b
    }
}

/// `local op number`: an operator between a local variable and a constant number.
class LocalConstantNode: Node {
    let op: BinaryOp, slot: Int, constant: Double
    init(_ runtime: Runtime, _ span: SourceSpan, _ op: BinaryOp, slot: Int, _ constant: Double) {
        self.op = op
        self.slot = slot
        self.constant = constant
        super.init(runtime, span)
    }
}

/// `local op number` (`n - 1`, `i * 0.5`): no child calls on the fast path.
class LocalConstantArithmeticNode: LocalConstantNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = fp[slot] { return .number(arithmeticNumbers(op, a, constant)) }
        return try runtime.binary(op, fp[slot], .number(constant), span: span)
    }
}

/// `local < number` and the other comparisons with a constant right-hand side.
class LocalConstantCompareNode: LocalConstantNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = fp[slot] { return .bool(compareNumbers(op, a, constant)) }
        return try runtime.binary(op, fp[slot], .number(constant), span: span)
    }
    override func test(_ fp: Frame) throws -> Bool {
        if case .number(let a) = fp[slot] { return compareNumbers(op, a, constant) }
        return try runtime.truthy(try runtime.binary(op, fp[slot], .number(constant), span: span), span: span)
    }
}

/// `global op number` (top-level loops: `i < 1000`, `x * 0.5`): an operator between a global
/// variable and a constant number.
class GlobalConstantNode: Node {
    let op: BinaryOp, global: Node, variable: Global, constant: Double
    init(_ runtime: Runtime, _ span: SourceSpan, _ op: BinaryOp, _ global: GlobalNode, _ constant: Double) {
        self.op = op
        self.global = global
        self.variable = global.global
        self.constant = constant
        super.init(runtime, span)
    }
}

/// `global op number` for `+ - * /`.
final class GlobalConstantArithmeticNode: GlobalConstantNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = variable.value { return .number(arithmeticNumbers(op, a, constant)) }
        return try runtime.binary(op, try global.eval(fp), .number(constant), span: span)
    }
}

/// `global op number` for the comparisons.
final class GlobalConstantCompareNode: GlobalConstantNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = variable.value { return .bool(compareNumbers(op, a, constant)) }
        return try runtime.binary(op, try global.eval(fp), .number(constant), span: span)
    }
    override func test(_ fp: Frame) throws -> Bool {
        if case .number(let a) = variable.value { return compareNumbers(op, a, constant) }
        return try runtime.truthy(try runtime.binary(op, try global.eval(fp), .number(constant), span: span), span: span)
    }
}

/// `local - number` (`n - 1`): no switch on the operator.
final class LocalSubtractConstantNode: LocalConstantArithmeticNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = fp[slot] { return .number(a - constant) }
        return try runtime.binary(.sub, fp[slot], .number(constant), span: span)
    }
}

/// `local + number` (`i + 1`): no switch on the operator.
final class LocalAddConstantNode: LocalConstantArithmeticNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = fp[slot] { return .number(a + constant) }
        return try runtime.binary(.add, fp[slot], .number(constant), span: span)
    }
}

/// `local < number` (`n < 2`): no switch on the operator.
final class LocalLessThanConstantNode: LocalConstantCompareNode {
    override func eval(_ fp: Frame) throws -> Value {
        if case .number(let a) = fp[slot] { return .bool(a < constant) }
        return try runtime.binary(.lt, fp[slot], .number(constant), span: span)
    }
    override func test(_ fp: Frame) throws -> Bool {
        if case .number(let a) = fp[slot] { return a < constant }
        return try runtime.truthy(try runtime.binary(.lt, fp[slot], .number(constant), span: span), span: span)
    }
}
