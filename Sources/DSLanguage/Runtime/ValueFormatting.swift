import DSLimits

/// How values print: `str` form (`print`, interpolation) and `repr` form (REPL echo, inside lists).
extension Runtime {
    func format(_ v: Value, repr: Bool) -> String {
        var out = ""
        append(v, repr: repr, depth: 0, to: &out)
        return out
    }

    func append(_ v: Value, repr: Bool, depth: Int, to out: inout String) {
        switch v {
        case .null: out += "nil"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += formatNumber(x)
        case .string(let s): out += repr ? quoted(s) : s
        case .list(let list):
            if depth > 32 { out += "[...]"; return }
            out += "["
            for (i, item) in list.items.enumerated() {
                if i > 0 { out += ", " }
                if case .list(let inner) = item, inner === list { out += "[...]"; continue }
                append(item, repr: true, depth: depth + 1, to: &out)
            }
            out += "]"
        case .dict(let dict):
            if depth > 32 { out += "{...}"; return }
            out += "{"
            var first = true
            for (key, item) in dict.entries {
                if !first { out += ", " }
                first = false
                out += quoted(key)
                out += ": "
                if case .dict(let inner) = item, inner === dict { out += "{...}"; continue }
                append(item, repr: true, depth: depth + 1, to: &out)
            }
            out += "}"
        case .range(let r):
            if r.step != 1 {
                out += "range(\(formatNumber(r.start)), \(formatNumber(r.end)), \(formatNumber(r.step)))"
            } else {
                out += "\(formatNumber(r.start))\(r.inclusive ? "..." : "..<")\(formatNumber(r.end))"
            }
        case .function(let f): out += "<fn \(f.name)>"
        case .builtin(let b): out += "<fn \(b.name)>"
        case .native(let object): out += object.describe(repr: repr)
        }
    }
}

/// A string in double quotes with the escapes the lexer reads.
func quoted(_ s: String) -> String {
    "\"" + EscapedText.escape(s, EscapedText.dscript) + "\""
}
