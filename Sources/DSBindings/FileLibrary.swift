import DSEngine
import DSLanguage
import Foundation
import OrderedCollections

/// `save` / `load` / `metadata` / `restore` (docs/builtins.md § Files, pictures and data): `.safetensors`
/// (a dict of tensors, a model's state dict, or a checkpoint dict, see `Checkpoint`) and `.npy` (one
/// tensor); `load` also reads IDX files (`load_idx`).
enum FileLibrary {
    static let table: [Builtin] = [
        Builtin("save(path, value, dtype = \"float32\", metadata = nil)",
                "writes a tensor (.npy) or a dict of tensors, a model or a checkpoint dict (.safetensors, float32/float16/bfloat16) atomically",
                example: "save(\"ckpt.safetensors\", {\"model\": net, \"optimizer\": opt, \"step\": 1200})") { a, c in
            let path = try a.string("path")
            let value = try a.value("value")
            let (dtype, format) = try safetensorsDtype(a)
            switch try kind(of: path, a) {
            case .npy:
                guard case .native(let t as TensorObject) = value else { throw a.typeError("value", expected: "tensor (for .npy)", got: value) }
                guard dtype == "float32", !a.has("metadata") else {
                    throw a.error("dtype", ".npy files are written as float32 without metadata")
                }
                try Npy.write(t.tensor, to: path)
            case .safetensors:
                var metadata = try userMetadata(a)
                let tensors: [(String, Tensor)]
                switch value {
                case .native(let model as ModelObject):
                    tensors = model.module.stateDict()
                case .native(let ema as EMAObject):
                    tensors = Array(zip(ema.names, ema.average.shadow))
                case .dict(let dict) where Checkpoint.isCheckpoint(dict):
                    let flat = try Checkpoint.flatten(dict, context: c)
                    tensors = flat.tensors
                    metadata[Checkpoint.marker] = flat.record
                case .dict(let dict):
                    tensors = dict.entries.map { key, v in
                        guard case .native(let t as TensorObject) = v else { return (key, Tensor(0)) }
                        return (key, t.tensor)
                    }
                default:
                    throw a.typeError("value", expected: "dict, model or ema (for .safetensors)", got: value)
                }
                try Safetensors.write(tensors, metadata: metadata, dtype: format, to: path)
            case .idx:
                throw a.error("path", "IDX files are read-only")
            case .torch:
                throw a.error("path", "PyTorch files are read-only here; save writes .safetensors, which torch reads with safetensors.torch.load_file")
            }
            return .null
        },
        Builtin("load(path)",
                "reads a .safetensors file (dict of tensors in file order; a checkpoint dict as saved), a .npy tensor, an IDX file, "
                    + "or a PyTorch file (.bin, .pt, .pth, .ckpt: weights only; any other Python object is refused by name)",
                example: "let ck = load(\"ckpt.safetensors\"); load_state(net, ck.model)") { a, _ in
            let path = try a.string("path")
            switch try kind(of: path, a) {
            case .npy:
                let array = try Npy.read(path: path)
                LoadedFiles.remember(array.tensor, dtype: array.descr)
                return .tensor(array.tensor)
            case .idx:
                return .tensor(try IDXFile.read(path: path))
            case .torch:
                return try TorchFiles.load(path)
            case .safetensors:
                let file = try Safetensors.read(path: path)
                let pairs = file.metadataOrder.map { ($0, file.metadata[$0] ?? "") }
                let dict: DictObject
                if let record = file.metadata[Checkpoint.marker] {
                    dict = try Checkpoint.unflatten(file.tensors, record: record)
                } else {
                    var entries = OrderedDictionary<String, Value>()
                    for (name, tensor, dtype) in file.tensors {
                        LoadedFiles.remember(tensor, dtype: dtype)
                        entries[name] = .tensor(tensor)
                    }
                    dict = DictObject(entries)
                }
                LoadedFiles.remember(dict, metadata: pairs)
                return .dict(dict)
            }
        },
        Builtin("load_idx(path) -> tensor", "reads an IDX file (MNIST's format; .gz too) as a tensor of its stored values",
                example: "let images = load_idx(\"train-images-idx3-ubyte.gz\") / 255") { a, _ in
            let path = try a.string("path")
            return .tensor(try IDXFile.read(path: path))
        },
        Builtin("metadata(file)", "the __metadata__ of a .safetensors file (a path or a dict load returned) as a dict: strings, with JSON objects and arrays decoded",
                example: "metadata(\"ckpt.safetensors\")") { a, _ in
            let v = try a.value("file")
            let pairs: [(String, String)]
            switch v {
            case .string(let path):
                let reader = try SafetensorsReader(path: path)
                pairs = reader.metadataOrder.map { ($0, reader.metadata[$0] ?? "") }
            case .dict(let dict):
                pairs = LoadedFiles.metadata(of: dict) ?? []
            default:
                throw a.typeError("file", expected: "path or loaded dict", got: v)
            }
            var entries = OrderedDictionary<String, Value>()
            for (k, s) in pairs { entries[k] = FileLibrary.decodedMetadata(s) }
            return .dict(DictObject(entries))
        },
        Builtin("restore(target, state)",
                "puts saved state back: a model's tensors, an optimizer's moments and step counts, an EMA's averages (from load)",
                example: "let ck = load(\"ckpt.safetensors\"); restore(net, ck.model); restore(opt, ck.optimizer)") { a, _ in
            let target = try a.value("target")
            let state = try a.dict("state")
            switch target {
            case .native(let model as ModelObject):
                try model.module.loadState(try NNLibrary.stateList(state, a), strict: true)
            case .native(let opt as OptimizerObject):
                try opt.optimizer.importState(try optimizerState(state, a))
                if case .number(let lr) = state.entries["lr"] ?? .null { opt.optimizer.lr = Float(lr) }
            case .native(let ema as EMAObject):
                let byName = Dictionary(try NNLibrary.stateList(state, a), uniquingKeysWith: { x, _ in x })
                let values = try ema.names.map { name in
                    guard let t = byName[name] else { throw a.error("state", "no average for '\(name)'") }
                    return t
                }
                let updates = LoadedFiles.metadata(of: state)?.first { $0.0 == "ema.updates" }.flatMap { Int($0.1) }
                try ema.average.importState(shadow: values, updates: updates)
            default:
                throw a.typeError("target", expected: "model, optimizer or ema", got: target)
            }
            return .null
        },
    ]

    enum Kind { case safetensors, npy, idx, torch }

    static func kind(of path: String, _ a: Arguments) throws -> Kind {
        let lower = path.lowercased()
        if lower.hasSuffix(".safetensors") { return .safetensors }
        if lower.hasSuffix(".npy") { return .npy }
        if lower.hasSuffix(".idx") || lower.hasSuffix("-ubyte") || lower.hasSuffix(".idx.gz") || lower.hasSuffix("-ubyte.gz") { return .idx }
        if TorchFiles.isTorch(path) { return .torch }
        let ext = (path as NSString).pathExtension
        throw a.error("path", "unknown file type '\(ext.isEmpty ? path : "." + ext)' (.safetensors, .npy, IDX or PyTorch .bin/.pt/.pth/.ckpt expected)")
    }

    /// The `dtype` argument of `save` and `save_pretrained`: the name given and the safetensors
    /// dtype it writes.
    static func safetensorsDtype(_ a: Arguments) throws -> (name: String, format: SafetensorsDtype) {
        let formats: [String: SafetensorsDtype] = ["float32": .f32, "float16": .f16, "bfloat16": .bf16]
        let name = try a.choice("dtype", ["float32", "float16", "bfloat16"])
        return (name, formats[name] ?? .f32)
    }

    static func userMetadata(_ a: Arguments) throws -> [String: String] {
        guard a.has("metadata") else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in try a.dict("metadata").entries {
            guard k != Checkpoint.marker else { throw a.error("metadata", "'\(k)' is reserved") }
            switch v {
            case .string(let s): out[k] = s
            case .number(let x): out[k] = formatNumber(x)
            case .bool(let b): out[k] = b ? "true" : "false"
            default: throw a.error("metadata", "entry '\(k)' is a \(v.typeName) (strings, numbers or booleans expected)")
            }
        }
        return out
    }

    /// An optimizer's state from the dict `load` made of it (see `Checkpoint`).
    static func optimizerState(_ dict: DictObject, _ a: Arguments) throws -> OptimizerState {
        guard case .string(let kind) = dict.entries["type"] ?? .null, case .number(let steps) = dict.entries["steps"] ?? .null,
              steps >= 0, steps < 1e15 else {
            throw a.error("state", "not an optimizer state (a dict with type and steps, as load returns)")
        }
        var paramSteps: [Int] = []
        if case .list(let list) = dict.entries["param_steps"] ?? .null {
            paramSteps = try list.items.map {
                guard case .number(let x) = $0, x >= 0, x < 1e15, x.rounded() == x else { throw a.error("state", "bad param_steps") }
                return Int(x)
            }
        }
        var buffers: [(name: String, tensors: [Tensor?])] = []
        let count = paramSteps.count
        for name in ["exp_avg", "exp_avg_sq", "momentum_buffer"] {
            guard case .dict(let inner) = dict.entries[name] ?? .null else { continue }
            var row = [Tensor?](repeating: nil, count: max(count, inner.entries.count))
            for (key, value) in inner.entries {
                guard let i = Int(key), i >= 0, i < row.count, case .native(let t as TensorObject) = value else {
                    throw a.error("state", "bad entry '\(name).\(key)'")
                }
                row[i] = t.tensor
            }
            buffers.append((name, row))
        }
        return OptimizerState(kind: kind, stepCount: Int(steps), buffers: buffers, paramSteps: paramSteps)
    }

    /// A metadata string as `metadata()` shows it: JSON objects and arrays (dscript's checkpoint
    /// record, diffusers' configs) decoded into dicts and lists, so they print readably; anything
    /// else (`"pt"`, plain text, JSON that does not parse) stays the string it is.
    static func decodedMetadata(_ text: String) -> Value {
        guard let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[",
              let json = try? StrictJSONParser.parse(Array(text.utf8)) else { return .string(text) }
        func value(_ json: JSONValue) -> Value {
            switch json {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .integer(let n): return .number(Double(n))
            case .number(let x): return .number(x)
            case .string(let s): return .string(s)
            case .array(let items): return .list(ListObject(items.map(value)))
            case .object(let entries):
                var dict = OrderedDictionary<String, Value>()
                for (k, v) in entries { dict[k] = value(v) }
                return .dict(DictObject(dict))
            }
        }
        return value(json)
    }
}
