import DSEngine
import DSLanguage
import Foundation
import OrderedCollections

/// The checkpoint convention of `save` / `load` for `.safetensors` files.
///
/// A dict whose values are all tensors is written as is (a plain state dict). Any other dict is a
/// *checkpoint*, flattened with dotted prefixes:
/// - a tensor at key `k` → tensor `k`; a nested dict or a model at `k` → its tensors as `k.NAME`;
/// - an optimizer at `k` → `k.exp_avg.I` / `k.exp_avg_sq.I` (Adam) or `k.momentum_buffer.I` (SGD),
///   I the parameter's position, its kind, lr and step counts in the record below;
/// - an EMA at `k` → its averages as `k.NAME` (as `ema.state_dict()`), its update count recorded;
/// - numbers, strings, booleans, nil and lists of them → the record below.
/// The record is one `__metadata__` entry, `dscript.checkpoint`, JSON text:
/// `{"version":1,"order":[paths],"groups":{path:{"kind":"dict"|"model"|"ema"|"optimizer",...}},"values":{path:json}}`.
/// `load` rebuilds the nested dict (keys in the saved order); an optimizer comes back as a dict
/// (`type`, `steps`, `lr`, `param_steps`, buffers by position) that `restore(opt, state)` reads.
/// Keys holding anything but a tensor may not contain a dot. All tensors share the `dtype` of `save`:
/// keep float32 for a checkpoint meant to resume bit for bit (moments lose bits in float16).
enum Checkpoint {
    static let marker = "dscript.checkpoint"

    struct Flat {
        var tensors: [(String, Tensor)] = []
        var order: [String] = []
        var groups: [(String, String)] = []
        var values: [(String, String)] = []
    }

    /// True when `dict` must be written as a checkpoint rather than a plain state dict.
    static func isCheckpoint(_ dict: DictObject) -> Bool {
        dict.entries.values.contains { if case .native(is TensorObject) = $0 { return false } else { return true } }
    }

    /// Flattens a checkpoint dict into tensors and the JSON record.
    static func flatten(_ dict: DictObject, context: CallContext) throws -> (tensors: [(String, Tensor)], record: String) {
        var flat = Flat()
        try walk(dict, prefix: "", into: &flat, context: context)
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        let record = "{\"version\":1,\"order\":[" + flat.order.map(JSONText.string).joined(separator: ",") + "],\"groups\":"
            + object(flat.groups) + ",\"values\":" + object(flat.values) + "}"
        return (flat.tensors, record)
    }

    private static func walk(_ dict: DictObject, prefix: String, into flat: inout Flat, context: CallContext) throws {
        for (key, value) in dict.entries {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if case .native(let t as TensorObject) = value {
                flat.order.append(path)
                flat.tensors.append((path, t.tensor.detach()))
                continue
            }
            guard !key.contains("."), !key.isEmpty else {
                throw ScriptError("checkpoint key '\(path)' holds a \(value.typeName); such keys may not be empty or contain a dot")
            }
            flat.order.append(path)
            switch value {
            case .dict(let inner):
                flat.groups.append((path, "{\"kind\":\"dict\"}"))
                try walk(inner, prefix: path, into: &flat, context: context)
            case .native(let model as ModelObject):
                flat.groups.append((path, "{\"kind\":\"model\"}"))
                for (name, t) in model.module.stateDict() { flat.tensors.append((path + "." + name, t.detach())) }
            case .native(let ema as EMAObject):
                flat.groups.append((path, "{\"kind\":\"ema\",\"updates\":\(ema.average.updates),\"decay\":\(JSONText.number(Double(ema.average.decay)))}"))
                for (name, t) in zip(ema.names, ema.average.shadow) { flat.tensors.append((path + "." + name, t.detach())) }
            case .native(let opt as OptimizerObject):
                let state = opt.optimizer.exportState()
                flat.groups.append((path, "{\"kind\":\"optimizer\",\"type\":" + JSONText.string(state.kind)
                    + ",\"steps\":\(state.stepCount),\"lr\":" + JSONText.number(Double(opt.optimizer.lr))
                    + ",\"param_steps\":[" + state.paramSteps.map(String.init).joined(separator: ",") + "]}"))
                for (name, tensors) in state.buffers {
                    for (i, t) in tensors.enumerated() { if let t { flat.tensors.append(("\(path).\(name).\(i)", t)) } }
                }
            default:
                flat.values.append((path, try JSONText.encode(value, path: path)))
            }
        }
    }

    /// Rebuilds the nested dict of a checkpoint from its tensors (file order) and record.
    static func unflatten(_ tensors: [(name: String, tensor: Tensor, dtype: String)], record: String) throws -> DictObject {
        guard let data = record.data(using: .utf8),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let groups = json["groups"] as? [String: Any] else {
            throw ScriptError("malformed \(marker) record in the file's metadata")
        }
        let order = json["order"] as? [String] ?? []
        let values = json["values"] as? [String: Any] ?? [:]
        let root = DictObject()
        var containers: [String: DictObject] = ["": root]
        func parent(of path: String) -> (DictObject, String) {
            guard let dot = path.lastIndex(of: ".") else { return (root, path) }
            let head = String(path[..<dot])
            return (containers[head] ?? root, String(path[path.index(after: dot)...]))
        }
        // Placeholders in the saved order, so keys come back in the order they were given.
        for path in order {
            let (dict, key) = parent(of: path)
            if let group = groups[path] as? [String: Any] {
                let inner = DictObject()
                if group["kind"] as? String == "optimizer" {
                    inner.entries["type"] = .string(group["type"] as? String ?? "optimizer")
                    inner.entries["steps"] = JSONText.value(group["steps"] ?? NSNull())
                    inner.entries["lr"] = JSONText.value(group["lr"] ?? NSNull())
                    inner.entries["param_steps"] = JSONText.value(group["param_steps"] ?? [Any]())
                }
                if group["kind"] as? String == "ema", let updates = group["updates"] as? NSNumber {
                    LoadedFiles.remember(inner, metadata: [("ema.updates", "\(updates.intValue)")])
                }
                dict.entries[key] = .dict(inner)
                containers[path] = inner
            } else if let v = values[path] {
                dict.entries[key] = JSONText.value(v)
            } else {
                dict.entries[key] = .null
            }
        }
        /// The longest group path that `name` lies inside (`a.b` for `a.b.w`): one look-up per dot,
        /// so that a checkpoint of many groups loads in linear time.
        func group(of name: String) -> String? {
            var end = name.endIndex
            while let dot = name[..<end].lastIndex(of: ".") {
                let prefix = String(name[..<dot])
                if groups[prefix] != nil { return prefix }
                end = dot
            }
            return nil
        }
        for (name, tensor, dtype) in tensors {
            LoadedFiles.remember(tensor, dtype: dtype)
            guard let group = group(of: name), let dict = containers[group] else {
                root.entries[name] = .tensor(tensor)
                continue
            }
            let rest = String(name.dropFirst(group.count + 1))
            if (groups[group] as? [String: Any])?["kind"] as? String == "optimizer", let dot = rest.firstIndex(of: ".") {
                let buffer = String(rest[..<dot]), index = String(rest[rest.index(after: dot)...])
                let inner: DictObject
                if case .dict(let d) = dict.entries[buffer] ?? .null { inner = d } else {
                    inner = DictObject(); dict.entries[buffer] = .dict(inner)
                }
                inner.entries[index] = .tensor(tensor)
            } else {
                dict.entries[rest] = .tensor(tensor)
            }
        }
        return root
    }
}

/// JSON text for the scalar values of a checkpoint, and back.
enum JSONText {
    static func string(_ s: String) -> String { jsonQuoted(s) }

    static func number(_ x: Double) -> String {
        if x.rounded() == x, abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    static func encode(_ value: Value, path: String) throws -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return string(s)
        case .number(let x):
            guard x.isFinite else { throw ScriptError("checkpoint value '\(path)' is \(formatNumber(x)); only finite numbers can be saved") }
            return number(x)
        case .list(let list): return "[" + (try list.items.map { try encode($0, path: path) }).joined(separator: ",") + "]"
        default:
            throw ScriptError("checkpoint value '\(path)' is a \(value.typeName); tensors, dicts, models, optimizers, EMAs, numbers, strings, booleans, nil and lists can be saved")
        }
    }

    static func value(_ any: Any) -> Value {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let list as [Any]: return .list(ListObject(list.map(value)))
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        case let b as Bool: return .bool(b)
        default: return .null
        }
    }
}

/// File dtypes of loaded tensors and metadata of loaded dicts, for `stats` and `metadata`.
enum LoadedFiles {
    private final class Weak<T: AnyObject> { weak var object: T?; init(_ o: T) { object = o } }

    /// Information kept beside objects while they live. Entries of freed objects are pruned when the
    /// table has doubled since the last pruning, so remembering costs O(1) amortised (pruning at a
    /// fixed size made `load` of 100,000 tensors quadratic: 44 s for 30,000).
    private struct WeakTable<Object: AnyObject, Info> {
        private var entries: [ObjectIdentifier: (Weak<Object>, Info)] = [:]
        private let minimumPrune: Int
        private var pruneAt: Int

        init(pruneAt: Int) { minimumPrune = pruneAt; self.pruneAt = pruneAt }

        mutating func set(_ object: Object, _ info: Info) {
            if entries.count >= pruneAt {
                entries = entries.filter { $0.value.0.object != nil }
                pruneAt = Swift.max(minimumPrune, 2 * entries.count)
            }
            entries[ObjectIdentifier(object)] = (Weak(object), info)
        }

        func get(_ object: Object) -> Info? {
            guard let (box, info) = entries[ObjectIdentifier(object)], box.object === object else { return nil }
            return info
        }
    }

    nonisolated(unsafe) private static var dtypes = WeakTable<Tensor, String>(pruneAt: 4096)
    nonisolated(unsafe) private static var metadata = WeakTable<DictObject, [(String, String)]>(pruneAt: 256)
    private static let lock = NSLock()

    static func remember(_ tensor: Tensor, dtype: String) {
        lock.lock(); defer { lock.unlock() }
        dtypes.set(tensor, dtype)
    }

    static func dtype(of tensor: Tensor) -> String? {
        lock.lock(); defer { lock.unlock() }
        return dtypes.get(tensor)
    }

    static func remember(_ dict: DictObject, metadata pairs: [(String, String)]) {
        lock.lock(); defer { lock.unlock() }
        metadata.set(dict, pairs)
    }

    static func metadata(of dict: DictObject) -> [(String, String)]? {
        lock.lock(); defer { lock.unlock() }
        return metadata.get(dict)
    }
}
