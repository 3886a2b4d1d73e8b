import DSLanguage

/// The `:help` overview: REPL commands, then every registered domain's functions under its title.
/// (One built-in's entry, a type's methods and a variable's help come from `HelpText` in DSLanguage,
/// which `help(x)` uses too.)
///
/// Everything is read from the registration tables (`REPLCommand.all`, `Interpreter.domains`), so
/// the overview always shows exactly what this build offers. A built-in registered outside any
/// domain is listed under "More".
enum HelpCatalog {
    /// The full overview text.
    static func overview(domains: [BuiltinDomain], entries: [Builtin], width: Int = 88) -> String {
        var text = "Commands:\n"
        let usageWidth = REPLCommand.all.map(\.usage.count).max() ?? 0
        for command in REPLCommand.all {
            text += "  " + pad(command.usage, usageWidth) + "  " + command.summary + "\n"
        }
        var globals = Set<String>()
        var methodTypes: [String: Int] = [:]
        for entry in entries {
            if let dot = entry.name.firstIndex(of: ".") {
                methodTypes[String(entry.name[..<dot]), default: 0] += 1
            } else {
                globals.insert(entry.name)
            }
        }
        var listed = Set<String>()
        for domain in domains {
            let names = domain.functions.map(\.name).filter { globals.contains($0) && listed.insert($0).inserted }
            if !names.isEmpty { text += "\n\(domain.title):\n" + wrap(names, width: width) }
        }
        let rest = globals.subtracting(listed).sorted()
        if !rest.isEmpty { text += "\nMore:\n" + wrap(rest, width: width) }
        if !methodTypes.isEmpty {
            let types = methodTypes.keys.sorted().map { "\($0) (\(methodTypes[$0] ?? 0))" }
            text += "\nMethods, by type (:help TYPE lists them):\n" + wrap(types, width: width)
        }
        text += "\n:help NAME shows a built-in's signature, summary and example (:help abs, :help tensor.sum).\n"
        return text
    }

    /// The REPL command `name` (with or without its colon) starts: `:help lo` and `:help :load` find `:load`.
    static func command(matching name: String) -> REPLCommand? {
        let stem = name.drop(while: { $0 == ":" })
        return REPLCommand.all.first { $0.name.hasPrefix(stem) }
    }

    static func wrap(_ words: [String], width: Int) -> String { HelpText.wrap(words, width: width) }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
