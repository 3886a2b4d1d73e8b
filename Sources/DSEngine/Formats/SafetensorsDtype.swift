/// The element types a safetensors file may hold that dscript reads (converted to Float32)
/// and writes (F32, F16, BF16). Names are the file's (`"F16"`), kept for `stats`.
public enum SafetensorsDtype: String, CaseIterable, Sendable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool, .u8, .i8: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// The dtypes a writer may choose.
    public static let writable: [SafetensorsDtype] = [.f32, .f16, .bf16]

    /// Dtypes the reference knows but dscript does not read (named in the error message).
    static let knownUnsupported: Set<String> = [
        "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64",
    ]

    /// Converts `count` little-endian elements starting at `source` into floats.
    func decode(_ source: UnsafeRawBufferPointer, count: Int) -> [Float] {
        switch self {
        case .f32: return RawDecoder.float32(source, count: count)
        case .f64: return RawDecoder.decode(source, count: count, as: UInt64.self) { Float(Double(bitPattern: $0)) }
        case .f16:
            return HalfPrecision.table.withUnsafeBufferPointer { table in
                RawDecoder.decode(source, count: count, as: UInt16.self) { table[Int($0)] }
            }
        case .bf16: return RawDecoder.decode(source, count: count, as: UInt16.self) { HalfPrecision.float(fromBFloat16: $0) }
        case .bool: return RawDecoder.decode(source, count: count, as: UInt8.self) { $0 != 0 ? 1 : 0 }
        case .u8: return RawDecoder.decode(source, count: count, as: UInt8.self) { Float($0) }
        case .i8: return RawDecoder.decode(source, count: count, as: Int8.self) { Float($0) }
        case .i16: return RawDecoder.decode(source, count: count, as: Int16.self) { Float($0) }
        case .u16: return RawDecoder.decode(source, count: count, as: UInt16.self) { Float($0) }
        case .i32: return RawDecoder.decode(source, count: count, as: Int32.self) { Float($0) }
        case .u32: return RawDecoder.decode(source, count: count, as: UInt32.self) { Float($0) }
        case .i64: return RawDecoder.decode(source, count: count, as: Int64.self) { Float($0) }
        case .u64: return RawDecoder.decode(source, count: count, as: UInt64.self) { Float($0) }
        }
    }

    /// Little-endian bytes of `values` in this dtype (F32, F16 or BF16).
    func encode(_ values: ArraySlice<Float>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * itemSize)
        switch self {
        case .f16:
            values.map { HalfPrecision.half(from: $0).littleEndian }.withUnsafeBytes { out.append(contentsOf: $0) }
        case .bf16:
            values.map { HalfPrecision.bfloat16(from: $0).littleEndian }.withUnsafeBytes { out.append(contentsOf: $0) }
        default:
            #if _endian(little)
            values.withUnsafeBytes { out.append(contentsOf: $0) }
            #else
            for v in values {
                let b = v.bitPattern
                out.append(UInt8(b & 0xFF)); out.append(UInt8((b >> 8) & 0xFF))
                out.append(UInt8((b >> 16) & 0xFF)); out.append(UInt8(b >> 24))
            }
            #endif
        }
        return out
    }
}
