/// Indexing, slicing, members and iteration for the language's own values; native objects get
/// their hooks called.
extension Runtime {
    func index(_ object: Value, _ key: Value, span: SourceSpan) throws -> Value {
        switch (object, key) {
        case (.list(let list), .number(let x)):
            let i = try position(x, count: list.items.count, what: "list", span: span)
            return list.items[i]
        case (.dict(let dict), .string(let k)):
            guard let v = dict.entries[k] else { throw ScriptError("key \"\(k)\" not found in dict", span: span) }
            return v
        default:
            return try index(object, [.value(key)], span: span)
        }
    }

    func index(_ object: Value, _ components: [IndexComponent], span: SourceSpan) throws -> Value {
        if case .native(let native) = object {
            return try enteringNative(at: span) { try native.index(components, context: self) }
        }
        guard components.count == 1 else {
            throw ScriptError("\(object.typeName) takes one index, got \(components.count)", span: span)
        }
        let component = components[0]
        switch (object, component) {
        case (.list(let list), .value(.number(let x))):
            return list.items[try position(x, count: list.items.count, what: "list", span: span)]
        case (.list(let list), .slice(let a, let b, let c)):
            let picked = try slice(count: list.items.count, a, b, c, span: span)
            return .list(ListObject(picked.map { list.items[$0] }))
        case (.string(let s), .value(.number(let x))):
            let chars = Array(s)
            return .string(String(chars[try position(x, count: chars.count, what: "string", span: span)]))
        case (.string(let s), .slice(let a, let b, let c)):
            let chars = Array(s)
            return .string(String(try slice(count: chars.count, a, b, c, span: span).map { chars[$0] }))
        case (.dict(let dict), .value(.string(let k))):
            guard let v = dict.entries[k] else { throw ScriptError("key \"\(k)\" not found in dict", span: span) }
            return v
        case (.range(let r), .value(.number(let x))):
            guard let count = r.exactCount else { throw ScriptError("a range of more than 2^53 elements cannot be indexed", span: span) }
            return .number(r.element(try position(x, count: count, what: "range", span: span)))
        case (.list, .value(let v)), (.string, .value(let v)), (.range, .value(let v)):
            throw ScriptError("\(object.typeName) index must be a number, got \(v.typeName)", span: span)
        case (.dict, .value(let v)):
            throw ScriptError("dict key must be a string, got \(v.typeName)", span: span)
        default:
            throw ScriptError("\(object.typeName) cannot be indexed", span: span)
        }
    }

    /// A 0-based position from an index that may count from the end.
    func position(_ x: Double, count: Int, what: String, span: SourceSpan) throws -> Int {
        guard x.rounded() == x, Swift.abs(x) < 9e15 else {
            throw ScriptError("\(what) index must be an integer, got \(formatNumber(x))", span: span)
        }
        var i = Int(x)
        if i < 0 { i += count }
        guard i >= 0 && i < count else {
            throw ScriptError("\(what) index \(formatNumber(x)) out of range (length \(count))", span: span)
        }
        return i
    }

    /// The positions a Python-style slice `a:b:c` of a list or string selects.
    func slice(count: Int, _ a: Value?, _ b: Value?, _ c: Value?, span: SourceSpan) throws -> StrideTo<Int> {
        func int(_ v: Value?) throws -> Int? {
            guard let v, !v.isNull else { return nil }
            guard case .number(let x) = v, x.rounded() == x, Swift.abs(x) < 9e15 else {
                throw ScriptError("slice bounds must be integers, got \(v.typeName)", span: span)
            }
            return Int(x)
        }
        let step = try int(c) ?? 1
        guard step != 0 else { throw ScriptError("slice step cannot be zero", span: span) }
        return Runtime.sliceIndices(count: count, start: try int(a), stop: try int(b), step: step)
    }

    /// The indices Python's `xs[start:stop:step]` visits in a sequence of `count` elements.
    /// (The language's one slice rule, for `xs[a:b:c]` and `slice(xs, a, b, c)`; tensors use the
    /// engine's `TensorSelection`.)
    static func sliceIndices(count: Int, start: Int?, stop: Int?, step: Int) -> StrideTo<Int> {
        func clampIndex(_ i: Int, low: Int, high: Int) -> Int {
            let j = i < 0 ? i + count : i
            return Swift.min(Swift.max(j, low), high)
        }
        if step > 0 {
            let a = start.map { clampIndex($0, low: 0, high: count) } ?? 0
            let b = stop.map { clampIndex($0, low: 0, high: count) } ?? count
            return stride(from: a, to: Swift.max(a, b), by: step)
        }
        let a = start.map { clampIndex($0, low: -1, high: count - 1) } ?? count - 1
        let b = stop.map { clampIndex($0, low: -1, high: count - 1) } ?? -1
        return stride(from: a, to: Swift.min(a, b), by: step)
    }

    /// `root[l0][l1]...[ln] = value`: the first native object met along the chain may write through
    /// the rest of it (a tensor writes into itself); otherwise each level is read in turn (lists and
    /// dicts are shared, so writing into the last one is writing into the root).
    func setIndex(_ root: Value, chain levels: [[IndexComponent]], _ value: Value, span: SourceSpan) throws {
        var current = root
        var level = 0
        while level < levels.count - 1 {
            if case .native(let native) = current {
                let written = try enteringNative(at: span) {
                    try native.setIndex(chain: Array(levels[level...]), value, context: self)
                }
                if written { return }
            }
            current = try index(current, levels[level], span: span)
            level += 1
        }
        try setIndex(current, levels[level], value, span: span)
    }

    func setIndex(_ object: Value, _ components: [IndexComponent], _ value: Value, span: SourceSpan) throws {
        switch object {
        case .native(let native):
            try enteringNative(at: span) { try native.setIndex(components, value, context: self) }
        case .list(let list):
            guard components.count == 1, case .value(let key) = components[0] else {
                throw ScriptError("list element assignment takes one index", span: span)
            }
            guard case .number(let x) = key else {
                throw ScriptError("list index must be a number, got \(key.typeName)", span: span)
            }
            list.items[try position(x, count: list.items.count, what: "list", span: span)] = value
        case .dict(let dict):
            guard components.count == 1, case .value(let key) = components[0], case .string(let k) = key else {
                throw ScriptError("dict key must be a string", span: span)
            }
            try Growth.insert(into: dict.entries.count, span: span)
            dict.entries[k] = value
        default:
            throw ScriptError("\(object.typeName) does not support element assignment", span: span)
        }
    }

    /// Methods registered for `type` in the help tables (`tensor.sum` → `sum`).
    func methodNames(of type: String) -> [String] {
        let prefix = type + "."
        return helpOrder.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func member(_ object: Value, _ name: String, span: SourceSpan) throws -> Value {
        switch object {
        case .native(let native):
            let found = try enteringNative(at: span) { try native.member(name, context: self) }
            guard let found else {
                throw ScriptError("\(native.typeName) has no member '\(name)'"
                                  + Suggestions.note(for: name, .member, candidates: native.memberNames + methodNames(of: native.typeName)),
                                  span: span)
            }
            return found
        case .dict(let dict):
            guard let v = dict.entries[name] else {
                throw ScriptError("dict has no key '\(name)'" + Suggestions.note(for: name, .member, candidates: dict.entries.keys), span: span)
            }
            return v
        default:
            throw ScriptError("\(object.typeName) has no member '\(name)'"
                              + Suggestions.note(for: name, .member, candidates: methodNames(of: object.typeName)), span: span)
        }
    }

    func setMember(_ object: Value, _ name: String, _ value: Value, span: SourceSpan) throws {
        switch object {
        case .native(let native):
            try enteringNative(at: span) { try native.setMember(name, value, context: self) }
        case .dict(let dict):
            try Growth.insert(into: dict.entries.count, span: span)
            dict.entries[name] = value
        default:
            throw ScriptError("cannot set member '\(name)' of \(object.typeName)", span: span)
        }
    }

    /// What `for x in v` walks over.
    func iterate(_ v: Value, span: SourceSpan) throws -> ValueIterator {
        switch v {
        case .list(let list): return ValueIterator(.values(list.items))
        case .range(let r): return ValueIterator(.range(r))
        case .dict(let d): return ValueIterator(.values(d.entries.keys.map { .string($0) }))
        case .string(let s): return ValueIterator(.values(s.map { .string(String($0)) }))
        case .native(let native):
            if let lazy = try enteringNative(at: span, { try native.makeIterator(context: self) }) {
                return ValueIterator(.native(lazy, self))
            }
            let items = try enteringNative(at: span) { try native.elements(context: self) }
            guard let items else { throw ScriptError("cannot iterate over \(native.typeName)", span: span) }
            return ValueIterator(.values(items))
        default:
            throw ScriptError("cannot iterate over \(v.typeName)", span: span)
        }
    }
}

/// Walks the elements of a list, range, dict (keys), string (characters) or native object.
struct ValueIterator {
    enum Source {
        case values([Value])
        case range(RangeObject)
        case native(NativeIterator, CallContext)
    }

    let source: Source
    var position = 0
    let count: Int

    init(_ source: Source) {
        self.source = source
        switch source {
        case .values(let v): count = v.count
        case .range(let r): count = r.count
        case .native: count = Int.max
        }
    }

    mutating func next() throws -> Value? {
        guard position < count else { return nil }
        defer { position += 1 }
        switch source {
        case .values(let v): return v[position]
        case .range(let r): return .number(r.element(position))
        case .native(let iterator, let context):
            return try enteringNative(at: nil) { try iterator.next(context: context) }
        }
    }

    /// Tells a native iterator that the loop is over (no-op for the others).
    func finish(completed: Bool) {
        if case .native(let iterator, _) = source { iterator.finish(completed: completed) }
    }
}
