import CPNG
import Foundation

/// IDX files (MNIST's format), plain or gzipped: magic `0 0 TYPE RANK`, RANK big-endian UInt32
/// dimensions, then the values big-endian. Read as a Float32 tensor of the stored values.
public enum IDXFile {
    /// Largest decompressed size accepted (bytes).
    static let maxBytes = 1 << 31

    public static func read(path: String) throws -> Tensor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError("\(path): cannot open: No such file or directory")
        }
        guard !isDirectory.boolValue else { throw FormatError("\(path): is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw FormatError("\(path): cannot read") }
        return try read(bytes: [UInt8](data), name: path)
    }

    /// An IDX file's bytes, gzipped or not; `name` prefixes the messages.
    public static func read(bytes: [UInt8], name: String) throws -> Tensor {
        var bytes = bytes
        if bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b {
            bytes = try gunzip(bytes, path: name)
        }
        do { return try parse(bytes) } catch let e as FormatError { throw FormatError("\(name): \(e.message)") }
    }

    static func parse(_ bytes: [UInt8]) throws -> Tensor {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else { throw FormatError("not an IDX file (bad magic number)") }
        let size: Int
        switch bytes[2] {
        case 0x08, 0x09: size = 1
        case 0x0B: size = 2
        case 0x0C, 0x0D: size = 4
        case 0x0E: size = 8
        default: throw FormatError("unknown IDX element type 0x\(String(bytes[2], radix: 16))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1, bytes.count >= 4 + 4 * rank else { throw FormatError("IDX header truncated (rank \(rank))") }
        let shape = (0..<rank).map { d in
            let o = 4 + 4 * d
            return Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        }
        let count: Int
        do { count = try FormatError.checkedCount(shape) } catch { throw FormatError("IDX dimensions \(shape) are too large") }
        let start = 4 + 4 * rank
        guard bytes.count - start == count * size else {
            throw FormatError("IDX data is \(bytes.count - start) bytes, dimensions \(shape) need \(count * size)")
        }
        try FormatError.reserve(count, for: "a tensor of shape \(shape)")
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { b in
            func word(_ i: Int) -> UInt64 {
                var v: UInt64 = 0
                for k in 0..<size { v = v << 8 | UInt64(b[start + i * size + k]) }
                return v
            }
            for i in 0..<count {
                switch bytes[2] {
                case 0x08: out[i] = Float(b[start + i])
                case 0x09: out[i] = Float(Int8(bitPattern: b[start + i]))
                case 0x0B: out[i] = Float(Int16(bitPattern: UInt16(word(i))))
                case 0x0C: out[i] = Float(Int32(bitPattern: UInt32(word(i))))
                case 0x0D: out[i] = Float(bitPattern: UInt32(word(i)))
                default: out[i] = Float(Double(bitPattern: word(i)))
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Inflates a gzip stream with zlib, refusing output past `maxBytes` and asking the memory budget
    /// before the output grows (a 2 MB gzip "bomb" inflates to 2 GB).
    static func gunzip(_ input: [UInt8], path: String) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FormatError("\(path): cannot start gzip decompression")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            var result: Int32 = Z_OK
            while result == Z_OK {
                result = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if output.count + produced > output.capacity {
                    try FormatError.reserve(bytes: Swift.max(2 * output.count, output.count + produced),
                                            for: "\(path): the decompressed data")
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > maxBytes { return Z_MEM_ERROR }
                if result == Z_BUF_ERROR && stream.avail_in == 0 { return Z_DATA_ERROR }
            }
            return result
        }
        guard status == Z_STREAM_END else {
            throw FormatError(status == Z_MEM_ERROR ? "\(path): decompressed data too large" : "\(path): corrupt or truncated gzip data")
        }
        return output
    }
}
