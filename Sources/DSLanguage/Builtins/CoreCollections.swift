/// Built-ins for lists and dicts: construction, mutation, slicing (`contains` is with the strings,
/// `range` with the essentials).
/// `push`, `pop`, `insert` and `remove` change the list in place; `reverse`, `slice`, `list`,
/// `enumerate` and `zip` return new lists.
enum CoreCollections {
    static let table: [Builtin] = [
        Builtin("list(xs)", "a new list of the elements of a list, range, string, dict (its keys) or tensor",
                example: "list(range(3))   # [0, 1, 2]") { args, context in
            guard args.has("xs") else { return .list(ListObject()) }
            return .list(ListObject(try CoreSupport.items(try args.value("xs"), args, position: 0, context: context)))
        },
        Builtin("keys(d)", "the keys of a dict, in insertion order", example: "keys({a: 1, b: 2})   # [\"a\", \"b\"]") { args, context in
            if let r = try CoreSupport.forward("keys", args, expected: "dict", context: context) { return r }
            let d = try args.dict("d")
            try Growth.list(d.entries.count)
            return .list(ListObject(d.entries.keys.map { .string($0) }))
        },
        Builtin("values(d)", "the values of a dict, in insertion order", example: "values({a: 1, b: 2})   # [1, 2]") { args, context in
            if let r = try CoreSupport.forward("values", args, expected: "dict", context: context) { return r }
            let d = try args.dict("d")
            try Growth.list(d.entries.count)
            return .list(ListObject(Array(d.entries.values)))
        },
        Builtin("has(container, x)", "true when a dict has the key x, a list holds x, or a string contains x",
                example: "has({a: 1}, \"a\")   # true") { args, context in
            try member(args, context: context)
        },
        Builtin("push(xs, ...values)", "appends values to the end of a list (in place)", example: "push(xs, 4)") { args, _ in
            let list = try args.list("xs")
            try Growth.append(args.count - 1, to: list.items)
            list.items.append(contentsOf: args.positional.dropFirst())
            return .null
        },
        Builtin("pop(xs, i, default)", "removes and returns the last element (or element i) of a list, or key i of a dict (default when it is missing)",
                example: "pop([1, 2, 3])   # 3") { args, _ in
            let target = try args.value("xs")
            if case .dict(let d) = target {
                let key = try args.string("i")
                if let value = d.entries.removeValue(forKey: key) { return value }
                if let fallback = args.optional("default") { return fallback }
                throw ScriptError("pop: key \"\(key)\" not found")
            }
            let list = try args.list("xs")
            guard !list.items.isEmpty else { throw ScriptError("pop from empty list") }
            let i = try args.int("i", default: -1)
            guard let j = CoreSupport.normalizedIndex(i, count: list.items.count) else {
                throw args.error("i", "index \(i) out of range for a list of \(list.items.count)")
            }
            return list.items.remove(at: j)
        },
        Builtin("insert(xs, i, x)", "inserts x before position i (negative counts from the end; clamped to the list)",
                example: "insert(xs, 0, \"first\")") { args, _ in
            let list = try args.list("xs")
            let i = try args.int("i")
            let value = try args.value("x")
            try Growth.append(1, to: list.items)
            let n = list.items.count
            let j = i < 0 ? Swift.max(0, i + n) : Swift.min(i, n)
            list.items.insert(value, at: j)
            return .null
        },
        Builtin("remove(xs, x)", "removes the first element equal to x from a list, or the key x from a dict",
                example: "remove(xs, 3)") { args, context in
            let target = try args.value("xs")
            let value = try args.value("x")
            if case .dict(let d) = target {
                let key = try args.string("x")
                guard d.entries.removeValue(forKey: key) != nil else { throw ScriptError("remove: key \"\(key)\" not found") }
                return .null
            }
            let list = try args.list("xs")
            guard let j = list.items.firstIndex(where: { Value.equal($0, value) }) else {
                throw ScriptError("remove: \(context.describe(value, repr: true)) is not in the list")
            }
            list.items.remove(at: j)
            return .null
        },
        Builtin("reverse(xs)", "a new list (or string) with the elements in reverse order", example: "reverse([1, 2, 3])   # [3, 2, 1]") { args, context in
            let v = try args.value("xs")
            if case .string(let s) = v { return .string(String(s.reversed())) }
            let items = try CoreSupport.items(v, args, position: 0, context: context)
            try Growth.list(items.count)
            return .list(ListObject(items.reversed()))
        },
        Builtin("slice(xs, start, stop, step = 1)", "elements start..<stop of a list or string, as Python's xs[start:stop:step]",
                example: "slice([1, 2, 3, 4], 1, -1)   # [2, 3]") { args, context in
            let v = try args.value("xs")
            let step = try args.int("step")
            guard step != 0 else { throw args.error("step", "step must not be zero") }
            let start = args.has("start") ? try args.int("start") : nil
            let stop = args.has("stop") ? try args.int("stop") : nil
            if case .string(let s) = v {
                let chars = Array(s)
                return .string(String(Runtime.sliceIndices(count: chars.count, start: start, stop: stop, step: step).map { chars[$0] }))
            }
            let items = try CoreSupport.items(v, args, position: 0, context: context)
            try Growth.list(items.count)
            return .list(ListObject(Runtime.sliceIndices(count: items.count, start: start, stop: stop, step: step).map { items[$0] }))
        },
        Builtin("enumerate(xs, start = 0)", "a list of [index, element] pairs",
                example: "enumerate([\"a\", \"b\"])   # [[0, \"a\"], [1, \"b\"]]") { args, context in
            let items = try CoreSupport.items(try args.value("xs"), args, position: 0, context: context)
            let start = try args.number("start")
            try Growth.list(3 * items.count)   // a pair list per element
            return .list(ListObject(items.enumerated().map { i, v in .list(ListObject([.number(start + Double(i)), v])) }))
        },
        Builtin("zip(...lists)", "a list of lists taking one element from each argument, as long as the shortest",
                example: "zip([1, 2], [\"a\", \"b\"])   # [[1, \"a\"], [2, \"b\"]]") { args, context in
            let columns = try args.positional.indices.map {
                try CoreSupport.items(args.positional[$0], args, position: $0, context: context)
            }
            let n = columns.map(\.count).min() ?? 0
            try Growth.list(n * (1 + columns.count))
            return .list(ListObject((0..<n).map { i in .list(ListObject(columns.map { $0[i] })) }))
        },
    ]

    /// `has` / `contains`: dict key, list element, substring, or the native object's own method.
    static func member(_ args: Arguments, context: CallContext) throws -> Value {
        let container = try args.value("container")
        let x = try args.value("x")
        switch container {
        case .dict(let d): return .bool(d.entries[try args.string("x")] != nil)
        case .list(let l): return .bool(l.items.contains { Value.equal($0, x) })
        case .string(let s):
            return .bool(CoreStrings.find(Array(s.utf8), Array(try args.string("x").utf8), from: 0) != nil)
        case .range(let r):
            guard case .number(let v) = x else { return .bool(false) }
            let k = (v - r.start) / r.step
            return .bool(k == k.rounded() && k >= 0 && k < Double(r.count))
        case .native:
            return try CoreSupport.forward(args.functionName, args, expected: "dict, list or string", context: context) ?? .null
        default:
            throw args.typeError("container", expected: "dict, list or string", got: container)
        }
    }
}
