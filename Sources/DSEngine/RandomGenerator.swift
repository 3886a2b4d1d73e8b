import Foundation

/// A seeded counter-based random generator (Philox 4x32-10, Salmon et al. 2011).
///
/// Element `i` of a draw depends only on `(seed, counter + i / 4)`, so results do not depend on the
/// number of threads. Each draw advances `counter`. The bindings own one per interpreter.
public final class RandomGenerator {
    /// The key of the generator.
    public var seed: UInt64
    /// The next Philox block to use; advanced by every draw.
    public var counter: UInt64

    public init(seed: UInt64 = 0) {
        self.seed = seed
        self.counter = 0
    }

    /// Restarts the stream with a new seed (`seed(n)` in scripts).
    public func reseed(_ seed: UInt64) {
        self.seed = seed
        self.counter = 0
    }

    /// Philox 4x32-10 applied to block `ctr` under key `seed`.
    @inline(__always)
    static func philox(_ ctr: UInt64, _ seed: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: ctr), c1 = UInt32(truncatingIfNeeded: ctr >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = UInt32(truncatingIfNeeded: seed), k1 = UInt32(truncatingIfNeeded: seed >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c0 = hi1 ^ c1 ^ k0
            c1 = lo1
            c2 = hi0 ^ c3 ^ k1
            c3 = lo0
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// A uniform float in (0, 1] from 32 random bits (never 0, so `log` is safe).
    @inline(__always)
    static func unit(_ x: UInt32) -> Float {
        Float(x >> 8) * (1.0 / 16_777_216.0) + (1.0 / 16_777_216.0)
    }

    /// Reserves `blocks` Philox blocks and returns the first.
    private func take(_ blocks: Int) -> UInt64 {
        let start = counter
        counter &+= UInt64(blocks)
        return start
    }

    /// `n` floats from consecutive Philox blocks across threads, four per block: `four` turns one
    /// block's random bits into four floats (the last block's surplus is dropped).
    @inline(__always)
    private func floats(_ n: Int, grain: Int,
                        _ four: ((UInt32, UInt32, UInt32, UInt32)) -> (Float, Float, Float, Float)) -> [Float] {
        let base = take((n + 3) / 4)
        let seed = self.seed
        return [Float](unsafeUninitializedCapacity: n) { buf, count in
            count = n
            guard let p = buf.baseAddress else { return }
            Engine.parallelFor((n + 3) / 4, grain: grain) { s, e in
                for b in s..<e {
                    let z = four(RandomGenerator.philox(base &+ UInt64(b), seed))
                    let i = b * 4
                    if i < n { p[i] = z.0 }
                    if i + 1 < n { p[i + 1] = z.1 }
                    if i + 2 < n { p[i + 2] = z.2 }
                    if i + 3 < n { p[i + 3] = z.3 }
                }
            }
        }
    }

    /// `n` uniform floats in [0, 1).
    public func uniform(_ n: Int) -> [Float] {
        floats(n, grain: 4096) { r in
            let off: Float = 1.0 / 16_777_216.0
            return (RandomGenerator.unit(r.0) - off, RandomGenerator.unit(r.1) - off,
                    RandomGenerator.unit(r.2) - off, RandomGenerator.unit(r.3) - off)
        }
    }

    /// `n` standard normal floats (Box-Muller on pairs of uniforms).
    public func normal(_ n: Int) -> [Float] {
        floats(n, grain: 2048) { r in
            let u1 = Double(RandomGenerator.unit(r.0)), u2 = Double(RandomGenerator.unit(r.1))
            let u3 = Double(RandomGenerator.unit(r.2)), u4 = Double(RandomGenerator.unit(r.3))
            let r1 = (-2 * Foundation.log(u1)).squareRoot(), t1 = 2 * Double.pi * u2
            let r2 = (-2 * Foundation.log(u3)).squareRoot(), t2 = 2 * Double.pi * u4
            return (Float(r1 * Foundation.cos(t1)), Float(r1 * Foundation.sin(t1)),
                    Float(r2 * Foundation.cos(t2)), Float(r2 * Foundation.sin(t2)))
        }
    }
}
