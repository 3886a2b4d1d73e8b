import Foundation

/// A weights-only pickle reader: the pickle opcodes of protocols 0–5 that build plain data (numbers,
/// strings, bytes, lists, tuples, dicts, sets) and the few callables a PyTorch state dict needs
/// (`WeightsPickle.allowed`). Any other global is refused by name before anything is built, as
/// `torch.load(weights_only=True)` does; nothing in the file is ever run. Persistent ids (torch's
/// storages) are handed to `persistentLoad`.
struct WeightsPickle {
    /// The globals a state dict uses: `OrderedDict`, torch's tensor and parameter rebuilders and the
    /// typed storage classes named in persistent ids.
    static let allowed: Set<String> = Set([
        "collections.OrderedDict", "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.Size",
        "torch._tensor._rebuild_from_type_v2", "torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter",
    ]).union(TorchStorage.classes.keys.map { "torch.\($0)" })

    /// torch's globals for tensors that torch.load(weights_only=True) reads but dscript does not, and
    /// what they build (refused with that name instead of as code that would have to run).
    static let unreadTensors: [String: String] = [
        "torch._utils._rebuild_tensor_v3": "float8 or unsigned 16- to 64-bit tensors",
        "torch.UntypedStorage": "float8 or unsigned 16- to 64-bit tensors",
        "torch._utils._rebuild_sparse_tensor": "sparse tensors", "torch._utils._rebuild_qtensor": "quantized tensors",
        "torch.QUInt8Storage": "quantized tensors", "torch.QInt8Storage": "quantized tensors", "torch.QInt32Storage": "quantized tensors",
        "torch.ComplexFloatStorage": "complex tensors", "torch.ComplexDoubleStorage": "complex tensors",
        "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors (shapes without data)",
        "torch._utils._rebuild_nested_tensor": "nested tensors", "torch._utils._rebuild_wrapper_subclass": "tensor subclasses",
    ]

    /// The deepest nesting of lists, tuples and dicts converted (deeper data, or a cycle, is refused).
    static let maxDepth = 200
    /// The most memo entries and stack items kept (each costs at least one byte of input anyway).
    static let maxItems = 50_000_000

    /// A Python object while the pickle is read. Containers are references, as in Python, so that
    /// APPEND and SETITEM reach every copy taken from the memo.
    indirect enum Object {
        case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8])
        case list(Box), tuple([Object]), dict(DictBox), set(Box)
        case global(String)
        case storage(TorchStorage)
        case tensor(TorchTensorView)
        case mark
    }

    final class Box { var items: [Object] = []; init(_ items: [Object] = []) { self.items = items } }

    /// A dict keeping insertion order; string and integer keys are found by hash, others appended.
    final class DictBox {
        var items: [(Object, Object)] = []
        var index: [String: Int] = [:]

        func set(_ key: Object, _ value: Object) {
            let hashKey: String?
            switch key {
            case .string(let s): hashKey = "s" + s
            case .int(let i): hashKey = "i\(i)"
            default: hashKey = nil
            }
            if let hashKey, let i = index[hashKey] { items[i].1 = value; return }
            if let hashKey { index[hashKey] = items.count }
            items.append((key, value))
        }
    }

    let data: UnsafeRawBufferPointer
    var position = 0
    var stack: [Object] = []
    var marks: [Int] = []
    var memo: [Int: Object] = [:]
    let persistentLoad: (Object) throws -> Object

    init(_ data: UnsafeRawBufferPointer, persistentLoad: @escaping (Object) throws -> Object) {
        self.data = data
        self.persistentLoad = persistentLoad
    }

    /// Reads one pickle (up to STOP) from `position`, leaving `position` after it.
    mutating func load() throws -> Object {
        stack.removeAll()
        marks.removeAll()
        memo.removeAll()
        while true {
            let op = try byte()
            if op == 0x2E { return try pop() }   // STOP
            try step(op)
            guard stack.count + memo.count <= WeightsPickle.maxItems else { throw FormatError("pickle: too many objects") }
        }
    }

    // MARK: Reading bytes

    mutating func byte() throws -> UInt8 {
        guard position < data.count else { throw FormatError("pickle: truncated (no STOP opcode)") }
        defer { position += 1 }
        return data[position]
    }

    mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= data.count - position else {
            throw FormatError("pickle: truncated (\(count) bytes wanted at offset \(position), \(data.count - position) left)")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: data[position..<(position + count)])
    }

    mutating func uint(_ count: Int) throws -> UInt64 {
        try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    mutating func length(_ count: Int) throws -> Int {
        let n = try uint(count)
        guard n <= UInt64(data.count - position) else { throw FormatError("pickle: a length of \(n) runs past the end of the data") }
        return Int(n)
    }

    mutating func line() throws -> String {
        guard let end = data[position...].firstIndex(of: 0x0A) else { throw FormatError("pickle: truncated text argument") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: data[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    // MARK: The stack

    mutating func push(_ o: Object) { stack.append(o) }

    mutating func pop() throws -> Object {
        guard let top = stack.popLast() else { throw FormatError("pickle: stack underflow") }
        if case .mark = top { throw FormatError("pickle: unexpected MARK") }
        return top
    }

    /// The items above the topmost mark, removing them and the mark.
    mutating func popMark() throws -> [Object] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw FormatError("pickle: no MARK") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    mutating func top() throws -> Object {
        guard let top = stack.last else { throw FormatError("pickle: stack underflow") }
        return top
    }

    /// LONG1 / LONG4's little-endian two's-complement integer. Python's integers have no limit (a
    /// 64-bit seed takes 9 bytes): past 64 bits it is the nearest Double, as dscript's numbers are.
    static func long(_ bytes: UnsafeRawBufferPointer) -> Object {
        if bytes.count <= 8, let i = try? signedInteger(bytes) { return .int(i) }
        let negative = (bytes.last ?? 0) & 0x80 != 0
        // The magnitude of a negative number is its complement plus one.
        let magnitude = bytes.reversed().reduce(0.0) { $0 * 256 + Double(negative ? ~$1 : $1) }
        return .float(negative ? -(magnitude + 1) : magnitude)
    }

    static func signedInteger(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard bytes.count <= 8 else { throw FormatError("pickle: an integer of \(bytes.count) bytes is too large") }
        guard let last = bytes.last else { return 0 }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
        for b in bytes.reversed() { value = value << 8 | UInt64(b) }
        return Int(Int64(bitPattern: value))
    }
}
