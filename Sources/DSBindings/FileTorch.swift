import DSEngine
import DSLanguage
import OrderedCollections

/// `load` of PyTorch files (`.bin`, `.pt`, `.pth`, `.ckpt`): `TorchCheckpoint`'s weights-only reading,
/// its values as script values (dicts with string keys, lists, numbers, strings, tensors).
enum TorchFiles {
    static let extensions = [".bin", ".pt", ".pth", ".ckpt"]

    static func isTorch(_ path: String) -> Bool {
        let lower = path.lowercased()
        return extensions.contains { lower.hasSuffix($0) }
    }

    static func load(_ path: String) throws -> Value { value(try TorchCheckpoint.read(path: path)) }

    static func value(_ v: TorchValue) -> Value {
        switch v {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .float(let x): return .number(x)
        case .string(let s): return .string(s)
        case .bytes(let b): return .list(ListObject(b.map { .number(Double($0)) }))
        case .list(let items): return .list(ListObject(items.map(value)))
        case .tensor(let t, let dtype):
            LoadedFiles.remember(t, dtype: dtype.rawValue)
            return .tensor(t)
        case .dict(let items):
            var entries = OrderedDictionary<String, Value>()
            for (key, item) in items { entries[keyText(key)] = value(item) }
            return .dict(DictObject(entries))
        }
    }

    /// Dict keys as strings: strings as they are, numbers and booleans as printed, others by kind.
    static func keyText(_ key: TorchValue) -> String {
        switch key {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let x): return formatNumber(x)
        case .bool(let b): return b ? "true" : "false"
        case .none: return "nil"
        default: return "<\(key)>"
        }
    }
}
