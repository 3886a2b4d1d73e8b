/// A read-only view of a zip archive in memory, enough for PyTorch's `torch.save` files: the central
/// directory (zip64 included) and stored (uncompressed) entries. Every offset and length is checked
/// against the buffer; a compressed entry is refused by name.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let size: Int
        let localHeaderOffset: Int
    }

    let bytes: UnsafeRawBufferPointer
    let entries: [Entry]

    /// The largest number of entries read (a torch file has one per storage plus a few).
    static let maxEntries = 1 << 20

    static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    init(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes = bytes
        let reader = ByteReader(bytes)
        // The end-of-central-directory record: in the last 64 KiB + 22 bytes.
        let minimum = 22
        guard bytes.count >= minimum else { throw FormatError("zip archive: too short for an end-of-central-directory record") }
        var eocd: Int? = nil
        var at = bytes.count - minimum
        let lowest = Swift.max(0, bytes.count - minimum - 0xFFFF)
        while at >= lowest {
            if try reader.u32(at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard let eocd else { throw FormatError("zip archive: no end-of-central-directory record") }
        var count = Int(try reader.u16(eocd + 10))
        var directorySize = Int(try reader.u32(eocd + 12))
        var directoryOffset = Int(try reader.u32(eocd + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // zip64: a locator 20 bytes before the record points at the zip64 end record.
            guard eocd >= 20, try reader.u32(eocd - 20) == 0x0706_4B50 else {
                throw FormatError("zip archive: zip64 sizes without a zip64 locator")
            }
            let record = try reader.offset(reader.u64(eocd - 12))
            guard try reader.u32(record) == 0x0606_4B50 else { throw FormatError("zip archive: bad zip64 end record") }
            count = try reader.offset(reader.u64(record + 32))
            directorySize = try reader.offset(reader.u64(record + 40))
            directoryOffset = try reader.offset(reader.u64(record + 48))
        }
        guard count <= ZipArchive.maxEntries else { throw FormatError("zip archive: \(count) entries is too many") }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw FormatError("zip archive: the central directory lies outside the file")
        }
        var list: [Entry] = []
        var p = directoryOffset
        for _ in 0..<count {
            guard try reader.u32(p) == 0x0201_4B50 else { throw FormatError("zip archive: bad central directory entry") }
            let method = try reader.u16(p + 10)
            var compressed = Int(try reader.u32(p + 20)), size = Int(try reader.u32(p + 24))
            let nameLength = Int(try reader.u16(p + 28)), extraLength = Int(try reader.u16(p + 30))
            let commentLength = Int(try reader.u16(p + 32))
            var local = Int(try reader.u32(p + 42))
            let name = try reader.string(p + 46, nameLength)
            // zip64 extended information: the 0xFFFFFFFF fields, in this order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let tag = try reader.u16(q), length = Int(try reader.u16(q + 2))
                if tag == 0x0001 {
                    var field = q + 4
                    if size == 0xFFFF_FFFF { size = try reader.offset(reader.u64(field)); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try reader.offset(reader.u64(field)); field += 8 }
                    if local == 0xFFFF_FFFF { local = try reader.offset(reader.u64(field)) }
                }
                q += 4 + length
            }
            list.append(Entry(name: name, method: method, size: method == 0 ? size : compressed, localHeaderOffset: local))
            p = extraEnd + commentLength
        }
        entries = list
    }

    /// The entry whose name is `name`, nil when absent.
    func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The bytes of a stored entry, checked to lie inside the archive.
    func data(_ entry: Entry) throws -> UnsafeRawBufferPointer {
        guard entry.method == 0 else {
            throw FormatError("zip entry '\(entry.name)' is compressed (method \(entry.method)); torch.save writes stored entries only")
        }
        let reader = ByteReader(bytes)
        let p = entry.localHeaderOffset
        guard try reader.u32(p) == 0x0403_4B50 else { throw FormatError("zip entry '\(entry.name)': bad local header") }
        let start = p + 30 + Int(try reader.u16(p + 26)) + Int(try reader.u16(p + 28))
        guard start <= bytes.count, entry.size <= bytes.count - start else {
            throw FormatError("zip entry '\(entry.name)' runs past the end of the file")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + entry.size)])
    }
}

/// Little-endian reads at checked offsets.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func check(_ at: Int, _ count: Int) throws {
        guard at >= 0, count >= 0, at <= bytes.count, count <= bytes.count - at else {
            throw FormatError("truncated: \(count) bytes at offset \(at) lie outside the \(bytes.count)-byte file")
        }
    }

    func u16(_ at: Int) throws -> UInt16 {
        try check(at, 2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    func u32(_ at: Int) throws -> UInt32 {
        try check(at, 4)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    func u64(_ at: Int) throws -> UInt64 {
        try check(at, 8)
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }

    /// A 64-bit size or offset that must fit the file.
    func offset(_ value: UInt64) throws -> Int {
        guard value <= UInt64(bytes.count) else { throw FormatError("an offset or size of \(value) is beyond the file") }
        return Int(value)
    }

    func string(_ at: Int, _ count: Int) throws -> String {
        try check(at, count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)]), as: UTF8.self)
    }
}
