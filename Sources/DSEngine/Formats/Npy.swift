/// One array read from a `.npy` file, converted to Float32; `descr` is the file's dtype (`"<f8"`).
public struct NpyArray {
    public var tensor: Tensor
    public var descr: String
}

/// Reading and writing NumPy's `.npy` format (`numpy/lib/_format_impl.py`): magic `\x93NUMPY`,
/// version, header length (2 bytes in 1.0, 4 in 2.0 and 3.0), a Python-literal dict with exactly
/// `descr`, `fortran_order` and `shape`, then the raw data.
///
/// Reads versions 1.0, 2.0, 3.0 with dtypes `f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1`, either byte order;
/// Fortran-order arrays are transposed into row-major. Object and structured dtypes (pickles) are
/// refused. Headers longer than 10,000 bytes are refused, as `np.load` does by default. Bytes after
/// the data are ignored, as `np.load` ignores them.
public enum Npy {
    /// `np.load`'s default `max_header_size`.
    public static let maxHeaderSize = 10_000
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    public static func read(path: String) throws -> NpyArray {
        try MappedFile.reading(path) { try read($0) }
    }

    public static func read(bytes: [UInt8]) throws -> NpyArray {
        try bytes.withUnsafeBytes { try read($0) }
    }

    static func read(_ buffer: UnsafeRawBufferPointer) throws -> NpyArray {
        guard buffer.count >= 8, Array(buffer[0..<6]) == magic else {
            throw FormatError("not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = buffer[6], minor = buffer[7]
        guard (1...3).contains(major), minor == 0 else { throw FormatError("unsupported .npy version \(major).\(minor)") }
        let lengthSize = major == 1 ? 2 : 4
        guard buffer.count >= 8 + lengthSize else { throw FormatError("file truncated inside the header length") }
        var headerLength = 0
        for k in 0..<lengthSize { headerLength |= Int(buffer[8 + k]) << (8 * k) }
        guard headerLength <= maxHeaderSize else {
            throw FormatError("header is \(headerLength) bytes, more than the \(maxHeaderSize) allowed")
        }
        let dataStart = 8 + lengthSize + headerLength
        guard dataStart <= buffer.count else {
            throw FormatError("file truncated: header of \(headerLength) bytes declared, \(buffer.count - 8 - lengthSize) present")
        }
        let header = try NpyHeader.parse(Array(buffer[(8 + lengthSize)..<dataStart]))
        let dtype = try NpyDtype(header.descr)
        let count = try FormatError.checkedCount(header.shape)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, bytes <= buffer.count - dataStart else {
            throw FormatError("file truncated: shape \(header.shape) of \(header.descr) needs \(overflow ? "more than \(Int.max)" : "\(bytes)") bytes of data, the file holds \(buffer.count - dataStart)")
        }
        let data = UnsafeRawBufferPointer(rebasing: buffer[dataStart..<(dataStart + bytes)])
        try FormatError.reserve(count, for: "a tensor of shape \(header.shape)")
        var scalars = dtype.decode(data, count: count)
        if header.fortranOrder && header.shape.count > 1 {
            scalars = fortranToRowMajor(scalars, shape: header.shape)
        }
        return NpyArray(tensor: Tensor(shape: header.shape, scalars: scalars), descr: header.descr)
    }

    /// Reorders column-major (Fortran) elements into row-major order.
    static func fortranToRowMajor(_ values: [Float], shape: [Int]) -> [Float] {
        let rank = shape.count
        var fortranStrides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var out = [Float](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for k in 0..<values.count {
            out[k] = values[source]
            // Advance the row-major index (last axis fastest), keeping the Fortran offset in step.
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                source += fortranStrides[axis]
                if index[axis] < shape[axis] { break }
                source -= fortranStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}

/// The element types of `.npy` files dscript reads.
struct NpyDtype {
    enum Kind { case float, signed, unsigned, bool }
    let kind: Kind
    let itemSize: Int
    let bigEndian: Bool

    init(_ descr: String) throws {
        let chars = Array(descr)
        guard chars.count >= 3, "<>|=".contains(chars[0]), chars[2...].allSatisfy({ $0.isASCII && $0.isNumber }),
              let size = Int(String(chars[2...])) else {
            if descr.contains("O") { throw FormatError("object arrays (pickled data) are refused: descr \(descr)") }
            throw FormatError("unsupported dtype descr \"\(descr)\"")
        }
        bigEndian = chars[0] == ">"
        itemSize = size
        switch (chars[1], size) {
        case ("f", 2), ("f", 4), ("f", 8): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1): kind = .bool
        case ("O", _): throw FormatError("object arrays (pickled data) are refused: descr \(descr)")
        default: throw FormatError("unsupported dtype descr \"\(descr)\" (dscript reads f2 f4 f8 i1-i8 u1-u8 b1)")
        }
    }

    func decode(_ source: UnsafeRawBufferPointer, count: Int) -> [Float] {
        let b = bigEndian
        switch (kind, itemSize) {
        case (.float, 2):
            return HalfPrecision.table.withUnsafeBufferPointer { table in
                RawDecoder.decode(source, count: count, as: UInt16.self, bigEndian: b) { table[Int($0)] }
            }
        case (.float, 4): return RawDecoder.float32(source, count: count, bigEndian: b)
        case (.float, _): return RawDecoder.decode(source, count: count, as: UInt64.self, bigEndian: b) { Float(Double(bitPattern: $0)) }
        case (.signed, 1): return RawDecoder.decode(source, count: count, as: Int8.self) { Float($0) }
        case (.signed, 2): return RawDecoder.decode(source, count: count, as: Int16.self, bigEndian: b) { Float($0) }
        case (.signed, 4): return RawDecoder.decode(source, count: count, as: Int32.self, bigEndian: b) { Float($0) }
        case (.signed, _): return RawDecoder.decode(source, count: count, as: Int64.self, bigEndian: b) { Float($0) }
        case (.unsigned, 1): return RawDecoder.decode(source, count: count, as: UInt8.self) { Float($0) }
        case (.unsigned, 2): return RawDecoder.decode(source, count: count, as: UInt16.self, bigEndian: b) { Float($0) }
        case (.unsigned, 4): return RawDecoder.decode(source, count: count, as: UInt32.self, bigEndian: b) { Float($0) }
        case (.unsigned, _): return RawDecoder.decode(source, count: count, as: UInt64.self, bigEndian: b) { Float($0) }
        case (.bool, _): return RawDecoder.decode(source, count: count, as: UInt8.self) { $0 != 0 ? 1 : 0 }
        }
    }
}
