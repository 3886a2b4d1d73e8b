import CKernels
import Foundation
import XCTest

/// The C kernels at every CPU level this machine can run (baseline, AVX2, AVX-512) against each
/// other and against double-precision references, called through each level's own table so that
/// all of them are checked whichever one the engine runs. (The engine's golden tests check the
/// running level against PyTorch and diffusers; CPULevelTests re-runs those at each lower level.)
final class KernelLevelTests: XCTestCase {
    /// The kernel tables this CPU can run, lowest level first.
    static var levels: [(name: String, table: ck_kernel_table)] {
        [CK_LEVEL_BASELINE, CK_LEVEL_AVX2, CK_LEVEL_AVX512].compactMap { level in
            ck_kernels_at(level).map { (String(cString: ck_level_name(level)), $0.pointee) }
        }
    }

    /// Seeded uniform numbers in (−scale, scale) (a 64-bit LCG, as the old clone checker used).
    static func random(_ n: Int, scale: Float, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return scale * (2 * Float((state >> 40) & 0xffffff) / 16777216 - 1)
        }
    }

    static let n = 4099
    static let x: [Float] = {
        var x = random(1 << 16, scale: 12, seed: 42)
        x[7] = 200; x[8] = -200; x[9] = 1e5   // exp saturation; the libm path of sincos
        return x
    }()
    static let g = random(1 << 16, scale: 1, seed: 7)

    /// Every kernel's outputs on the seeded inputs, by name, computed with `t`.
    static func outputs(_ t: ck_kernel_table) -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        let n = self.n, x = self.x, g = self.g
        var a = [Float](repeating: 0, count: n), b = a, c = a
        t.silu!(x, &a, &b, n)
        out["silu"] = a
        t.silu_backward!(x, b, g, &c, n)
        out["silu_backward"] = c
        t.sincos!(x, &a, &b, n)
        out["sin"] = a; out["cos"] = b
        t.exp!(x, &a, n)
        out["exp"] = a
        var total: Float = 0
        t.sum!(g, n, &total)
        out["sum"] = [total]
        var rows = Array(x[0..<(37 * 97)])
        t.softmax_rows!(&rows, 37, 97)
        out["softmax_rows"] = rows
        var back = Array(g[0..<(37 * 97)])
        t.softmax_backward_rows!(rows, &back, 37, 97)
        out["softmax_backward_rows"] = back
        // Attention: 37 rows of 97 scores.
        var scores = Array(x[0..<(37 * 97)]), rowMax = [Float](repeating: 0, count: 37), rowInv = rowMax
        t.attention_exp_rows!(&scores, 37, 97, 0.3, &rowMax, &rowInv)
        out["attention_exp_rows"] = scores; out["row_inv"] = rowInv
        var probs = Array(x[0..<(37 * 97)])
        t.attention_probs!(&probs, 37, 97, 0.3, rowMax, rowInv)
        out["attention_probs"] = probs
        XCTAssertEqual(probs, (0..<(37 * 97)).map { scores[$0] * rowInv[$0 / 97] },
                       "attention_probs must recompute the forward's exponentials bit for bit")
        var dscores = Array(g[0..<(37 * 97)])
        t.attention_dscores!(probs, &dscores, 37, 97, x, 0.3)
        out["attention_dscores"] = dscores
        var dots = [Float](repeating: 0, count: 37)
        t.rowdot!(x, g, 37, 97, &dots)
        out["rowdot"] = dots
        var mean: Float = 0, variance: Float = 0
        t.moments!(x, n, &mean, &variance)
        out["moments"] = [mean, variance]
        t.affine!(x, &a, n, 0.7, -0.2, 0)
        out["affine"] = a
        t.affine!(x, &a, n, 0.7, -0.2, 1)
        out["affine_silu"] = a
        t.affine_silu_backward!(x, g, &a, n, 0.7, -0.2)
        out["affine_silu_backward"] = a
        var sumG: Float = 0, sumGX: Float = 0
        t.norm_backward_sums!(g, x, n, 0.3, &sumG, &sumGX)
        out["norm_backward_sums"] = [sumG, sumGX]
        t.norm_backward_apply!(g, x, &a, n, 0.5, 0.25, -0.1)
        out["norm_backward_apply"] = a
        // Winograd on a 13×11 plane with padding 1: 11×9 outputs, 3×3 tiles (partial ones included).
        let (h, w, p) = (13, 11, 1), (ho, wo) = (h + 2 * p - 2, w + 2 * p - 2), (th, tw) = ((ho + 3) / 4, (wo + 3) / 4)
        let tiles = th * tw, stride = tiles + 5
        var scratch = [Float](repeating: 0, count: ck_winograd_scratch(th, tw))
        var planes = [Float](repeating: 0, count: 36 * stride)
        t.winograd_input!(x, h, w, p, th, tw, &planes, stride, &scratch)
        out["winograd_input"] = (0..<36).flatMap { Array(planes[($0 * stride)..<($0 * stride + tiles)]) }
        var plane = [Float](repeating: 0, count: ho * wo)
        t.winograd_output!(g, stride, th, tw, ho, wo, 0.5, &plane, &scratch)
        out["winograd_output"] = plane
        t.winograd_output_grad!(g, ho, wo, th, tw, &planes, stride, &scratch)
        out["winograd_output_grad"] = (0..<36).flatMap { Array(planes[($0 * stride)..<($0 * stride + tiles)]) }
        var u = [Float](repeating: 0, count: 36 * 6 * 5)
        t.winograd_weights!(g, 30, 0, 30, &u)
        out["winograd_weights"] = u
        var dw = [Float](repeating: 0, count: 30 * 9)
        t.winograd_weights_grad!(g, 6, 5, &dw)
        out["winograd_weights_grad"] = dw
        for mode in 0..<3 {   // Adam, with L2 decay, AdamW: two steps from zero moments
            var p = Array(x[0..<n]), m = [Float](repeating: 0, count: n), v = m
            let hyper: [Float] = [0.9, 0.999, 1e-8, 0.1, 0.01, 0.01 / 0.1, Float(0.001.squareRoot())]
            t.adam!(&p, g, &m, &v, n, hyper, Int32(mode))
            t.adam!(&p, Array(g[1..<(n + 1)]), &m, &v, n, hyper, Int32(mode))
            out["adam \(mode)"] = p + m + v
        }
        return out
    }

    /// Largest |want − got| / max(|want|, 1); infinities and NaNs must match exactly.
    static func worst(_ want: [Float], _ got: [Float]) -> Float {
        guard want.count == got.count else { return .infinity }
        var d: Float = 0
        for (w, v) in zip(want, got) {
            if !w.isFinite || !v.isFinite {
                if !(w.isNaN && v.isNaN) && w != v { return .infinity }
                continue
            }
            d = max(d, abs(w - v) / max(abs(w), 1))
        }
        return d
    }

    func testEveryLevelAgreesWithTheBaseline() throws {
        let levels = Self.levels
        XCTAssertEqual(levels.first?.name, "baseline")
        let reference = Self.outputs(levels[0].table)
        XCTAssertEqual(MemoryLayout<ck_kernel_table>.size / MemoryLayout<UnsafeRawPointer>.size, 22,
                       "the table has a new kernel: compare it in `outputs` too")
        XCTAssertEqual(reference.count, 27)
        // Reductions may sum in another order; elementwise kernels differ by FMA contraction only;
        // Adam is computed without contraction, the same bits at every level.
        let reductions: Set = ["sum", "rowdot", "moments", "norm_backward_sums", "row_inv", "softmax_backward_rows"]
        for (name, table) in levels.dropFirst() {
            for (kernel, got) in Self.outputs(table) {
                let tolerance: Float = kernel.hasPrefix("adam") ? 0 : (reductions.contains(kernel) ? 2e-5 : 1e-6)
                let d = Self.worst(try XCTUnwrap(reference[kernel]), got)
                XCTAssertLessThanOrEqual(d, tolerance, "\(kernel) at \(name) differs from the baseline by \(d)")
            }
        }
    }

    func testEveryLevelMatchesDoublePrecision() {
        for (name, table) in Self.levels {
            let out = Self.outputs(table)
            var worstExp = 0.0, worstSilu = 0.0, worstSin = 0.0
            let full = Self.x[0..<Self.n]
            for (i, v) in full.enumerated() where abs(v) < 80 {
                let e = Foundation.exp(Double(v))
                worstExp = max(worstExp, abs(Double(out["exp"]![i]) - e) / e)
                worstSilu = max(worstSilu, abs(Double(out["silu"]![i]) - Double(v) / (1 + Foundation.exp(-Double(v)))))
                worstSin = max(worstSin, abs(Double(out["sin"]![i]) - Foundation.sin(Double(v))))
            }
            XCTAssertLessThan(worstExp, 3e-7, "exp at \(name)")
            XCTAssertLessThan(worstSilu, 1e-5, "silu at \(name)")
            XCTAssertLessThan(worstSin, 1e-6, "sin at \(name)")
            XCTAssertEqual(Double(out["sin"]![9]), Foundation.sin(1e5), accuracy: 1e-6, "sin beyond 8192 at \(name)")
            let mean = full.map(Double.init).reduce(0, +) / Double(full.count)
            XCTAssertEqual(Double(out["moments"]![0]), mean, accuracy: 1e-4, "mean at \(name)")
            // Every softmax row sums to 1; attention's exponentials times 1/Σ are softmax(0.3·x).
            let rows = out["softmax_rows"]!, exps = out["attention_exp_rows"]!, inverses = out["row_inv"]!
            var worstSoftmax = 0.0
            for r in 0..<37 {
                XCTAssertEqual(rows[(r * 97)..<((r + 1) * 97)].map(Double.init).reduce(0, +), 1, accuracy: 1e-5, "softmax row \(r) at \(name)")
                let z = (0..<97).map { Double(Float(0.3) * Self.x[r * 97 + $0]) }
                let top = z.max()!, total = z.map { Foundation.exp($0 - top) }.reduce(0, +)
                for k in 0..<97 {
                    let want = Foundation.exp(z[k] - top) / total
                    worstSoftmax = max(worstSoftmax, abs(Double(exps[r * 97 + k] * inverses[r]) - want))
                }
            }
            XCTAssertLessThan(worstSoftmax, 1e-6, "attention softmax at \(name)")
        }
    }
}
