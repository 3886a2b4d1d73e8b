/// The language-level built-ins: printing, conversion, formatting, types, length, ranges,
/// assertions, errors, exit and help.
enum CoreEssentials {
    static let table: [Builtin] = [
        Builtin("print(...values)", "writes the values separated by spaces, then a newline",
                example: "print(\"loss\", 0.25)   # loss 0.25") { args, context in
            var line = ""
            for (i, v) in args.positional.enumerated() {
                if i > 0 { line += " " }
                line += context.describe(v, repr: false)
            }
            context.write(line + "\n")
            return .null
        },
        Builtin("str(value)", "the value as text, as print shows it", example: "str(1.5) + \"x\"   # \"1.5x\"") { args, context in
            .string(context.describe(try args.value("value"), repr: false))
        },
        Builtin("repr(value)", "the value as the REPL shows it (strings quoted)", example: "repr(\"a\")   # \"\\\"a\\\"\"") { args, context in
            .string(context.describe(args.optional("value") ?? .null, repr: true))
        },
        Builtin("type(value)", "the type name of a value", example: "type([1, 2])   # \"list\"") { args, _ in
            .string((args.optional("value") ?? .null).typeName)
        },
        Builtin("format(value, spec)", "value formatted by a Python-style spec: \".4f\", \".3e\", \"g\", \"d\", \"+,.2f\", \">8\", \"^10\", \"%\"",
                example: "format(pi, \".3f\")   # \"3.142\"") { args, context in
            try formatValue(try args.value("value"), spec: try args.string("spec"), context: context)
        },
        Builtin("len(x)", "number of elements of a list, dict, string, range or tensor",
                example: "len([1, 2, 3])   # 3") { args, _ in
            let v = try args.value("x")
            switch v {
            case .string(let s): return .number(Double(s.count))
            case .list(let l): return .number(Double(l.items.count))
            case .dict(let d): return .number(Double(d.entries.count))
            case .range(let r):
                guard let n = r.exactCount else { throw args.error("x", "the range has more than 2^53 elements, too many to count exactly") }
                return .number(Double(n))
            case .native(let object):
                if let n = object.length { return .number(Double(n)) }
                throw args.typeError("x", expected: "value with a length", got: v)
            default:
                throw args.typeError("x", expected: "value with a length", got: v)
            }
        },
        Builtin("range(a, b, step = 1)", "the numbers from a (default 0) up to b (excluded), counting by step",
                example: "list(range(1, 10, 3))   # [1, 4, 7]") { args, _ in
            var start = 0.0, end: Double
            if args.count <= 1 {
                end = try args.number(0, "b")  // range(b): the one positional argument is b
            } else {
                start = try args.number("a")
                end = try args.number("b")
            }
            let step = try args.number("step")
            guard start.isFinite, end.isFinite, step.isFinite else {
                throw ScriptError("range() arguments must be finite numbers")
            }
            guard step != 0 else { throw args.error("step", "step must not be zero") }
            return .range(RangeObject(start: start, end: end, step: step))
        },
        Builtin("assert(condition, message)", "raises an error when the condition is false or nil",
                example: "assert(len(xs) == 3, \"three points\")") { args, context in
            let condition = args.positional.first ?? .null
            if try !condition.isTruthy() {
                if let message = args.optional("message") {
                    throw ScriptError("assertion failed: \(context.describe(message, repr: false))")
                }
                throw ScriptError("assertion failed")
            }
            return .null
        },
        Builtin("error(message)", "raises an error with the message (try/catch catches it)",
                example: "error(\"bad shape\")") { args, context in
            throw ScriptError(context.describe(args.optional("message") ?? .string("error"), repr: false))
        },
        Builtin("exit(code = 0)", "stops the program with an exit status", example: "exit(1)") { args, _ in
            let code = try args.int("code")
            // The OS keeps only the low 8 bits: `exit(256)` would report success.
            guard (0...255).contains(code) else {
                throw args.error("code", "exit status must be 0 to 255, got \(code)")
            }
            throw ScriptError("exit", kind: .exit(Int32(truncatingIfNeeded: code)))
        },
        Builtin("help(name)", "prints the help of a built-in, type, variable or value (help(\"tensor\"), help(s), help(s.q_sample)); help() lists them",
                example: "help(\"abs\")") { args, context in
            guard let runtime = context as? Runtime else { return .null }
            context.write(runtime.helpText(args.optional("name")))
            return .null
        },
    ]
}

extension Runtime {
    /// The text `help(x)` prints.
    func helpText(_ subject: Value?) -> String {
        guard let subject else {
            var out = "Built-in functions (help(\"name\") for one of them):\n"
            var line = " "
            for name in helpOrder where !name.contains(".") {
                if line.count + name.count + 1 > 78 {
                    out += line + "\n"
                    line = " "
                }
                line += " " + name
            }
            out += line + "\n"
            out += "Keywords: \(Interpreter.keywords.joined(separator: " "))\n"
            return out
        }
        switch subject {
        case .string(let name):
            return helpText(named: name) ?? "no help for '\(name)'" + helpSuggestion(name, also: []) + "\n"
        default:
            return helpText(of: subject, named: nil)
        }
    }
}

/// `format(value, spec)`: the same format specifications as string interpolation.
private func formatValue(_ value: Value, spec text: String, context: CallContext) throws -> Value {
    guard let spec = FormatSpec(parsing: text) else { throw ScriptError("invalid format spec \"\(text)\"") }
    return .string(try spec.apply(to: value, context: context))
}
