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
            do {
                return try native.index(components, context: self)
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
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

    /// The positions a Python-style slice `a:b:c` selects.
    func slice(count: Int, _ a: Value?, _ b: Value?, _ c: Value?, span: SourceSpan) throws -> [Int] {
        func int(_ v: Value?) throws -> Int? {
            guard let v, !v.isNull else { return nil }
            guard case .number(let x) = v, x.rounded() == x, Swift.abs(x) < 9e15 else {
                throw ScriptError("slice bounds must be integers, got \(v.typeName)", span: span)
            }
            return Int(x)
        }
        let step = try int(c) ?? 1
        guard step != 0 else { throw ScriptError("slice step cannot be zero", span: span) }
        func clamp(_ i: Int?, _ fallback: Int) -> Int {
            guard var i else { return fallback }
            if i < 0 { i += count }
            return step > 0 ? Swift.min(Swift.max(i, 0), count) : Swift.min(Swift.max(i, -1), count - 1)
        }
        let start = clamp(try int(a), step > 0 ? 0 : count - 1)
        let stop = clamp(try int(b), step > 0 ? count : -1)
        var out: [Int] = []
        var i = start
        while step > 0 ? i < stop : i > stop {
            out.append(i)
            i += step
        }
        return out
    }

    /// `root[l0][l1]...[ln] = value`: the first native object met along the chain may write through
    /// the rest of it (a tensor writes into itself); otherwise each level is read in turn (lists and
    /// dicts are shared, so writing into the last one is writing into the root).
    func setIndex(_ root: Value, chain levels: [[IndexComponent]], _ value: Value, span: SourceSpan) throws {
        var current = root
        var level = 0
        while level < levels.count - 1 {
            if case .native(let native) = current {
                do {
                    if try native.setIndex(chain: Array(levels[level...]), value, context: self) { return }
                } catch var error as ScriptError {
                    if error.span == nil { error.span = span }
                    throw error
                }
            }
            current = try index(current, levels[level], span: span)
            level += 1
        }
        try setIndex(current, levels[level], value, span: span)
    }

    func setIndex(_ object: Value, _ components: [IndexComponent], _ value: Value, span: SourceSpan) throws {
        switch object {
        case .native(let native):
            do {
                try native.setIndex(components, value, context: self)
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
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

    func member(_ object: Value, _ name: String, span: SourceSpan) throws -> Value {
        switch object {
        case .native(let native):
            let found: Value?
            do {
                found = try native.member(name, context: self)
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
            guard let found else { throw ScriptError("\(native.typeName) has no member '\(name)'", span: span) }
            return found
        case .dict(let dict):
            guard let v = dict.entries[name] else { throw ScriptError("dict has no key '\(name)'", span: span) }
            return v
        default:
            throw ScriptError("\(object.typeName) has no member '\(name)'", span: span)
        }
    }

    func setMember(_ object: Value, _ name: String, _ value: Value, span: SourceSpan) throws {
        switch object {
        case .native(let native):
            do {
                try native.setMember(name, value, context: self)
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
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
            let items: [Value]?
            do {
                if let lazy = try native.makeIterator(context: self) {
                    return ValueIterator(.native(lazy, self))
                }
                items = try native.elements(context: self)
            } catch var error as ScriptError {
                if error.span == nil { error.span = span }
                throw error
            }
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
        case .native(let iterator, let context): return try iterator.next(context: context)
        }
    }

    /// Tells a native iterator that the loop is over (no-op for the others).
    func finish(completed: Bool) {
        if case .native(let iterator, _) = source { iterator.finish(completed: completed) }
    }
}
