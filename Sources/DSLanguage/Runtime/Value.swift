import OrderedCollections

/// A dscript value.
///
/// Numbers are 64-bit floats. Lists and dicts are shared references (as in Python and Lua);
/// strings and ranges are immutable values. Everything the language does not know itself —
/// tensors, schedules, models, optimizers — is a `NativeObject`.
public enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list(ListObject)
    case dict(DictObject)
    case range(RangeObject)
    /// A function written in dscript (a closure).
    case function(FunctionObject)
    /// A function written in Swift, registered through a `Builtin` table, possibly bound to a receiver.
    case builtin(BuiltinFunction)
    /// Anything else: tensors, schedules, models, ... (see `NativeObject`).
    case native(NativeObject)
}

/// A mutable, shared list.
public final class ListObject {
    public var items: [Value]
    public init(_ items: [Value] = []) { self.items = items }
    deinit { ValueTeardown.release(&items) }  // no recursion through deeply nested lists
}

/// A mutable, shared, insertion-ordered dict with string keys.
public final class DictObject {
    public var entries: OrderedDictionary<String, Value>
    public init(_ entries: OrderedDictionary<String, Value> = [:]) { self.entries = entries }
    deinit {
        guard entries.values.contains(where: ValueTeardown.mayNest) else { return }
        var children = Array(entries.values)
        entries.removeAll()
        ValueTeardown.release(&children)
    }
}

/// `a..<b` or `a...b`, counting by 1 (or by `step` when made with `range(a, b, step)`).
public final class RangeObject {
    public let start: Double
    public let end: Double
    public let step: Double
    public let inclusive: Bool
    public init(start: Double, end: Double, step: Double = 1, inclusive: Bool = false) {
        self.start = start
        self.end = end
        self.step = step
        self.inclusive = inclusive
    }

    /// Number of elements (0 for an empty or backwards range), for iteration: a range of more than
    /// 2^53 elements counts as 9·10^15, more than any loop gets through.
    public var count: Int { exactCount ?? 9_000_000_000_000_000 }

    /// Number of elements when a number holds it exactly (at most 2^53), else nil (`len(0..<1e20)`).
    public var exactCount: Int? {
        guard step != 0 else { return 0 }
        let span = (end - start) / step
        if span < 0 || span.isNaN { return 0 }
        let whole = span.rounded(.down)
        guard whole < 0x1p53 else { return nil }
        let n = Int(whole) + (!inclusive && whole == span ? 0 : 1)
        return Swift.max(n, 0)
    }

    public func element(_ i: Int) -> Double { start + Double(i) * step }
}

extension Value {
    /// The name users see in messages (`number expected, got string`).
    public var typeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .dict: return "dict"
        case .range: return "range"
        case .function, .builtin: return "function"
        case .native(let object): return object.typeName
        }
    }

    /// Only `false` and `nil` are false; a one-element tensor is read as its value
    /// (the native object decides, and may throw for several elements).
    public func isTruthy() throws -> Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .native(let object): return try object.truthiness()
        default: return true
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// `==`: structural on lists and dicts, identity on functions and natives (unless they answer).
    public static func equal(_ a: Value, _ b: Value, depth: Int = 0) -> Bool {
        if depth > 200 { return false }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            if x === y { return true }
            guard x.items.count == y.items.count else { return false }
            for (p, q) in zip(x.items, y.items) where !equal(p, q, depth: depth + 1) { return false }
            return true
        case (.dict(let x), .dict(let y)):
            if x === y { return true }
            guard x.entries.count == y.entries.count else { return false }
            for (key, p) in x.entries {
                guard let q = y.entries[key], equal(p, q, depth: depth + 1) else { return false }
            }
            return true
        case (.range(let x), .range(let y)):
            return x.start == y.start && x.end == y.end && x.step == y.step && x.inclusive == y.inclusive
        case (.function(let x), .function(let y)): return x === y
        case (.builtin(let x), .builtin(let y)):
            guard x.name == y.name else { return false }
            switch (x.receiver, y.receiver) {
            case (nil, nil): return true
            case (let p?, let q?): return equal(p, q, depth: depth + 1)
            default: return false
            }
        case (.native(let x), .native(let y)): return x.isEqual(to: y)
        default: return false
        }
    }
}
