#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as text, shared by every module so that a NaN always prints as `nan`.
///
/// x86 makes NaNs with the sign bit set (`0/0`, `inf - inf`), and both C's `printf` and Swift's
/// `description` show that bit: `-nan`. A NaN has no sign worth showing, so every formatter here
/// drops it; infinities keep theirs (`inf`, `-inf`).
public enum NumberText {
    /// `printf`-style formatting of one double (`printf("%.4g", x)`), a NaN as `nan` (`NAN` for
    /// upper-case conversions), without Foundation.
    public static func printf(_ format: String, _ x: Double) -> String {
        let value = x.isNaN ? Double.nan : x
        var buffer = [CChar](repeating: 0, count: 128)
        let n = withVaList([value]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 128, format, args) }
        }
        guard n >= 0 else { return plain(value) }
        if n >= 128 {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([value]) { args in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, Int(n) + 1, format, args) }
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `digits` significant digits (`%.{digits}g`): `0.0777967`, `2.42877e-09`, `nan`, `-inf`.
    public static func significant(_ x: Double, _ digits: Int) -> String {
        printf("%.\(digits)g", x)
    }

    /// Swift's shortest text that reads back to `x` (`0.1`, `1e-05`), a NaN as `nan`: for messages.
    public static func plain(_ x: Double) -> String {
        x.isNaN ? "nan" : x.description
    }

    /// A float32 as Swift writes it (`0.1`, not its float64 widening), a NaN as `nan`.
    public static func plain(_ x: Float) -> String {
        x.isNaN ? "nan" : x.description
    }
}
