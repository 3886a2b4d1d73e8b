/// Higher-order built-ins (`map`, `filter`, `reduce`, `any`, `all`, `sort`): they call back into
/// dscript through `CallContext.call`. (`sum` is with the math.)
/// Functions come first, as in Python (`map(fn, xs)`); the other order is accepted too.
enum CoreFunctional {
    static let table: [Builtin] = [
        Builtin("map(fn, xs)", "a new list of fn(x) for each element x", example: "map(fn(x) => x * x, [1, 2, 3])   # [1, 4, 9]") { args, context in
            try collect(args, context, sized: true) { _, y in y }
        },
        Builtin("filter(fn, xs)", "a new list of the elements x for which fn(x) is true",
                example: "filter(fn(x) => x % 2 == 0, range(6))   # [0, 2, 4]") { args, context in
            try collect(args, context) { x, y in try y.isTruthy() ? x : nil }
        },
        Builtin("reduce(fn, xs, initial)", "folds a list from the left: fn(fn(initial, x0), x1) ...",
                example: "reduce(fn(a, b) => a * b, [1, 2, 3, 4])   # 24") { args, context in
            let (fn, xs, position) = try functionAndIterable(args)
            var accumulator = args.optional("initial")
            try CoreSupport.forEach(xs, args, position: position, context: context) { x in
                if let a = accumulator {
                    accumulator = try context.call(fn, Arguments([a, x], functionName: "reduce"))
                } else {
                    accumulator = x
                }
                return true
            }
            guard let result = accumulator else { throw ScriptError("reduce() of an empty list with no initial value") }
            return result
        },
        Builtin("any(xs, fn)", "true when some element (or fn(element)) is true", example: "any([false, nil, 1])   # true") { args, context in
            try quantifier(args, context: context, wanted: true)
        },
        Builtin("all(xs, fn)", "true when every element (or fn(element)) is true", example: "all([1, 2, 3], fn(x) => x > 0)   # true") { args, context in
            try quantifier(args, context: context, wanted: false)
        },
        Builtin("sort(xs, key, reverse = false)", "a new sorted list (stable); key: orders by a function, reverse: descending",
                example: "sort([\"bb\", \"a\", \"ccc\"], key: len)   # [\"a\", \"bb\", \"ccc\"]") { args, context in
            let items = try CoreSupport.items(try args.value("xs"), args, position: 0, context: context)
            try Growth.list(3 * items.count)   // keys, order and the result
            let reverse = try args.bool("reverse")
            var keys = items
            if let key = args.optional("key") {
                keys = try items.map { try context.call(key, Arguments([$0], functionName: "key")) }
            }
            // Sort indices by key; reverse keeps equal elements in their original order, as Python does.
            let order = try CoreSupport.stableSort(Array(keys.indices)) { i, j in
                reverse ? try CoreSupport.less(keys[j], keys[i], args) : try CoreSupport.less(keys[i], keys[j], args)
            }
            return .list(ListObject(order.map { items[$0] }))
        },
    ]

    /// `(fn, xs)` in either order; the position of the iterable, for messages.
    static func functionAndIterable(_ args: Arguments) throws -> (Value, Value, Int) {
        let first = try args.value("fn")
        let second = try args.value("xs")
        switch (first, second) {
        case (.function, _), (.builtin, _): return (first, second, 1)
        case (_, .function), (_, .builtin): return (second, first, 0)
        case (.native, _): return (first, second, 1)
        default: throw args.typeError("fn", expected: "function", got: first)
        }
    }

    /// The list of `keep(x, fn(x))` for the elements x of `xs`, less the nils (`map` keeps each
    /// fn(x), `filter` each x whose fn(x) is true). `sized`: one result per element, so a range too
    /// long for a list is refused before the first call.
    static func collect(_ args: Arguments, _ context: CallContext, sized: Bool = false,
                        _ keep: (_ x: Value, _ y: Value) throws -> Value?) throws -> Value {
        let (fn, xs, position) = try functionAndIterable(args)
        var out: [Value] = []
        if sized, case .range(let r) = xs { try Growth.list(r.count) }   // map(0..<1e15, f) is refused at once
        try CoreSupport.forEach(xs, args, position: position, context: context) { x in
            if let kept = try keep(x, try context.call(fn, Arguments([x], functionName: args.functionName))) {
                try Growth.append(1, to: out)
                out.append(kept)
            }
            return true
        }
        return .list(ListObject(out))
    }

    static func quantifier(_ args: Arguments, context: CallContext, wanted: Bool) throws -> Value {
        let fn = args.optional("fn")
        var found = false
        try CoreSupport.forEach(try args.value("xs"), args, position: 0, context: context) { x in
            let v = try fn.map { try context.call($0, Arguments([x], functionName: args.functionName)) } ?? x
            if try v.isTruthy() == wanted { found = true; return false }
            return true
        }
        return .bool(found == wanted)
    }
}
