/// Branch-free float32 approximations of exp, tanh, sigmoid and erf, written so the compiler can
/// vectorise the loops that call them (Foundation's scalar libm calls cannot be).
/// Accuracy: exp within ~2 ulp over its range; erf within 3e-7 absolute (Abramowitz–Stegun 7.1.26, series near 0).
enum FastMath {
    /// e^x: Cody–Waite reduction x = n·ln2 + r (n rounded with the 1.5·2^23 trick, so no floor call
    /// on baseline x86-64), a degree-6 polynomial for e^r, and 2^n built from exponent bits.
    @inline(__always)
    static func exp(_ x0: Float) -> Float {
        let x = Swift.min(Swift.max(x0, -104), 88.72283)
        let magic: Float = 12_582_912   // 1.5 · 2^23
        let shifted = x * 1.442695041 + magic
        let n = shifted - magic
        let k = Int32(bitPattern: shifted.bitPattern &- magic.bitPattern)
        var r = x - n * 0.693145751953125
        r -= n * 1.428606765330187e-06
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2^k as two factors 2^(k/2)·2^(k−k/2), so both extremes (denormals, near FLT_MAX) stay exact.
        let k1 = k >> 1, k2 = k &- k1
        let y = p * Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) << 23)) * Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) << 23))
        return x0 < -104 ? 0 : (x0 > 88.72283 ? .infinity : (x0 != x0 ? x0 : y))
    }

    /// 1 / (1 + e^−x).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// tanh(x) = 1 − 2 / (e^{2x} + 1), with an odd series near 0 to keep relative accuracy.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let big = 1 - 2 / (exp(2 * x) + 1)
        let x2 = x * x
        let small = x * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315))))
        return Swift.abs(x) < 0.125 ? small : big
    }

    /// erf(x) (A&S 7.1.26 on |x|, odd symmetry).
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = 1 / (1 + 0.3275911 * a)
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
        let big = 1 - poly * exp(-a * a)
        // Near 0 the subtraction above cancels; the Maclaurin series is exact to float there.
        let x2 = a * a
        let small = 1.1283791670955126 * a * (1 + x2 * (-1.0 / 3 + x2 * (1.0 / 10 + x2 * (-1.0 / 42 + x2 * (1.0 / 216 - x2 / 1320)))))
        let y = a < 0.3 ? small : big
        return x < 0 ? -y : y
    }
}
