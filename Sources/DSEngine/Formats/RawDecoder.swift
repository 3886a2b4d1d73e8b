/// Turns raw little-endian (or big-endian) elements at any alignment into floats: each chunk is
/// copied into an aligned buffer of the element type, then converted in a tight loop.
enum RawDecoder {
    static let chunk = 1 << 14

    /// Float32 elements: on a little-endian host the bytes are the floats, copied as they are.
    static func float32(_ source: UnsafeRawBufferPointer, count: Int, bigEndian: Bool = false) -> [Float] {
        #if _endian(little)
        if !bigEndian, count > 0, let from = source.baseAddress, source.count >= count * 4 {
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                if let to = out.baseAddress { UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: count * 4) }
                initialized = count
            }
        }
        #endif
        return decode(source, count: count, as: UInt32.self, bigEndian: bigEndian) { Float(bitPattern: $0) }
    }

    static func decode<T: FixedWidthInteger>(
        _ source: UnsafeRawBufferPointer, count: Int, as type: T.Type, bigEndian: Bool = false, _ convert: (T) -> Float
    ) -> [Float] {
        let size = MemoryLayout<T>.size
        guard count > 0, let from = source.baseAddress, source.count >= count * size else { return [] }
        var temp = [T](repeating: 0, count: Swift.min(chunk, count))
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            var start = 0
            while start < count {
                let n = Swift.min(chunk, count - start)
                temp.withUnsafeMutableBufferPointer { buffer in
                    guard let to = buffer.baseAddress else { return }
                    UnsafeMutableRawPointer(to).copyMemory(from: from + start * size, byteCount: n * size)
                    for k in 0..<n {
                        let raw = to[k]
                        out[start + k] = convert(bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
                    }
                }
                start += n
            }
            initialized = count
        }
    }
}
