#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Operators on values: numbers, strings, lists, structural equality, and native objects
/// (the left operand's hook first, then the right one's with `reversed: true`).
extension Runtime {
    func binary(_ op: BinaryOp, _ l: Value, _ r: Value, span: SourceSpan) throws -> Value {
        do {
            if let v = try binaryValue(op, l, r) { return v }
        } catch var error as ScriptError {
            if error.span == nil { error.span = span }
            throw error
        }
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
        case .eq: return .bool(valuesEqual(l, r))
        case .ne: return .bool(!valuesEqual(l, r))
        default: break
        }
        switch (l, r) {
        case (.number(let a), .number(let b)):
            return arithmetic(op, a, b)
        case (.string(let a), .string(let b)):
            switch op {
            case .add: return .string(a + b)
            case .lt: return .bool(a < b)
            case .le: return .bool(a <= b)
            case .gt: return .bool(a > b)
            case .ge: return .bool(a >= b)
            default: return nil
            }
        case (.list(let a), .list(let b)) where op == .add:
            return .list(ListObject(a.items + b.items))
        case (.string(let s), .number(let n)) where op == .mul:
            return .string(String(repeating: s, count: try repeatCount(n)))
        case (.list(let a), .number(let n)) where op == .mul:
            let times = try repeatCount(n)
            var items: [Value] = []
            for _ in 0..<times { items += a.items }
            return .list(ListObject(items))
        default:
            return nil
        }
    }

    func repeatCount(_ n: Double) throws -> Int {
        guard n.rounded() == n, n >= 0, n < 1e9 else { throw ScriptError("repeat count must be a non-negative integer, got \(formatNumber(n))") }
        return Int(n)
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
    func scalar(of value: Value) throws -> Double? {
        guard case .native(let object) = value, let item = try object.member("item", context: self) else { return nil }
        if case .number(let x) = try callValue(item, positional: [], keywords: [], span: nil) { return x }
        return nil
    }

    func negate(_ v: Value, span: SourceSpan) throws -> Value {
        if case .number(let x) = v { return .number(-x) }
        if case .native(let object) = v {
            do {
                if let result = try object.unary(.neg, context: self) { return result }
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
        }
        throw ScriptError("unsupported operand type for unary -: \(v.typeName)", span: span)
    }

    func truthy(_ v: Value, span: SourceSpan) throws -> Bool {
        do {
            return try v.isTruthy()
        } catch var error as ScriptError {
            if error.span == nil { error.span = span }
            throw error
        }
    }

    /// `==`: structural on lists and dicts, identity on functions and natives (unless they answer).
    func valuesEqual(_ a: Value, _ b: Value, depth: Int = 0) -> Bool {
        if depth > 200 { return false }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            if x === y { return true }
            guard x.items.count == y.items.count else { return false }
            for (p, q) in zip(x.items, y.items) where !valuesEqual(p, q, depth: depth + 1) { return false }
            return true
        case (.dict(let x), .dict(let y)):
            if x === y { return true }
            guard x.entries.count == y.entries.count else { return false }
            for (key, p) in x.entries {
                guard let q = y.entries[key], valuesEqual(p, q, depth: depth + 1) else { return false }
            }
            return true
        case (.range(let x), .range(let y)):
            return x.start == y.start && x.end == y.end && x.step == y.step && x.inclusive == y.inclusive
        case (.function(let x), .function(let y)): return x === y
        case (.builtin(let x), .builtin(let y)):
            guard x.name == y.name else { return false }
            switch (x.receiver, y.receiver) {
            case (nil, nil): return true
            case (let p?, let q?): return valuesEqual(p, q, depth: depth + 1)
            default: return false
            }
        case (.native(let x), .native(let y)): return x.isEqual(to: y)
        default: return false
        }
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
