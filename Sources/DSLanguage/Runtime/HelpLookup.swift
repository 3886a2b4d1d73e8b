/// Help found from a name or a value: `:help NAME` in the REPL, `help(x)` in code and Shift-Tab in
/// a notebook all answer from here. A name is a built-in (`abs`, `tensor.sum`), a type with
/// methods (`tensor`, `schedule`, `model`), a variable or a member reached through variables
/// (`s.q_sample` through the type of `s`, `train.train` through the module `train`), or a keyword.
public enum HelpText {
    /// Signature, summary and example of a built-in.
    public static func entry(_ b: Builtin) -> String {
        var text = b.signature + "\n    " + b.summary + "\n"
        if !b.example.isEmpty {
            let lines = b.example.split(separator: "\n", omittingEmptySubsequences: false)
            text += "    example: " + lines.joined(separator: "\n             ") + "\n"
        }
        return text
    }

    /// `Methods of TYPE:` and one line (signature, summary) per method, sorted by name.
    public static func methods(of type: String, _ methods: [Builtin]) -> String {
        let sorted = methods.sorted { $0.name < $1.name }
        let width = Swift.min(sorted.map(\.signature.count).max() ?? 0, 40)
        return "Methods of \(type):\n" + sorted.map { b in
            let padding = String(repeating: " ", count: Swift.max(0, width - b.signature.count))
            return "  " + b.signature + padding + "  " + b.summary + "\n"
        }.joined()
    }

    /// `words` separated by spaces, in lines of at most `width` columns, indented by two.
    public static func wrap(_ words: [String], width: Int = 88) -> String {
        var text = ""
        var line = " "
        for word in words {
            if line.count + 1 + word.count > width, line.count > 1 {
                text += line + "\n"
                line = " "
            }
            line += " " + word
        }
        if line.count > 1 { text += line + "\n" }
        return text
    }

    /// A function written in dscript: its declaration as written and the comment lines right above it.
    static func function(_ f: FunctionObject) -> String {
        guard let span = f.proto?.span else { return "fn \(f.name)(\(f.parameterNames.joined(separator: ", ")))\n" }
        let bytes = span.source.bytes
        var end = span.start
        var depth = 0
        scan: while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "{") where depth == 0: break scan
            case UInt8(ascii: "=") where depth == 0 && end + 1 < bytes.count && bytes[end + 1] == UInt8(ascii: ">"): break scan
            default: break
            }
            end += 1
        }
        let declaration = String(decoding: bytes[span.start..<end], as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        var comments: [String] = []
        var line = span.line - 1
        while line >= 1 {
            let text = trimmed(span.source.lineText(line))
            guard text.hasPrefix("#") else { break }
            comments.insert("    " + trimmed(text.dropFirst()), at: 0)
            line -= 1
        }
        let summary = comments.isEmpty ? "    a function written in dscript (\(span))" : comments.joined(separator: "\n")
        return declaration + "\n" + summary + "\n"
    }
}

extension Runtime {
    /// The help text for `name`, or nil when nothing is called that.
    func helpText(named name: String) -> String? {
        if let b = helpTable[name] {
            let methods = registeredMethods(of: name)
            return HelpText.entry(b) + (methods.isEmpty ? "" : "\n" + HelpText.methods(of: name, methods))
        }
        let methods = registeredMethods(of: name)
        if !methods.isEmpty { return HelpText.methods(of: name, methods) }
        if let dot = name.lastIndex(of: "."), let base = value(at: String(name[..<dot])) {
            let member = String(name[name.index(after: dot)...])
            if let b = helpTable[base.typeName + "." + member] { return HelpText.entry(b) }
            if let value = memberWithoutCalls(member, of: base) { return helpText(of: value, named: name) }
            return nil
        }
        if let g = globals.lookup(name), g.defined { return helpText(of: g.value, named: name) }
        if Interpreter.keywords.contains(name) {
            return "'\(name)' is a keyword of the language (see the language tour in README.md)\n"
        }
        let sameShortName = helpOrder.filter { $0.hasSuffix("." + name) }.compactMap { helpTable[$0] }
        return sameShortName.isEmpty ? nil : sameShortName.map(HelpText.entry).joined()
    }

    /// The help text for a value: a built-in's entry, a function's declaration, or the value's
    /// type, a short form of it, its methods and its other members.
    func helpText(of value: Value, named name: String?) -> String {
        switch value {
        case .builtin(let b): return HelpText.entry(b.builtin)
        case .function(let f): return HelpText.function(f)
        default: break
        }
        var full = format(value, repr: true)
        if let newline = full.firstIndex(of: "\n") { full = String(full[..<newline]) + " …" }
        if full.count > 72 { full = String(full.prefix(71)) + "…" }
        var text = name.map { "\($0): \(value.typeName) = \(full)\n" } ?? "\(value.typeName): \(full)\n"
        let methods = registeredMethods(of: value.typeName)
        var others: [String] = []
        switch value {
        case .native(let object): others = object.memberNames
        case .dict(let dict): others = dict.entries.keys.filter { key in key.first.map { !$0.isNumber } ?? false }
        default: break
        }
        let methodNames = Set(methods.map(\.shortName))
        others = others.filter { !methodNames.contains($0) }
        if !others.isEmpty { text += "members:\n" + HelpText.wrap(others) }
        if !methods.isEmpty { text += HelpText.methods(of: value.typeName, methods) }
        return text
    }

    /// Methods registered in the help tables for `type` (`tensor` → `tensor.sum`, ...).
    func registeredMethods(of type: String) -> [Builtin] {
        let prefix = type + "."
        return helpOrder.filter { $0.hasPrefix(prefix) }.compactMap { helpTable[$0] }
    }

    /// The value of `a.b.c` through globals, dict entries and members, without calling anything.
    func value(at path: String) -> Value? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let g = globals.lookup(first), g.defined else { return nil }
        var value = g.value
        for part in parts.dropFirst() {
            guard let next = memberWithoutCalls(part, of: value) else { return nil }
            value = next
        }
        return value
    }

    func memberWithoutCalls(_ name: String, of value: Value) -> Value? {
        switch value {
        case .dict(let dict): return dict.entries[name]
        case .native(let object):
            guard object.memberNames.contains(name) else { return nil }
            return (try? object.member(name, context: self)) ?? nil
        default: return nil
        }
    }

    /// ` (did you mean 'NAME'?)` for a help topic that does not exist, or nothing.
    func helpSuggestion(_ name: String, also extra: [String]) -> String {
        let candidates = helpOrder + globals.definedNames + Interpreter.keywords + extra
        return Suggestions.closest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}

extension Interpreter {
    /// What `:help NAME` shows, or nil when nothing is called that.
    public func helpText(_ name: String) -> String? { runtime.helpText(named: name) }

    /// ` (did you mean 'NAME'?)` for an unknown help topic (`extra`: more names, such as REPL commands).
    public func helpSuggestion(_ name: String, also extra: [String] = []) -> String {
        runtime.helpSuggestion(name, also: extra)
    }
}
