extension Safetensors {
    /// Writes tensors (and string metadata) atomically, in `dtype` (F32, F16 or BF16).
    ///
    /// As the reference writer (`safetensors::tensor::prepare` / `serialize`): tensors sorted by
    /// descending dtype alignment, then by name (bytewise); offsets contiguous; `__metadata__` first;
    /// compact JSON padded with spaces to a multiple of 8 bytes.
    public static func write(
        _ tensors: [(String, Tensor)], metadata: [String: String] = [:], dtype: SafetensorsDtype = .f32,
        to path: String
    ) throws {
        let header = try headerBytes(tensors, metadata: metadata, dtype: dtype)
        let writer = try AtomicFileWriter(path: path)
        try writer.write(littleEndianBytes(UInt64(header.count)))
        try writer.write(header)
        for (_, tensor) in sortedForWriting(tensors) {
            // Convert in chunks so a large tensor is never held twice in its encoded form.
            let scalars = tensor.scalars
            var start = 0
            while start < scalars.count {
                let end = min(start + 1 << 18, scalars.count)
                try writer.write(dtype.encode(scalars[start..<end]))
                start = end
            }
        }
        try writer.commit()
    }

    /// The whole file in memory (tests).
    public static func serialize(
        _ tensors: [(String, Tensor)], metadata: [String: String] = [:], dtype: SafetensorsDtype = .f32
    ) throws -> [UInt8] {
        let header = try headerBytes(tensors, metadata: metadata, dtype: dtype)
        var out = littleEndianBytes(UInt64(header.count)) + header
        for (_, tensor) in sortedForWriting(tensors) { out += dtype.encode(tensor.scalars[...]) }
        return out
    }

    /// Reference order: all tensors share one dtype here, so it is the bytewise order of names.
    static func sortedForWriting(_ tensors: [(String, Tensor)]) -> [(String, Tensor)] {
        tensors.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }

    static func headerBytes(_ tensors: [(String, Tensor)], metadata: [String: String], dtype: SafetensorsDtype) throws -> [UInt8] {
        guard SafetensorsDtype.writable.contains(dtype) else {
            throw FormatError("cannot write dtype \(dtype.rawValue): dscript writes F32, F16 or BF16")
        }
        var names = Set<String>()
        for (name, _) in tensors {
            guard name != "__metadata__" else { throw FormatError("a tensor cannot be named __metadata__") }
            guard names.insert(name).inserted else { throw FormatError("two tensors are named \"\(name)\"") }
        }
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                .map { "\(jsonQuoted($0)):\(jsonQuoted(metadata[$0] ?? ""))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in sortedForWriting(tensors) {
            let size = tensor.scalars.count * dtype.itemSize
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonQuoted(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array("{\(parts.joined(separator: ","))}".utf8)
        let padded = (header.count + 7) / 8 * 8
        header += [UInt8](repeating: 0x20, count: padded - header.count)
        guard header.count <= maxHeaderSize else {
            throw FormatError("header would be \(header.count) bytes, more than the \(maxHeaderSize) readers accept")
        }
        return header
    }

    static func littleEndianBytes(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
