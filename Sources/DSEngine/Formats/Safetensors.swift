/// The tensors and metadata of a `.safetensors` file.
public struct SafetensorsFile {
    /// Tensors in the order the header lists them, converted to Float32; `dtype` is the file's name for
    /// the stored type (`"F16"`), kept for `stats`.
    public var tensors: [(name: String, tensor: Tensor, dtype: String)]
    /// The header's `__metadata__` (string to string), empty when absent.
    public var metadata: [String: String]
    /// `__metadata__` keys in the order the header lists them.
    public var metadataOrder: [String]

    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
}

/// Reading and writing `.safetensors` (huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of JSON header, then the tensors' little-endian bytes, row-major.
///
/// The reader validates untrusted files as the reference reader does (`SafeTensors::read_metadata`,
/// `Metadata::validate`, safetensors 0.8): header at most 100,000,000 bytes; UTF-8 JSON object;
/// `__metadata__` string to string; known dtypes; offsets contiguous from 0 once sorted, with no
/// overlap and no hole, END ≥ BEGIN; byte size = prod(shape) · itemsize with overflow checks; the data
/// exactly fills the file. Stricter than the reference: duplicate keys are refused outright (the
/// reference keeps the last one and then reports an offset error). As lenient as the reference:
/// whitespace before the JSON, unknown fields inside a tensor entry, header lengths that are not a
/// multiple of 8. Rank-0 and zero-size tensors are allowed.
public enum Safetensors {
    /// Largest header the reference accepts (`MAX_HEADER_SIZE`).
    public static let maxHeaderSize = 100_000_000

    /// Parsed header entry of one tensor.
    struct Entry {
        var name: String
        var dtype: SafetensorsDtype
        var shape: [Int]
        var begin: Int
        var end: Int
        var count: Int
    }

    /// Reads a file through a memory map, converting tensor by tensor.
    public static func read(path: String) throws -> SafetensorsFile {
        try MappedFile.reading(path) { try read($0) }
    }

    /// Reads a file's bytes (tests and fuzzing).
    public static func read(bytes: [UInt8]) throws -> SafetensorsFile {
        try bytes.withUnsafeBytes { try read($0) }
    }

    static func read(_ buffer: UnsafeRawBufferPointer) throws -> SafetensorsFile {
        let (entries, metadata, dataStart) = try parseHeader(buffer)
        try FormatError.reserve(entries.reduce(0) { $0 + $1.count },
                                for: entries.count == 1 ? "its tensor" : "its \(entries.count) tensors")
        return SafetensorsFile(
            tensors: entries.map { ($0.name, convert($0, in: buffer, dataStart: dataStart), $0.dtype.rawValue) },
            metadata: Dictionary(metadata, uniquingKeysWith: { a, _ in a }),
            metadataOrder: metadata.map(\.0))
    }

    /// One validated entry's bytes converted to a Float32 tensor.
    static func convert(_ e: Entry, in buffer: UnsafeRawBufferPointer, dataStart: Int) -> Tensor {
        let slice = UnsafeRawBufferPointer(rebasing: buffer[(dataStart + e.begin)..<(dataStart + e.end)])
        return Tensor(shape: e.shape, scalars: e.dtype.decode(slice, count: e.count))
    }

    /// Validates the header against the buffer; returns entries in header order, the metadata and
    /// the offset where the data section starts.
    static func parseHeader(_ buffer: UnsafeRawBufferPointer) throws -> ([Entry], [(String, String)], Int) {
        guard buffer.count >= 8 else {
            throw FormatError("file too small for a safetensors header: \(buffer.count) bytes, need at least 8")
        }
        let declared = UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maxHeaderSize) else {
            throw FormatError("header too large: header length field says \(declared) bytes, the limit is \(maxHeaderSize)")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= buffer.count else {
            throw FormatError("invalid header length: \(headerLength) bytes declared, but the file has only \(buffer.count - 8) after the length field")
        }
        let headerBytes = Array(buffer[8..<(8 + headerLength)])
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw FormatError("header is not valid UTF-8")
        }
        guard case .object(let fields) = try StrictJSONParser.parse(headerBytes) else {
            throw FormatError("header is not a JSON object")
        }
        var entries: [Entry] = []
        var metadata: [(String, String)] = []
        for (name, value) in fields {
            if name == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name, value))
            }
        }
        let dataStart = 8 + headerLength
        try validateLayout(entries, dataSize: buffer.count - dataStart)
        return (entries, metadata, dataStart)
    }

    static func parseMetadata(_ value: JSONValue) throws -> [(String, String)] {
        if case .null = value { return [] }
        guard case .object(let pairs) = value else {
            throw FormatError("__metadata__ must be an object of strings, got \(value.kindName)")
        }
        return try pairs.map { key, v in
            guard case .string(let s) = v else {
                throw FormatError("__metadata__ values must be strings, but \"\(key)\" is \(v.kindName)")
            }
            return (key, s)
        }
    }

    static func parseEntry(_ name: String, _ value: JSONValue) throws -> Entry {
        func fail(_ what: String) -> FormatError { FormatError("tensor \"\(name)\": \(what)") }
        guard case .object(let fields) = value else { throw fail("entry must be an object, got \(value.kindName)") }
        func field(_ key: String) throws -> JSONValue {
            guard let v = fields.first(where: { $0.key == key })?.value else { throw fail("missing \"\(key)\"") }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw fail("\"dtype\" must be a string") }
        guard let dtype = SafetensorsDtype(rawValue: dtypeName) else {
            if SafetensorsDtype.knownUnsupported.contains(dtypeName) { throw fail("dtype \(dtypeName) is not supported by dscript") }
            throw fail("unknown dtype \"\(dtypeName)\"")
        }
        func integers(_ key: String) throws -> [Int] {
            guard case .array(let items) = try field(key) else { throw fail("\"\(key)\" must be an array of integers") }
            return try items.map { item in
                if case .number(let x) = item, x.rounded() == x, abs(x) >= 0x1p63 {
                    throw fail("\"\(key)\" holds \(x), which is too large (at most 2^63 - 1)")
                }
                guard case .integer(let n) = item else { throw fail("\"\(key)\" must hold integers, found \(item.kindName)") }
                guard n >= 0 else { throw fail("\"\(key)\" holds a negative number \(n)") }
                return n
            }
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else { throw fail("\"data_offsets\" must be [BEGIN, END], got \(offsets.count) numbers") }
        let count: Int
        do { count = try Tensor.checkedCount(shape) } catch let error as TensorError { throw fail(error.message) }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1], count: count)
    }

    /// Offsets sorted, contiguous from 0, sizes matching shapes, the data section exactly covered.
    static func validateLayout(_ entries: [Entry], dataSize: Int) throws {
        let sorted = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for e in sorted {
            guard e.end >= e.begin else {
                throw FormatError("tensor \"\(e.name)\": invalid data_offsets [\(e.begin), \(e.end)]: END is before BEGIN")
            }
            if e.begin != expected {
                let problem = e.begin < expected ? "overlaps the previous tensor" : "leaves a hole of \(e.begin - expected) bytes before it"
                throw FormatError("tensor \"\(e.name)\": invalid data_offsets [\(e.begin), \(e.end)]: \(problem) (expected BEGIN \(expected))")
            }
            let (bytes, overflow) = e.count.multipliedReportingOverflow(by: e.dtype.itemSize)
            guard !overflow else { throw FormatError("tensor \"\(e.name)\": shape \(e.shape) overflows the byte size") }
            guard e.end - e.begin == bytes else {
                throw FormatError("tensor \"\(e.name)\": shape \(e.shape) of \(e.dtype.rawValue) needs \(bytes) bytes, but data_offsets [\(e.begin), \(e.end)] cover \(e.end - e.begin)")
            }
            expected = e.end
        }
        guard expected == dataSize else {
            if expected > dataSize {
                throw FormatError("file truncated: tensors need \(expected) bytes of data, the file holds \(dataSize)")
            }
            throw FormatError("incomplete metadata: \(dataSize - expected) bytes after the last tensor are not covered by any tensor")
        }
    }
}

extension Safetensors {
    /// The header length field of a file (tests check the writer's padding).
    static func parseHeaderLength(_ path: String) throws -> Int {
        let file = try MappedFile(path: path)
        guard file.count >= 8 else { throw FormatError("file too small") }
        return withExtendedLifetime(file) {
            Int(truncatingIfNeeded: UInt64(littleEndian: file.bytes.loadUnaligned(as: UInt64.self)))
        }
    }
}
