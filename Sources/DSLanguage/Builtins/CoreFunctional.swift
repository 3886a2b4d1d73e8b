/// Higher-order built-ins and reductions: they call back into dscript through `CallContext.call`.
/// Functions come first, as in Python (`map(fn, xs)`); the other order is accepted too.
enum CoreFunctional {
    static let table: [Builtin] = [
        Builtin("map(fn, xs)", "a new list of fn(x) for each element x", example: "map(fn(x) => x * x, [1, 2, 3])   # [1, 4, 9]") { args, context in
            let (fn, xs, position) = try functionAndIterable(args)
            var out: [Value] = []
            if case .range(let r) = xs { try Growth.list(r.count) }   // map(0..<1e15, f) is refused at once
            try CoreSupport.forEach(xs, args, position: position, context: context) { x in
                let y = try context.call(fn, Arguments([x], functionName: "map"))
                try Growth.append(1, to: out)
                out.append(y)
                return true
            }
            return .list(ListObject(out))
        },
        Builtin("filter(fn, xs)", "a new list of the elements x for which fn(x) is true",
                example: "filter(fn(x) => x % 2 == 0, range(6))   # [0, 2, 4]") { args, context in
            let (fn, xs, position) = try functionAndIterable(args)
            var out: [Value] = []
            try CoreSupport.forEach(xs, args, position: position, context: context) { x in
                if try context.call(fn, Arguments([x], functionName: "filter")).isTruthy() {
                    try Growth.append(1, to: out)
                    out.append(x)
                }
                return true
            }
            return .list(ListObject(out))
        },
        Builtin("reduce(fn, xs, initial)", "folds a list from the left: fn(fn(initial, x0), x1) ...",
                example: "reduce(fn(a, b) => a * b, [1, 2, 3, 4])   # 24") { args, context in
            let (fn, xs, position) = try functionAndIterable(args)
            var accumulator = args.optional(2, "initial")
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
        Builtin("sum(xs, start = 0, axis, keepdim)", "the sum of a list or range (numbers or tensors); a tensor sums its elements (or along axis)",
                example: "sum([1, 2, 3])   # 6") { args, context in
            if let r = try CoreSupport.forward("sum", args, context: context) { return r }
            try CoreSupport.refuseTensorKeywords(args)
            // Numbers are added with Neumaier's compensated summation (as Python 3.12's sum);
            // from the first non-number on, values are added with their own `+` (tensors).
            var total: Value?
            var plain = 0.0, compensation = 0.0
            switch args.optional(1, "start") {
            case .number(let s)?: plain = s
            case let other?: total = other
            case nil: break
            }
            // With an infinity the compensation is nan; the plain sum is then the answer.
            func numeric() -> Value { .number(plain.isFinite ? plain + compensation : plain) }
            try CoreSupport.forEach(try args.value(0), args, position: 0, context: context) { x in
                if total == nil, case .number(let v) = x {
                    let t = plain + v
                    compensation += Swift.abs(plain) >= Swift.abs(v) ? (plain - t) + v : (v - t) + plain
                    plain = t
                    return true
                }
                total = try CoreSupport.add(total ?? numeric(), x, args, context: context)
                return true
            }
            return total ?? numeric()
        },
        Builtin("any(xs, fn)", "true when some element (or fn(element)) is true", example: "any([false, nil, 1])   # true") { args, context in
            try quantifier(args, context: context, wanted: true)
        },
        Builtin("all(xs, fn)", "true when every element (or fn(element)) is true", example: "all([1, 2, 3], fn(x) => x > 0)   # true") { args, context in
            try quantifier(args, context: context, wanted: false)
        },
        Builtin("sort(xs, key, reverse = false)", "a new sorted list (stable); key: orders by a function, reverse: descending",
                example: "sort([\"bb\", \"a\", \"ccc\"], key: len)   # [\"a\", \"bb\", \"ccc\"]") { args, context in
            let items = try CoreSupport.items(try args.value(0), args, position: 0, context: context)
            try Growth.list(3 * items.count)   // keys, order and the result
            let reverse = try args.bool(2, "reverse", default: false)
            var keys = items
            if let key = args.optional(1, "key") {
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
        let first = try args.value(0)
        let second = try args.value(1)
        switch (first, second) {
        case (.function, _), (.builtin, _): return (first, second, 1)
        case (_, .function), (_, .builtin): return (second, first, 0)
        case (.native, _): return (first, second, 1)
        default: throw args.typeError(0, nil, expected: "function", got: first)
        }
    }

    static func quantifier(_ args: Arguments, context: CallContext, wanted: Bool) throws -> Value {
        let fn = args.optional(1, "fn")
        var found = false
        try CoreSupport.forEach(try args.value(0), args, position: 0, context: context) { x in
            let v = try fn.map { try context.call($0, Arguments([x], functionName: args.functionName)) } ?? x
            if try v.isTruthy() == wanted { found = true; return false }
            return true
        }
        return .bool(found == wanted)
    }
}
