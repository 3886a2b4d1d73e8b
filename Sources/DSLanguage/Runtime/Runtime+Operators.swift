#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Operators on values: numbers, strings, lists, structural equality, and native objects
/// (the left operand's hook first, then the right one's with `reversed: true`).
extension Runtime {
    func binary(_ op: BinaryOp, _ l: Value, _ r: Value, span: SourceSpan) throws -> Value {
        if let v = try enteringInterruptible(at: span, { try binaryValue(op, l, r) }) { return v }
        throw ScriptError("unsupported operand types for \(op.rawValue): \(l.typeName) and \(r.typeName)", span: span)
    }

    /// nil when the operands do not support `op`.
    func binaryValue(_ op: BinaryOp, _ l: Value, _ r: Value) throws -> Value? {
        if case .native(let object) = l, let v = try object.binary(BinaryOperator(op), r, reversed: false, context: self) {
            return v
        }
        if case .native(let object) = r, let v = try object.binary(BinaryOperator(op), l, reversed: true, context: self) {
            return v
        }
        switch op {
        case .eq: return .bool(Value.equal(l, r))
        case .ne: return .bool(!Value.equal(l, r))
        default: break
        }
        switch (l, r) {
        case (.number(let a), .number(let b)):
            return arithmetic(op, a, b)
        case (.string(let a), .string(let b)):
            switch op {
            case .add:
                try Growth.string(a.utf8.count + b.utf8.count)
                return .string(a + b)
            case .lt: return .bool(a < b)
            case .le: return .bool(a <= b)
            case .gt: return .bool(a > b)
            case .ge: return .bool(a >= b)
            default: return nil
            }
        case (.list(let a), .list(let b)) where op == .add:
            try Growth.list(a.items.count + b.items.count)
            return .list(ListObject(a.items + b.items))
        case (.string(let s), .number(let n)) where op == .mul:
            let times = try repeatCount(n, length: s.utf8.count, Growth.string)
            return .string(s.isEmpty ? "" : String(repeating: s, count: times))
        case (.list(let a), .number(let n)) where op == .mul:
            let times = try repeatCount(n, length: a.items.count, Growth.list)
            var items: [Value] = []
            if a.items.isEmpty { return .list(ListObject(items)) }  // `[] * 999999999` looped for minutes
            items.reserveCapacity(a.items.count * times)
            for _ in 0..<times { items += a.items }
            return .list(ListObject(items))
        default:
            return nil
        }
    }

    /// The repeat count of `s * n` or `xs * n`, once `grow` (a `Growth` check) has accepted the result's size.
    func repeatCount(_ n: Double, length: Int, _ grow: (Int) throws -> Void) throws -> Int {
        guard n.rounded() == n, n >= 0, n < 1e9 else { throw ScriptError("repeat count must be a non-negative integer, got \(formatNumber(n))") }
        let count = Int(n)
        let (total, overflow) = length.multipliedReportingOverflow(by: count)
        try grow(overflow ? Int.max : total)
        return count
    }

    func arithmetic(_ op: BinaryOp, _ a: Double, _ b: Double) -> Value? {
        switch op {
        case .add: return .number(a + b)
        case .sub: return .number(a - b)
        case .mul: return .number(a * b)
        case .div: return .number(a / b)
        case .mod:
            // As in Python: the result has the sign of the divisor.
            if b == 0 { return .number(.nan) }
            let r = fmod(a, b)
            return .number(r != 0 && (r < 0) != (b < 0) ? r + b : r)
        case .pow: return .number(pow(a, b))
        case .lt: return .bool(a < b)
        case .le: return .bool(a <= b)
        case .gt: return .bool(a > b)
        case .ge: return .bool(a >= b)
        case .eq: return .bool(a == b)
        case .ne: return .bool(a != b)
        case .matmul: return nil
        }
    }

    /// The number inside a native value that has an `item()` method (a one-element tensor), else nil.

    func negate(_ v: Value, span: SourceSpan) throws -> Value {
        if case .number(let x) = v { return .number(-x) }
        if case .native(let object) = v {
            if let result = try enteringInterruptible(at: span, { try object.unary(.neg, context: self) }) { return result }
        }
        throw ScriptError("unsupported operand type for unary -: \(v.typeName)", span: span)
    }

    func truthy(_ v: Value, span: SourceSpan) throws -> Bool {
        try enteringNative(at: span) { try v.isTruthy() }
    }

}

extension BinaryOperator {
    init(_ op: BinaryOp) {
        switch op {
        case .add: self = .add
        case .sub: self = .sub
        case .mul: self = .mul
        case .div: self = .div
        case .mod: self = .mod
        case .pow: self = .pow
        case .matmul: self = .matmul
        case .eq: self = .eq
        case .ne: self = .ne
        case .lt: self = .lt
        case .le: self = .le
        case .gt: self = .gt
        case .ge: self = .ge
        }
    }
}

/// The number inside a one-element native value (a tensor's `item()`), or nil.
func nativeScalar(_ value: Value, context: CallContext) throws -> Double? {
    guard case .native(let object) = value, let item = try object.member("item", context: context) else { return nil }
    if case .number(let x) = try context.call(item, Arguments([])) { return x }
    return nil
}
