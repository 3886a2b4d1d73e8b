/// What a PyTorch checkpoint holds once read: plain data and tensors (tuples and sets read as lists).
public indirect enum TorchValue {
    case none, bool(Bool), int(Int), float(Double), string(String), bytes([UInt8])
    case list([TorchValue])
    case dict([(key: TorchValue, value: TorchValue)])
    /// A tensor converted to Float32, with the dtype it had in the file.
    case tensor(Tensor, dtype: SafetensorsDtype)
}

/// A typed storage named in a persistent id (`torch.FloatStorage`, …): its element type, its key in
/// the file and its length; the bytes are found once the whole pickle is read.
final class TorchStorage {
    /// torch's storage classes and their element types.
    static let classes: [String: SafetensorsDtype] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    let key: String, dtype: SafetensorsDtype, count: Int
    var bytes: UnsafeRawBufferPointer?

    init(key: String, dtype: SafetensorsDtype, count: Int) {
        (self.key, self.dtype, self.count) = (key, dtype, count)
    }
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage.
struct TorchTensorView {
    let storage: TorchStorage, offset: Int, shape: [Int], strides: [Int]
}

/// `torch.save` files (`.bin`, `.pt`, `.pth`, `.ckpt`) read without running anything: the zip format
/// (torch ≥ 1.6: `archive/data.pkl` plus one stored entry per storage) and the legacy format (five
/// pickles in a row, then the storages' bytes), both through `WeightsPickle`.
public enum TorchCheckpoint {
    /// Reads the file at `path` (memory-mapped; errors name the file).
    public static func read(path: String) throws -> TorchValue {
        try MappedFile.reading(path) { try read(bytes: $0) }
    }

    /// Reads a checkpoint held in memory.
    public static func read(bytes: UnsafeRawBufferPointer) throws -> TorchValue {
        if ZipArchive.isZip(bytes) { return try readZip(bytes) }
        if bytes.starts(with: legacyMagic) { return try readLegacy(bytes) }
        throw FormatError("not a PyTorch checkpoint (neither a torch.save zip archive nor the legacy format)")
    }

    /// The first pickle of a legacy file: PROTO 2, LONG1 of the magic number 0x1950a86a20f9469cfc6c, STOP.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    static func readZip(_ bytes: UnsafeRawBufferPointer) throws -> TorchValue {
        let zip = try ZipArchive(bytes)
        guard let pickle = zip.entries.first(where: { $0.name.hasSuffix("data.pkl") && $0.name.split(separator: "/").count == 2 }) else {
            throw FormatError("zip archive without <name>/data.pkl: not a torch.save checkpoint")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if zip.entries.contains(where: { $0.name.hasPrefix(prefix + "code/") }) {
            throw FormatError("a TorchScript archive (torch.jit.save), not a torch.save checkpoint")
        }
        if let order = zip.entry(prefix + "byteorder"), let text = String(bytes: try zip.data(order), encoding: .utf8), text != "little" {
            throw FormatError("storages in '\(text.prefix(20))' byte order are not read (only little-endian)")
        }
        var storages: [String: TorchStorage] = [:]
        let pickleBytes = try zip.data(pickle)
        var machine = WeightsPickle(pickleBytes) { pid in try storage(pid, &storages) }
        let root = try machine.load()
        for storage in storages.values {
            guard let entry = zip.entry(prefix + "data/" + storage.key) else {
                throw FormatError("storage '\(storage.key)' has no entry data/\(storage.key)")
            }
            storage.bytes = try zip.data(entry)
        }
        return try convert(root, pickleSize: pickleBytes.count)
    }

    static func readLegacy(_ bytes: UnsafeRawBufferPointer) throws -> TorchValue {
        var storages: [String: TorchStorage] = [:]
        var machine = WeightsPickle(bytes) { pid in try storage(pid, &storages) }
        machine.position = legacyMagic.count
        guard case .int(let version) = try machine.load(), version == 1001 else {
            throw FormatError("legacy checkpoint: unknown protocol version (expected 1001)")
        }
        if case .dict(let info) = try machine.load(),
           let little = info.items.first(where: { if case .string("little_endian") = $0.0 { return true } else { return false } }),
           case .bool(false) = little.1 {
            throw FormatError("legacy checkpoint: big-endian storages are not read")
        }
        let root = try machine.load()
        guard case .list(let keys) = try machine.load() else { throw FormatError("legacy checkpoint: no list of storage keys") }
        var at = machine.position
        let reader = ByteReader(bytes)
        for keyObject in keys.items {
            guard case .string(let key) = keyObject, let storage = storages[key] else {
                throw FormatError("legacy checkpoint: the storage key list names a storage the data does not use")
            }
            let count = try reader.offset(reader.u64(at))
            guard count == storage.count else {
                throw FormatError("legacy checkpoint: storage '\(key)' holds \(count) elements, its tensor says \(storage.count)")
            }
            let size = count * storage.dtype.itemSize
            try reader.check(at + 8, size)
            storage.bytes = UnsafeRawBufferPointer(rebasing: bytes[(at + 8)..<(at + 8 + size)])
            at += 8 + size
        }
        return try convert(root, pickleSize: machine.position)
    }

    /// A persistent id `('storage', torch.FloatStorage, key, location, numel[, view])` as a storage,
    /// the same object for the same key.
    static func storage(_ pid: WeightsPickle.Object, _ storages: inout [String: TorchStorage]) throws -> WeightsPickle.Object {
        guard case .tuple(let fields) = pid, fields.count >= 5, case .string("storage") = fields[0],
              case .global(let cls) = fields[1], case .string(let key) = fields[2], case .int(let count) = fields[4] else {
            throw FormatError("pickle: a persistent id that is not a torch storage")
        }
        guard let dtype = TorchStorage.classes[String(cls.dropFirst("torch.".count))], cls.hasPrefix("torch.") else {
            throw FormatError("pickle: '\(cls)' is not a typed storage class")
        }
        if fields.count > 5, case .tuple = fields[5] {
            throw FormatError("pickle: storage views (torch < 1.6 legacy files) are not read")
        }
        guard count >= 0, count <= Engine.maxElements else { throw FormatError("storage '\(key)' of \(count) elements is too large") }
        if let known = storages[key] {
            guard known.dtype == dtype, known.count == count else { throw FormatError("storage '\(key)' is named with two types") }
            return .storage(known)
        }
        let made = TorchStorage(key: key, dtype: dtype, count: count)
        storages[key] = made
        return .storage(made)
    }
}
