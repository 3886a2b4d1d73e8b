import DSEngine
import DSLanguage

/// `progress(n)` / `progress(iterable)` as a dscript value: a `ProgressBar` on standard error with
/// the items it counts. Drive it with `p.update()`, set `p.postfix` or `p.set(loss: l)`, end with
/// `p.close()`; or let `progress(n, fn)` call `fn` on every item and advance by itself.
///
/// `for i in progress(n)` walks the items one at a time: the bar advances as each iteration ends
/// and closes when the loop does (also by `break` or an error).
final class ProgressObject: NativeObject {
    let bar: ProgressBar
    let items: ProgressItems

    init(bar: ProgressBar, items: ProgressItems) {
        self.bar = bar
        self.items = items
    }

    var typeName: String { "progress" }

    var memberNames: [String] { ["update", "set", "close", "each", "postfix", "n", "total", "desc"] }

    func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "postfix": return .string(bar.postfix)
        case "n": return .number(Double(bar.count))
        case "total": return bar.total.map { .number(Double($0)) } ?? .null
        case "desc": return .string(bar.description)
        default:
            guard let method = ProgressObject.methods.first(where: { $0.shortName == name }) else { return nil }
            return method.bound(to: self)
        }
    }

    func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        switch name {
        case "postfix":
            guard case .string(let s) = value else { throw ScriptError("postfix must be a string, got \(value.typeName)") }
            bar.postfix = s
        case "desc":
            guard case .string(let s) = value else { throw ScriptError("desc must be a string, got \(value.typeName)") }
            bar.description = s
        default:
            throw ScriptError("cannot set member '\(name)' of progress")
        }
    }

    var length: Int? { items.count }

    func elements(context: CallContext) throws -> [Value]? { try items.all(context) }

    func makeIterator(context: CallContext) throws -> NativeIterator? { ProgressIterator(self) }

    func describe(repr: Bool) -> String {
        "<progress \(bar.count)/\(bar.total.map(String.init) ?? "?")\(bar.isClosed ? " closed" : "")>"
    }

    /// Runs `fn(item)` for each item, advancing the bar; a dict result becomes the postfix.
    /// Returns the list of results.
    func each(_ fn: Value, context: CallContext) throws -> Value {
        var results: [Value] = []
        results.reserveCapacity(items.count ?? 0)
        do {
            for i in 0..<(items.count ?? 0) {
                try context.checkInterrupt()
                let result = try context.call(fn, Arguments([try items.item(i, context)]))
                if case .dict(let d) = result { bar.set(ProgressObject.postfixItems(d, context: context)) }
                results.append(result)
                bar.update(1)
            }
        } catch {
            bar.close()
            throw error
        }
        bar.close()
        return .list(ListObject(results))
    }

    /// A dict's entries as postfix pairs; numbers (and one-element tensors) in four digits.
    static func postfixItems(_ d: DictObject, context: CallContext) -> [(String, String)] {
        d.entries.map { key, value in (key, postfixText(value, context: context)) }
    }

    static func postfixText(_ value: Value, context: CallContext) -> String {
        switch value {
        case .number(let x): return ProgressBar.formatValue(x)
        case .native(let object as TensorObject) where object.tensor.count == 1:
            return ProgressBar.formatValue(Double(object.tensor.scalars[0]))
        default: return context.describe(value, repr: false)
        }
    }

    /// The keyword names `p.set` accepts (the language has no catch-all keyword parameter yet).
    static let methods: [Builtin] = [
        Builtin("progress.update(n = 1)", "advances the bar by n", example: "p.update()") { a, _ in
            try a.receiver(as: ProgressObject.self).bar.update(try a.int("n"))
            return .null
        },
        Builtin("progress.set(values = nil, **names)",
                "sets the postfix from keyword arguments or a dict (numbers in four significant digits)",
                example: "p.set(loss: l, lr: 1e-3)   # or p.set({\"loss\": l})") { a, c in
            let p = try a.receiver(as: ProgressObject.self)
            var items: [(String, String)] = []
            if a.has("values") {
                items = postfixItems(try a.dict("values"), context: c)
            }
            items += a.keywords.filter { $0.name != "values" && !$0.value.isNull }.map { ($0.name, postfixText($0.value, context: c)) }
            p.bar.set(items)
            return .null
        },
        Builtin("progress.close()", "draws the final state and ends the line", example: "p.close()") { a, _ in
            try a.receiver(as: ProgressObject.self).bar.close()
            return .null
        },
        Builtin("progress.each(fn)", "calls fn(item) for every item with the bar advancing; returns the results",
                example: "p.each(fn(i) { return {loss: train_step(i)} })") { a, c in
            try a.receiver(as: ProgressObject.self).each(try a.value("fn"), context: c)
        },
    ]

    static let library: [Builtin] = [
        Builtin("progress(items, fn = nil, desc = \"\", total = nil)",
                "a progress bar on stderr over n steps or the items of a list, range, tensor or string; with fn, calls fn(item) for each and returns the results",
                example: "let p = progress(1000, desc: \"train\")   # p.update(); p.set(loss: l); p.close()") { a, c in
            let source = try a.value("items")
            let items = try ProgressItems(source, context: c, argument: a)
            var total = items.count
            if a.has("total") { total = try a.int("total") }
            let bar = ProgressBar(total: total, description: try a.string("desc"), context: c)
            let object = ProgressObject(bar: bar, items: items)
            if let fn = a.optional("fn") { return try object.each(fn, context: c) }
            return .native(object)
        },
    ]
}

/// What a progress bar counts: 0 ..< n, or the items of an iterable value (read once).
enum ProgressItems {
    case count(Int)
    case values([Value])
    case range(RangeObject)

    init(_ v: Value, context: CallContext, argument a: Arguments) throws {
        switch v {
        case .number:
            let n = try a.int("items")
            guard n >= 0 else { throw a.error("items", "non-negative count expected, got \(n)") }
            self = .count(n)
        case .range(let r): self = .range(r)
        case .list(let l): self = .values(l.items)
        case .string(let s): self = .values(s.map { .string(String($0)) })
        case .dict(let d): self = .values(d.entries.keys.map { .string($0) })
        case .native(let object):
            guard let items = try object.elements(context: context) else {
                throw a.error("items", "\(object.typeName) is not iterable")
            }
            self = .values(items)
        default:
            throw a.typeError("items", expected: "number or iterable", got: v)
        }
    }

    var count: Int? {
        switch self {
        case .count(let n): return n
        case .values(let v): return v.count
        case .range(let r): return r.count
        }
    }

    func item(_ i: Int, _ context: CallContext) throws -> Value {
        switch self {
        case .count: return .number(Double(i))
        case .values(let v): return v[i]
        case .range(let r): return .number(r.element(i))
        }
    }

    func all(_ context: CallContext) throws -> [Value] {
        if let n = count, n > 10_000_000 {
            throw ScriptError("progress: \(n) items are too many to iterate at once; call p.update() inside `for i in range(n)`")
        }
        return try (0..<(count ?? 0)).map { try item($0, context) }
    }
}

/// `for i in progress(...)`: yields the items and advances the bar after each iteration.
final class ProgressIterator: NativeIterator {
    let progress: ProgressObject
    var position = 0

    init(_ progress: ProgressObject) { self.progress = progress }

    func next(context: CallContext) throws -> Value? {
        if position > 0 { progress.bar.update(1) }
        guard position < (progress.items.count ?? 0) else { return nil }
        defer { position += 1 }
        return try progress.items.item(position, context)
    }

    func finish(completed: Bool) { progress.bar.close() }
}
