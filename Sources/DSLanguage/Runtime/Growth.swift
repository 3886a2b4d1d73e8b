import DSLimits

/// The language's side of the memory budget (`MemoryBudget`, shared with the engine's tensors):
/// lists, strings and dicts ask it before they grow, so `map(0..<1e15, f)`, a `push` loop or a list
/// doubled in a loop end in an error naming the object instead of a failed allocation. Native code
/// that builds script values from its own data (`x.tolist()`, iterating a tensor) asks it too.
public enum Growth {
    /// Bytes per list element.
    static let elementBytes = MemoryLayout<Value>.stride
    /// Bytes per dict entry, roughly: key, value and the ordered dictionary's hash table.
    static let entryBytes = MemoryLayout<String>.stride + MemoryLayout<Value>.stride + 2 * MemoryLayout<Int>.stride
    /// Lists and dicts below this many elements grow without asking (the check would cost more).
    static let smallCount = 1 << 12

    /// Before making a list of `count` elements.
    public static func list(_ count: Int) throws {
        guard count >= smallCount else { return }
        try reserve(count, elementBytes, "a list of \(count) elements")
    }

    /// Before making a string of `bytes` UTF-8 bytes.
    public static func string(_ bytes: Int) throws {
        guard bytes >= smallCount else { return }
        try reserve(bytes, 1, "a string of \(bytes) bytes")
    }

    /// Before making `count` values of about `bytes` bytes each (`what` names them in the message).
    public static func values(_ count: Int, bytes: Int, _ what: @autoclosure () -> String) throws {
        guard count >= smallCount else { return }
        try reserve(count, bytes, what())
    }

    /// Before appending `extra` elements to `items`: when they do not fit its capacity, asks for the
    /// storage the array grows into (twice the count, as Swift arrays grow).
    static func append(_ extra: Int, to items: [Value]) throws {
        let needed = items.count + extra
        guard needed > items.capacity, needed >= smallCount else { return }
        try reserve(Swift.max(needed, 2 * items.count), elementBytes, "a list of \(needed) elements")
    }

    /// Before adding a key to a dict of `count` entries: asks at each power of two, when its
    /// storage doubles.
    static func insert(into count: Int, span: SourceSpan) throws {
        guard count >= smallCount, count & (count - 1) == 0 else { return }
        do {
            try reserve(2 * count, entryBytes, "a dict of \(count + 1) entries")
        } catch var error as ScriptError {
            error.span = span
            throw error
        }
    }

    private static func reserve(_ count: Int, _ stride: Int, _ what: @autoclosure () -> String) throws {
        do {
            try MemoryBudget.reserve(count: count, stride: stride, for: what())
        } catch {
            throw ScriptError(error.message)
        }
    }
}
