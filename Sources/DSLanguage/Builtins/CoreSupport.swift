#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the core tables share: forwarding to native methods, iteration, ordering and equality.
enum CoreSupport {
    // MARK: Native objects

    /// When argument `position` is a native object, calls its method `name` with the other positional
    /// arguments and all keywords (`sqrt(x)` becomes `x.sqrt()`); nil when it is not a native object.
    static func forward(
        _ name: String, _ args: Arguments, position: Int = 0, expected: String = "number", context: CallContext
    ) throws -> Value? {
        guard position < args.count, case .native(let object) = args.positional[position] else { return nil }
        guard let method = try object.member(name, context: context) else {
            throw args.typeError(position, nil, expected: expected, got: args.positional[position])
        }
        var rest = args.positional
        rest.remove(at: position)
        return try context.call(method, Arguments(rest, keywords: args.keywords, functionName: name))
    }

    /// The position of the first native object among the positional arguments.
    static func firstNative(_ args: Arguments) -> Int? {
        args.positional.firstIndex { if case .native = $0 { return true } else { return false } }
    }

    /// `axis:` and `keepdim:` are passed on to tensors; for lists they would be silently wrong.
    static func refuseTensorKeywords(_ args: Arguments) throws {
        for name in ["axis", "keepdim"] where args.has(name) {
            throw args.error(name, "only a tensor takes '\(name)'")
        }
    }

    /// `a + b` for the values `sum` adds: numbers, or native objects through their `+`.
    static func add(_ a: Value, _ b: Value, _ args: Arguments, context: CallContext) throws -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)): return .number(x + y)
        case (.native(let o), _):
            if let r = try o.binary(.add, b, reversed: false, context: context) { return r }
        case (_, .native(let o)):
            if let r = try o.binary(.add, a, reversed: true, context: context) { return r }
        default: break
        }
        throw ScriptError("'\(args.functionName)' cannot add \(a.typeName) and \(b.typeName)")
    }

    // MARK: Iteration

    /// Calls `body` with each element of an iterable (list, range, dict keys, string characters,
    /// iterable native object), lazily for ranges; `body` returns false to stop early.
    static func forEach(
        _ value: Value, _ args: Arguments, position: Int, context: CallContext, _ body: (Value) throws -> Bool
    ) throws {
        if case .range(let r) = value {
            let n = r.count
            var i = 0
            while i < n {
                if i & 0xFFFF == 0xFFFF { try context.checkInterrupt() }
                if try !body(.number(r.element(i))) { return }
                i += 1
            }
            return
        }
        for item in try items(value, args, position: position, context: context) {
            if try !body(item) { return }
        }
    }

    /// The elements of an iterable as an array; lists are copied, ranges are materialised (bounded).
    static func items(_ value: Value, _ args: Arguments, position: Int, context: CallContext) throws -> [Value] {
        switch value {
        case .list(let l): return l.items
        case .range(let r):
            let n = r.count
            try Growth.list(n)
            var out: [Value] = []
            out.reserveCapacity(n)
            for i in 0..<n { out.append(.number(r.element(i))) }
            return out
        case .dict(let d): return d.entries.keys.map { .string($0) }
        case .string(let s): return s.map { .string(String($0)) }
        case .native(let object):
            if let elements = try object.elements(context: context) { return elements }
        default: break
        }
        throw args.typeError(position, nil, expected: "list", got: value)
    }

    /// True for values that can be called: dscript functions, built-ins and native objects (models).
    static func isCallable(_ value: Value) -> Bool {
        switch value {
        case .function, .builtin, .native: return true
        default: return false
        }
    }

    // MARK: Ordering and equality

    /// `a < b` for numbers, strings (by code point), booleans and lists (element by element).
    static func less(_ a: Value, _ b: Value, _ args: Arguments) throws -> Bool {
        try order(a, b, args, depth: 0) < 0
    }

    /// Lists compare element by element to this depth; deeper (or self-containing) lists are an error.
    static let maxCompareDepth = 200

    /// -1, 0 or 1 as `a` sorts before, with or after `b`. One pass per level: comparing nested lists
    /// with two `less` calls per element took time exponential in the depth.
    static func order(_ a: Value, _ b: Value, _ args: Arguments, depth: Int) throws -> Int {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : y < x ? 1 : 0
        case (.string(let x), .string(let y)):
            if x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars, by: { $0.value < $1.value }) { return -1 }
            return y.unicodeScalars.lexicographicallyPrecedes(x.unicodeScalars, by: { $0.value < $1.value }) ? 1 : 0
        case (.bool(let x), .bool(let y)): return x == y ? 0 : x ? 1 : -1
        case (.list(let x), .list(let y)):
            guard depth < maxCompareDepth else {
                throw ScriptError("'\(args.functionName)' cannot compare lists nested more than \(maxCompareDepth) deep")
            }
            for (p, q) in zip(x.items, y.items) {
                let c = try order(p, q, args, depth: depth + 1)
                if c != 0 { return c }
            }
            return x.items.count < y.items.count ? -1 : x.items.count > y.items.count ? 1 : 0
        default:
            throw ScriptError("'\(args.functionName)' cannot compare \(a.typeName) with \(b.typeName)")
        }
    }

    /// Stable merge sort with a throwing comparison; never traps on an inconsistent order (NaN).
    static func stableSort<T>(_ values: [T], by less: (T, T) throws -> Bool) throws -> [T] {
        var a = values
        var b = values
        var width = 1
        let n = a.count
        while width < n {
            var start = 0
            while start < n {
                let mid = Swift.min(start + width, n), end = Swift.min(start + 2 * width, n)
                var i = start, j = mid, k = start
                while i < mid && j < end {
                    // Take from the right only when strictly smaller: keeps equal elements in order.
                    if try less(a[j], a[i]) { b[k] = a[j]; j += 1 } else { b[k] = a[i]; i += 1 }
                    k += 1
                }
                while i < mid { b[k] = a[i]; i += 1; k += 1 }
                while j < end { b[k] = a[j]; j += 1; k += 1 }
                start += 2 * width
            }
            swap(&a, &b)
            width *= 2
        }
        return a
    }

    /// A Python-style index into `count` elements: negative counts from the end; nil when out of range.
    static func normalizedIndex(_ i: Int, count: Int) -> Int? {
        let j = i < 0 ? i + count : i
        return j >= 0 && j < count ? j : nil
    }
}
