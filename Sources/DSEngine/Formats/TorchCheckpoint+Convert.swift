/// The allowed callables, and turning the pickle's objects into `TorchValue`s with their tensors.
extension WeightsPickle {
    /// Applies an allowed global to its arguments (REDUCE, NEWOBJ). Only the rebuild functions and
    /// `OrderedDict` are callable; they build data, never run anything from the file.
    func call(_ callable: Object, _ args: [Object]) throws -> Object {
        guard case .global(let name) = callable else { throw FormatError("pickle: REDUCE on something not callable") }
        switch name {
        case "collections.OrderedDict":
            guard let first = args.first else { return .dict(DictBox()) }
            guard args.count == 1, case .list(let items) = first else { throw FormatError("pickle: OrderedDict(...) with odd arguments") }
            let box = DictBox()
            for item in items.items {
                guard case .tuple(let pair) = item, pair.count == 2 else { throw FormatError("pickle: OrderedDict item is not a pair") }
                box.set(pair[0], pair[1])
            }
            return .dict(box)
        case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2":
            guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1] else {
                throw FormatError("pickle: \(name) needs (storage, offset, size, stride, ...)")
            }
            return .tensor(try view(storage, offset: offset, shape: ints(args[2], name), strides: ints(args[3], name)))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let data = args.first, case .tensor = data else { throw FormatError("pickle: \(name) needs a tensor") }
            return data
        case "torch.Size":
            guard args.count == 1, case .tuple(let dims) = args[0] else { throw FormatError("pickle: torch.Size needs a tuple") }
            return .tuple(dims)
        case "torch._tensor._rebuild_from_type_v2":
            guard args.count >= 3, case .tuple(let inner) = args[2] else {
                throw FormatError("pickle: _rebuild_from_type_v2 needs (function, type, args, state)")
            }
            guard case .global(let type) = args[1], ["torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter"].contains(type) else {
                throw FormatError("pickle: _rebuild_from_type_v2 of a tensor subclass is refused")
            }
            return try call(args[0], inner)
        default:
            throw FormatError("pickle: '\(name)' cannot be called")
        }
    }

    func ints(_ o: Object, _ name: String) throws -> [Int] {
        guard case .tuple(let items) = o else { throw FormatError("pickle: \(name): size and stride must be tuples") }
        return try items.map {
            guard case .int(let i) = $0, i >= 0 else { throw FormatError("pickle: \(name): sizes and strides must be integers ≥ 0") }
            return i
        }
    }

    /// A strided view, checked to lie inside its storage.
    func view(_ storage: TorchStorage, offset: Int, shape: [Int], strides: [Int]) throws -> TorchTensorView {
        guard shape.count == strides.count, shape.count <= 32 else { throw FormatError("pickle: tensor size and stride differ in length") }
        guard offset >= 0 else { throw FormatError("pickle: negative storage offset") }
        if !shape.contains(0) {
            var last = offset
            for (size, stride) in zip(shape, strides) {
                let (product, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, overflow2) = last.addingReportingOverflow(product)
                guard !overflow, !overflow2 else { throw FormatError("pickle: tensor view overflows") }
                last = sum
            }
            guard last < storage.count else {
                throw FormatError("tensor of shape \(shape) (offset \(offset), strides \(strides)) reaches past its storage '\(storage.key)' of \(storage.count) elements")
            }
        }
        return TorchTensorView(storage: storage, offset: offset, shape: shape, strides: strides)
    }
}

extension TorchCheckpoint {
    /// The pickle's result as a `TorchValue`, tensors materialised; refuses nesting deeper than
    /// `WeightsPickle.maxDepth` (which also ends a cycle made through the memo), and a result of more
    /// values than the pickle has bytes: each reference costs at least one opcode, so only shared
    /// containers nested inside each other (x = [x, x], forty times over) expand past that.
    static func convert(_ o: WeightsPickle.Object, pickleSize: Int) throws -> TorchValue {
        var left = pickleSize
        return try convert(o, left: &left, depth: 0)
    }

    static func convert(_ o: WeightsPickle.Object, left: inout Int, depth: Int) throws -> TorchValue {
        guard depth <= WeightsPickle.maxDepth else {
            throw FormatError("pickle: data nested more than \(WeightsPickle.maxDepth) deep (or a cycle)")
        }
        left -= 1
        guard left >= 0 else {
            throw FormatError("pickle: the data expands to more values than the file has bytes (shared values nested inside each other)")
        }
        switch o {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let x): return .float(x)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .list(let box), .set(let box): return .list(try box.items.map { try convert($0, left: &left, depth: depth + 1) })
        case .tuple(let items): return .list(try items.map { try convert($0, left: &left, depth: depth + 1) })
        case .dict(let box):
            return .dict(try box.items.map {
                (key: try convert($0.0, left: &left, depth: depth + 1), value: try convert($0.1, left: &left, depth: depth + 1))
            })
        case .tensor(let view): return .tensor(try tensor(view), dtype: view.storage.dtype)
        case .global(let name): throw FormatError("pickle: the result holds the callable '\(name)'")
        case .storage(let s): throw FormatError("pickle: the result holds a bare storage '\(s.key)'")
        case .mark: throw FormatError("pickle: the result holds a MARK")
        }
    }

    /// The values of a view as a Float32 tensor (row-major).
    static func tensor(_ view: TorchTensorView) throws -> Tensor {
        let storage = view.storage
        guard let bytes = storage.bytes else { throw FormatError("storage '\(storage.key)' has no data") }
        guard bytes.count >= storage.count * storage.dtype.itemSize else {
            throw FormatError("storage '\(storage.key)' holds \(bytes.count) bytes, fewer than its \(storage.count) elements need")
        }
        let count = try FormatError.checkedCount(view.shape)
        if count == 0 { return Tensor(shape: view.shape, scalars: []) }
        // The elements from the first to the last the view reaches, converted once.
        let span = zip(view.shape, view.strides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        try FormatError.reserve(count + span, for: "a tensor of shape \(view.shape) from storage '\(storage.key)'")
        let size = storage.dtype.itemSize
        let window = UnsafeRawBufferPointer(rebasing: bytes[(view.offset * size)..<((view.offset + span) * size)])
        let values = storage.dtype.decode(window, count: span)
        var contiguous = true, expected = 1
        for (dim, stride) in zip(view.shape, view.strides).reversed() where dim > 1 {
            if stride != expected { contiguous = false }
            expected *= dim
        }
        if contiguous && span == count { return Tensor(shape: view.shape, scalars: values) }
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: view.shape.count)
        for k in 0..<count {
            var at = 0
            for d in index.indices { at += index[d] * view.strides[d] }
            out[k] = values[at]
            var d = index.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < view.shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(shape: view.shape, scalars: out)
    }

    /// The tensors of a state dict, by their dotted names: a dict of tensors as is, nested dicts
    /// joined with dots (`state_dict.model.0.weight`); other values are left out.
    public static func tensors(in value: TorchValue, prefix: String = "") -> [(name: String, tensor: Tensor, dtype: SafetensorsDtype)] {
        guard case .dict(let items) = value else { return [] }
        var out: [(name: String, tensor: Tensor, dtype: SafetensorsDtype)] = []
        for (key, item) in items {
            let name: String
            switch key {
            case .string(let s): name = prefix + s
            case .int(let i): name = prefix + String(i)
            default: continue
            }
            switch item {
            case .tensor(let t, let dtype): out.append((name, t, dtype))
            case .dict: out += tensors(in: item, prefix: name + ".")
            default: continue
            }
        }
        return out
    }
}
