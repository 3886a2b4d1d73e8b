/// Writing JSON values and reading their parts.
extension JSONValue {
    /// Compact JSON text (object order kept; non-integral numbers in Swift's shortest round-trip form).
    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let n): out += String(n)
        case .number(let x): out += x.isFinite ? "\(x)" : "null"
        case .string(let s): out += jsonQuoted(s)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let entries):
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += "," }
                out += jsonQuoted(entry.key) + ":"
                entry.value.write(into: &out)
            }
            out += "}"
        }
    }

    /// The value of `key` in an object (nil for a missing key or a value that is not an object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number as an `Int`, when this is an integral number.
    public var integer: Int? {
        switch self {
        case .integer(let n): return n
        case .number(let x) where x.rounded() == x && abs(x) < 9e15: return Int(x)
        default: return nil
        }
    }

    /// The boolean, when this is one.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

/// `["status": .string("ok")]` is an object (keys in the order written).
extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
