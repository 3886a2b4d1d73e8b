#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Operators, conditions, calls and assignments: the hot paths, specialised for numbers.
extension Compiler {
    func binary(_ op: BinaryOp, _ left: @escaping Eval, _ right: @escaping Eval, _ span: SourceSpan) -> Eval {
        let runtime = self.runtime
        @inline(__always) func slow(_ l: Value, _ r: Value) throws -> Value {
            try runtime.binary(op, l, r, span: span)
        }
        switch op {
        case .add:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return .number(a + b) }
                return try slow(l, r)
            }
        case .sub:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return .number(a - b) }
                return try slow(l, r)
            }
        case .mul:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return .number(a * b) }
                return try slow(l, r)
            }
        case .div:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return .number(a / b) }
                return try slow(l, r)
            }
        case .lt, .le, .gt, .ge:
            // Numbers compare to booleans; tensors compare elementwise and give a tensor, so the
            // result of a native operand is not forced to a boolean.
            let numeric: (Double, Double) -> Bool
            switch op {
            case .lt: numeric = { $0 < $1 }
            case .le: numeric = { $0 <= $1 }
            case .gt: numeric = { $0 > $1 }
            default: numeric = { $0 >= $1 }
            }
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return .bool(numeric(a, b)) }
                let result = try slow(l, r)
                if case .native = l { return result }
                if case .native = r { return result }
                return .bool(try runtime.truthy(result, span: span))
            }
        default:
            return { fp in try slow(try left(fp), try right(fp)) }
        }
    }

    /// A comparison that yields a Swift `Bool` (for conditions) with a fast path for numbers.
    func comparison(_ op: BinaryOp, _ left: @escaping Eval, _ right: @escaping Eval, _ span: SourceSpan) -> (Frame) throws -> Bool {
        let runtime = self.runtime
        @inline(__always) func slow(_ l: Value, _ r: Value) throws -> Bool {
            try runtime.truthy(try runtime.binary(op, l, r, span: span), span: span)
        }
        switch op {
        case .lt:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a < b }
                return try slow(l, r)
            }
        case .le:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a <= b }
                return try slow(l, r)
            }
        case .gt:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a > b }
                return try slow(l, r)
            }
        case .ge:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a >= b }
                return try slow(l, r)
            }
        case .eq:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a == b }
                return try slow(l, r)
            }
        case .ne:
            return { fp in
                let l = try left(fp), r = try right(fp)
                if case .number(let a) = l, case .number(let b) = r { return a != b }
                return try slow(l, r)
            }
        default:
            return { fp in try slow(try left(fp), try right(fp)) }
        }
    }

    /// An expression used as a condition, as a Swift `Bool`.
    func condition(_ e: Expr) -> (Frame) throws -> Bool {
        let runtime = self.runtime
        let span = e.span
        switch e.kind {
        case .binary(let op, let a, let b) where [.lt, .le, .gt, .ge, .eq, .ne].contains(op):
            return comparison(op, expression(a), expression(b), span)
        case .and(let a, let b):
            let l = condition(a), r = condition(b)
            return { fp in try l(fp) && r(fp) }
        case .or(let a, let b):
            let l = condition(a), r = condition(b)
            return { fp in try l(fp) || r(fp) }
        case .not(let a):
            let inner = condition(a)
            return { fp in !(try inner(fp)) }
        case .bool(let b):
            return { _ in b }
        default:
            let eval = expression(e)
            return { fp in
                switch try eval(fp) {
                case .bool(let b): return b
                case .null: return false
                case let v: return try runtime.truthy(v, span: span)
                }
            }
        }
    }

    // MARK: Calls

    func call(_ calleeExpr: Expr, _ arguments: [CallArgument], _ span: SourceSpan) -> Eval {
        let runtime = self.runtime
        let callee = expression(calleeExpr)
        let positional = arguments.filter { $0.name == nil }.map { expression($0.value) }
        let keywords = arguments.compactMap { a in a.name.map { ($0, expression(a.value)) } }
        let count = positional.count
        if keywords.isEmpty {
            return { fp in
                let f = try callee(fp)
                if case .function(let function) = f, let proto = function.proto, proto.parameterCount == count {
                    return try runtime.callDirect(function, proto, fp, positional, span: span)
                }
                var values: [Value] = []
                values.reserveCapacity(count)
                for a in positional { values.append(try a(fp)) }
                return try runtime.callValue(f, positional: values, keywords: [], span: span)
            }
        }
        return { fp in
            let f = try callee(fp)
            var values: [Value] = []
            values.reserveCapacity(count)
            for a in positional { values.append(try a(fp)) }
            var named: [(name: String, value: Value)] = []
            for (name, a) in keywords { named.append((name, try a(fp))) }
            return try runtime.callValue(f, positional: values, keywords: named, span: span)
        }
    }

    // MARK: Assignment

    func assignment(_ target: Expr, _ op: BinaryOp?, _ valueExpr: Expr, _ span: SourceSpan) -> Exec {
        let runtime = self.runtime
        let value = expression(valueExpr)
        switch target.kind {
        case .name(let reference):
            let store = write(reference, target.span)
            guard let op else {
                return { fp in
                    try store(fp, try value(fp))
                    return .normal
                }
            }
            let combined = binary(op, read(reference, target.span), value, span)
            if case .local(let d) = reference.resolution, !d.captured, case .local(let slot) = d.storage, op == .add {
                return { fp in
                    let r = try value(fp)
                    if case .number(let a) = fp[slot], case .number(let b) = r {
                        fp[slot] = .number(a + b)
                    } else {
                        fp[slot] = try runtime.binary(.add, fp[slot], r, span: span)
                    }
                    return .normal
                }
            }
            return { fp in
                try store(fp, try combined(fp))
                return .normal
            }
        case .index(let objectExpr, let components):
            let object = expression(objectExpr)
            let parts = indexComponents(components)
            return { fp in
                let o = try object(fp)
                let index = try evaluate(parts, fp)
                var v = try value(fp)
                if let op {
                    let old = try runtime.index(o, index, span: target.span)
                    v = try runtime.binary(op, old, v, span: span)
                }
                try runtime.setIndex(o, index, v, span: target.span)
                return .normal
            }
        case .member(let objectExpr, let name):
            let object = expression(objectExpr)
            return { fp in
                let o = try object(fp)
                var v = try value(fp)
                if let op {
                    let old = try runtime.member(o, name, span: target.span)
                    v = try runtime.binary(op, old, v, span: span)
                }
                try runtime.setMember(o, name, v, span: target.span)
                return .normal
            }
        default:
            return { _ in throw ScriptError("cannot assign to this expression", span: target.span) }
        }
    }
}
