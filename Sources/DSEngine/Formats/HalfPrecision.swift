/// Conversions between 32-bit floats and the 16-bit formats stored in checkpoints: IEEE half
/// (F16) and bfloat16 (BF16). Widening is exact; narrowing rounds to nearest, ties to even, and
/// writes NaNs as the reference writers do, bit for bit: NumPy's `astype(float16)` and PyTorch's
/// `to(torch.bfloat16)` (FormatsPropertyTests compares dscript's files with theirs byte for byte).
enum HalfPrecision {
    /// `float(fromHalf:)` of every bit pattern (256 KiB, made on first use): reading F16 is a lookup.
    static let table: [Float] = (0...0xFFFF).map { float(fromHalf: UInt16($0)) }

    /// The exact float value of IEEE half bits (NaN payloads are kept, shifted).
    static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24, exact in float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// IEEE half bits of `f`, rounded to nearest even; overflow gives infinity. A NaN keeps its sign
    /// and the top 10 bits of its payload, made nonzero if they are not (NumPy's
    /// `npy_floatbits_to_halfbits`: a signalling NaN stays signalling).
    static func half(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }
            return sign | 0x7C00 | Swift.max(UInt16(mantissa >> 13), 1)
        }
        let e = exponent - 127 + 15
        if e >= 31 { return sign | 0x7C00 }
        if e <= 0 {
            // Subnormal half (or zero): shift the full significand right, rounding the dropped bits.
            let shift = 14 - e
            if shift > 24 { return sign }
            let m = exponent == 0 ? mantissa : mantissa | 0x80_0000
            var q = m >> UInt32(shift)
            let r = m & ((1 << UInt32(shift)) - 1)
            let halfway = UInt32(1) << UInt32(shift - 1)
            if r > halfway || (r == halfway && q & 1 == 1) { q += 1 }
            return sign | UInt16(q)
        }
        var q = (UInt32(e) << 10) | (mantissa >> 13)
        let r = mantissa & 0x1FFF
        if r > 0x1000 || (r == 0x1000 && q & 1 == 1) { q += 1 }  // a carry may reach infinity: correct
        return sign | UInt16(min(q, 0x7C00))
    }

    /// The exact float value of bfloat16 bits.
    static func float(fromBFloat16 b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// bfloat16 bits of `f`, rounded to nearest even. Every NaN becomes 0xFFFF, as PyTorch's CPU
    /// kernel for `to(torch.bfloat16)` writes it (its scalar `c10::BFloat16` would write 0x7FC0, but
    /// tensors go through the vectorised path, measured with torch 2.15 on x86-64).
    static func bfloat16(from f: Float) -> UInt16 {
        if f.isNaN { return 0xFFFF }
        let bits = f.bitPattern
        let bias = ((bits >> 16) & 1) + 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ bias) >> 16)
    }
}
