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
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            func each<T: FixedWidthInteger>(_: T.Type, _ f: (T) -> Float) {
                for k in 0..<count {
                    out[k] = f(T(littleEndian: source.loadUnaligned(fromByteOffset: k * MemoryLayout<T>.size, as: T.self)))
                }
            }
            switch self {
            case .f32:
                #if _endian(little)
                if count > 0, let to = out.baseAddress, let from = source.baseAddress {
                    UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: count * 4)
                }
                #else
                each(UInt32.self) { Float(bitPattern: $0) }
                #endif
            case .f64:
                each(UInt64.self) { Float(Double(bitPattern: $0)) }
            case .f16: each(UInt16.self) { HalfPrecision.float(fromHalf: $0) }
            case .bf16: each(UInt16.self) { HalfPrecision.float(fromBFloat16: $0) }
            case .bool: each(UInt8.self) { $0 != 0 ? 1 : 0 }
            case .u8: each(UInt8.self) { Float($0) }
            case .i8: each(Int8.self) { Float($0) }
            case .i16: each(Int16.self) { Float($0) }
            case .u16: each(UInt16.self) { Float($0) }
            case .i32: each(Int32.self) { Float($0) }
            case .u32: each(UInt32.self) { Float($0) }
            case .i64: each(Int64.self) { Float($0) }
            case .u64: each(UInt64.self) { Float($0) }
            }
            initialized = count
        }
    }

    /// Little-endian bytes of `values` in this dtype (F32, F16 or BF16).
    func encode(_ values: ArraySlice<Float>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * itemSize)
        switch self {
        case .f16:
            for v in values { let h = HalfPrecision.half(from: v); out.append(UInt8(h & 0xFF)); out.append(UInt8(h >> 8)) }
        case .bf16:
            for v in values { let h = HalfPrecision.bfloat16(from: v); out.append(UInt8(h & 0xFF)); out.append(UInt8(h >> 8)) }
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
