import DSLanguage

/// Tab completion for the REPL: variables, built-ins and keywords; members after `.`; REPL
/// commands after `:`. Looking up the object before the dot has no side effects beyond reading
/// members: globals, dict entries and native objects' `member`.
public struct Completer {
    public let interpreter: Interpreter

    public init(interpreter: Interpreter) { self.interpreter = interpreter }

    /// Full replacements for `word` (the identifier chain under the cursor, such as `s.alpha_b`).
    public func candidates(for word: String) -> [String] {
        guard let dot = word.lastIndex(of: ".") else {
            let names = Set(interpreter.globalNames).union(Interpreter.keywords)
            return names.filter { $0.hasPrefix(word) }.sorted()
        }
        let base = String(word[..<dot])
        let prefix = String(word[word.index(after: dot)...])
        guard let value = lookUp(base) else { return [] }
        return memberNames(of: value).filter { $0.hasPrefix(prefix) }.map { base + "." + $0 }
    }

    /// After `:help`: help entries (`tensor.sum`) as well as ordinary candidates.
    public func helpCandidates(for word: String) -> [String] {
        let entries = interpreter.helpEntries.map(\.name).filter { $0.hasPrefix(word) }
        return Set(entries).union(candidates(for: word)).sorted()
    }

    /// REPL commands starting with `prefix` (without the colon).
    public static func commands(startingWith prefix: String) -> [String] {
        REPLCommand.all.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    /// The value of an identifier chain `a.b.c`, or nil when any part is missing or not plain.
    func lookUp(_ chain: String) -> Value? {
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, isIdentifier(first), var value = interpreter.global(first) else { return nil }
        for part in parts.dropFirst() {
            guard isIdentifier(part), let next = member(part, of: value) else { return nil }
            value = next
        }
        return value
    }

    func member(_ name: String, of value: Value) -> Value? {
        switch value {
        case .dict(let dict):
            return dict.entries[name]
        case .native(let object):
            guard object.memberNames.contains(name) else { return nil }
            return (try? object.member(name, context: CompletionContext(interpreter: interpreter))) ?? nil
        default:
            return nil
        }
    }

    /// Names that may follow `value.`: a native object's members, identifier keys of a dict, and
    /// methods registered for the value's type in the help tables (`tensor.sum`).
    func memberNames(of value: Value) -> [String] {
        var names = Set<String>()
        switch value {
        case .dict(let dict):
            names.formUnion(dict.entries.keys.filter(isIdentifier))
        case .native(let object):
            names.formUnion(object.memberNames)
        default:
            break
        }
        let typePrefix = value.typeName + "."
        for entry in interpreter.helpEntries where entry.name.hasPrefix(typePrefix) {
            names.insert(String(entry.name.dropFirst(typePrefix.count)))
        }
        return names.sorted()
    }

    func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, !first.isNumber else { return false }
        return text.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }
}

/// The `CallContext` handed to native `member` lookups during completion: it reads settings and
/// describes values, and refuses to call code or write anything.
final class CompletionContext: CallContext {
    let interpreter: Interpreter
    init(interpreter: Interpreter) { self.interpreter = interpreter }

    func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        throw ScriptError("no calls during completion")
    }
    func write(_ text: String) {}
    func writeError(_ text: String) {}
    func checkInterrupt() throws {}
    var settings: RuntimeSettings { interpreter.settings }
    func describe(_ value: Value, repr: Bool) -> String { interpreter.describe(value, repr: repr) }
    func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T { make() }
}
