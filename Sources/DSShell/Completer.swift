import DSLanguage

/// Tab completion for the REPL: variables, built-ins and keywords; members after `.`; REPL
/// commands after `:`. Looking up the object before the dot has no side effects beyond reading
/// members: globals, dict entries and native objects' `member`. After a call (`tensor([1]).su`)
/// the members are those of the type the callee declares it returns (`-> tensor`): nothing is
/// called to find them.
public struct Completer {
    public let interpreter: Interpreter

    public init(interpreter: Interpreter) { self.interpreter = interpreter }

    /// Full replacements for `word` (the identifier chain under the cursor, such as `s.alpha_b`);
    /// `before` is the text before it on the line (for `.su` after `tensor([1])`).
    public func candidates(for word: String, after before: String = "") -> [String] {
        if word.hasPrefix(".") {
            let prefix = String(word.dropFirst())
            guard !prefix.contains("."), let expression = TrailingExpression(endOf: before),
                  let names = memberNames(of: expression) else { return [] }
            return names.filter { $0.hasPrefix(prefix) }.map { "." + $0 }
        }
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

    /// What an expression is known to be without running it: a value reached through globals and
    /// members, a method of a type, or a value of a type (a call's declared result).
    enum Known {
        case value(Value)
        case method(Builtin)
        case type(String)
    }

    func resolve(_ expression: TrailingExpression) -> Known? {
        switch expression {
        case .name(let name):
            return isIdentifier(name) ? interpreter.global(name).map(Known.value) : nil
        case .member(let base, let name):
            switch resolve(base) {
            case .value(let value): return member(name, of: value).map(Known.value)
            case .type(let type): return interpreter.help(type + "." + name).map(Known.method)
            case .method, nil: return nil
            }
        case .call(let callee):
            switch resolve(callee) {
            case .value(.builtin(let function)): return function.builtin.resultType.map(Known.type)
            case .method(let builtin): return builtin.resultType.map(Known.type)
            default: return nil
            }
        }
    }

    /// The names that may follow `expression.`, nil when nothing is known of it.
    func memberNames(of expression: TrailingExpression) -> [String]? {
        switch resolve(expression) {
        case .value(let value): return memberNames(of: value)
        case .type(let type): return interpreter.memberNames(ofType: type)
        case .method, nil: return nil
        }
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
