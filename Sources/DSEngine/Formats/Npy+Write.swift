extension Npy {
    /// Writes a tensor as little-endian float32, version 1.0, byte for byte as `np.save` does
    /// (header padded for 64-byte alignment, with NumPy's spare room for growing the first axis).
    public static func write(_ tensor: Tensor, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(header(shape: tensor.shape))
        let scalars = tensor.scalars
        var start = 0
        while start < scalars.count {
            let end = min(start + 1 << 18, scalars.count)
            try writer.write(SafetensorsDtype.f32.encode(scalars[start..<end]))
            start = end
        }
        try writer.commit()
    }

    /// The whole file in memory (tests).
    public static func serialize(_ tensor: Tensor) -> [UInt8] {
        header(shape: tensor.shape) + SafetensorsDtype.f32.encode(tensor.scalars[...])
    }

    /// Magic, version, length and the padded dict, as `_write_array_header` / `_wrap_header` build them.
    static func header(shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // GROWTH_AXIS_MAX_DIGITS = 21: room to rewrite the first axis in place.
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var body = Array(dict.utf8)
        // Version 1.0 has a 2-byte length; numpy falls back to 2.0 (4 bytes) for longer headers.
        let lengthSize = body.count + 1 + 8 + 2 + 64 > 65535 ? 4 : 2
        let hlen = body.count + 1
        let padding = 64 - (8 + lengthSize + hlen) % 64
        body += [UInt8](repeating: 0x20, count: padding) + [0x0A]
        var out = magic + [lengthSize == 2 ? 1 : 2, 0]
        for k in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: body.count >> (8 * k))) }
        return out + body
    }
}
