import DSEngine
import DSLanguage
import DSRender
import OrderedCollections

/// `stats(x)` and `diff(a, b)` (docs/builtins.md § Files, pictures and data): tables of tensor statistics,
/// printed (in a notebook, shown as HTML tables too).
enum StatsLibrary {
    static let table: [Builtin] = [
        Builtin("stats(x)",
                "prints name, shape, dtype, mean, std, min, max, norm and NaN/Inf count of a tensor, a dict of tensors, a checkpoint or a model",
                example: "stats(load(\"ckpt.safetensors\"))") { a, c in
            let rows = try named(a, "x").map { name, t in
                StatsRow(name: name, shape: t.shape, dtype: LoadedFiles.dtype(of: t) ?? "F32", values: t.scalars)
            }
            RichDisplay.table(StatsTable.table(rows), context: c)
            return .null
        },
        Builtin("diff(a, b)",
                "prints max |a−b| and its size relative to max |a| per shared tensor (both shapes where they differ), and the names only in one side",
                example: "diff(net.state_dict(), avg.state_dict())") { a, c in
            let left = try named(a, "a")
            let right = try named(a, "b")
            let rightByName = Dictionary(right, uniquingKeysWith: { x, _ in x })
            let leftNames = Set(left.map(\.0))
            let rows = left.compactMap { name, x in rightByName[name].map { DiffRow.compare(name, x, $0) } }
            RichDisplay.table(StatsTable.diffTable(rows, onlyA: left.map(\.0).filter { rightByName[$0] == nil },
                                                   onlyB: right.map(\.0).filter { !leftNames.contains($0) }), context: c)
            return .null
        },
    ]

    /// The named tensors of argument `argument`: a tensor, a (nested) dict, a model or an EMA, in order.
    static func named(_ a: Arguments, _ argument: String) throws -> [(String, Tensor)] {
        try named(try a.value(argument), a, argument: argument)
    }

    static func named(_ value: Value, _ a: Arguments, argument: String, prefix: String = "") throws -> [(String, Tensor)] {
        switch value {
        case .native(let t as TensorObject): return [(prefix.isEmpty ? "tensor" : prefix, t.tensor)]
        case .native(let m as ModelObject):
            return m.module.namedParameters().map { (prefix.isEmpty ? $0.0 : prefix + "." + $0.0, $0.1) }
        case .native(let e as EMAObject):
            return zip(e.names, e.average.shadow).map { (prefix.isEmpty ? $0.0 : prefix + "." + $0.0, $0.1) }
        case .dict(let d):
            var out: [(String, Tensor)] = []
            for (k, v) in d.entries {
                let name = prefix.isEmpty ? k : prefix + "." + k
                switch v {
                case .native(let t as TensorObject): out.append((name, t.tensor))
                case .dict, .native(is ModelObject), .native(is EMAObject):
                    out += try named(v, a, argument: argument, prefix: name)
                default: continue
                }
            }
            return out
        default:
            throw a.typeError(argument, expected: "tensor, dict, model or ema", got: value)
        }
    }
}
