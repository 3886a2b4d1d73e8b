import XCTest
@testable import DSEngine

/// Plain NCHW convolution in Double.
func convRef(_ x: [Double], _ xs: [Int], _ w: [Double], _ ws: [Int], _ b: [Double]?, stride: Int, padding: Int,
             dilation: Int = 1, groups: Int = 1) -> [Double] {
    let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3]), (o, cg, kh, kw) = (ws[0], ws[1], ws[2], ws[3])
    let ho = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
    let wo = (wd + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
    let og = o / groups
    var out: [Double] = []
    for bi in 0..<n { for oc in 0..<o { for i in 0..<ho { for j in 0..<wo {
        var acc = b?[oc] ?? 0
        let grp = oc / og
        for ci in 0..<cg { for a in 0..<kh { for e in 0..<kw {
            let ih = i * stride - padding + a * dilation, iw = j * stride - padding + e * dilation
            if ih >= 0 && ih < h && iw >= 0 && iw < wd {
                acc += x[((bi * c + grp * cg + ci) * h + ih) * wd + iw] * w[((oc * cg + ci) * kh + a) * kw + e]
            }
        } } }
        out.append(acc)
    } } } }
    _ = c
    return out
}

/// Plain matrix product A[m,k]·B (B is [k,n], or [n,k] when transB) in Double.
func matRef(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transB: Bool) -> [Double] {
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for l in 0..<k {
        out[i * n + j] += a[i * k + l] * (transB ? b[j * k + l] : b[l * n + j])
    } } }
    return out
}

final class NNOpTests: XCTestCase {
    func testMatmulShapes() throws {
        let a = rnd([3, 4], seed: 1), b = rnd([4, 2], seed: 2)
        checkOp("matmul 2d", [a, b], reference: { v in matRef(v[0], v[1], m: 3, k: 4, n: 2, transB: false) }) {
            try $0[0].matmul($0[1])
        }
        checkOp("matmul batched broadcast", [rnd([2, 1, 3, 4], seed: 3), rnd([3, 4, 2], seed: 4)]) { try $0[0].matmul($0[1]) }
        checkOp("matmul vec", [rnd([4], seed: 5), b]) { try $0[0].matmul($0[1]) }
        checkOp("matmul mat-vec", [a, rnd([4], seed: 6)]) { try $0[0].matmul($0[1]) }
        checkOp("matmul dot", [rnd([4], seed: 7), rnd([4], seed: 8)], reference: { v in [(0..<4).reduce(0.0) { $0 + v[0][$1] * v[1][$1] }] }) {
            try $0[0].matmul($0[1])
        }
        XCTAssertEqual(try rnd([4], seed: 7).matmul(rnd([4], seed: 8)).shape, [])
        XCTAssertEqual(try rnd([4], seed: 7).matmul(rnd([2, 4, 3], seed: 8)).shape, [2, 3])
        XCTAssertThrowsError(try rnd([4], seed: 7).matmul(rnd([3], seed: 8)))
        XCTAssertEqual(try rnd([2, 1, 3, 4], seed: 3).matmul(rnd([3, 4, 2], seed: 4)).shape, [2, 3, 3, 2])
        XCTAssertThrowsError(try a.matmul(a)) { e in XCTAssertTrue("\(e)".contains("[3, 4] and [3, 4]")) }
    }

    func testLinear() {
        let x = rnd([5, 3], seed: 7), w = rnd([4, 3], seed: 8), b = rnd([4], seed: 9)
        checkOp("linear", [x, w, b], reference: { v in
            let p = matRef(v[0], v[1], m: 5, k: 3, n: 4, transB: true)
            return p.indices.map { p[$0] + v[2][$0 % 4] }
        }) { try Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        checkOp("linear 3d no bias", [rnd([2, 2, 3], seed: 10), w]) { try Tensor.linear($0[0], weight: $0[1], bias: nil) }
    }

    /// The cases run with Winograd taking every 3×3 stride-1 convolution it can (padding 0, 1, 2),
    /// then without it through im2col products over the whole batch and per sample (the tiled
    /// sizes, which are Winograd's concern, not per sample), so every path is checked whatever size
    /// picks between them.
    func testConv2dAgainstReference() {
        let saved = (Winograd.minimumOutputs, ConvColumns.maximumSpatial)
        defer { (Winograd.minimumOutputs, ConvColumns.maximumSpatial) = saved }
        for (path, winograd, batched) in [("winograd", 0, Int.max), ("im2col batched", Int.max, Int.max), ("im2col", Int.max, 0)] {
            (Winograd.minimumOutputs, ConvColumns.maximumSpatial) = (winograd, batched)
            checkConv2dCases(path, tiled: batched != 0)
        }
    }

    func checkConv2dCases(_ path: String, tiled withTiles: Bool) {
        let variants: [(Int, Int, Int, Int, Int, Int)] = [(3, 1, 1, 1, 1, 3), (3, 2, 1, 1, 1, 3), (1, 1, 0, 1, 1, 1),
                                                          (3, 1, 2, 2, 1, 3), (3, 1, 1, 1, 2, 3), (3, 1, 0, 1, 1, 3),
                                                          (3, 1, 2, 1, 1, 3)]
        for (k, s, p, d, g, _) in variants {
            let cin = 2 * g, cout = 2 * g
            let x = rnd([2, cin, 5, 4], seed: 20), w = rnd([cout, cin / g, k, k], seed: 21, scale: 0.5), b = rnd([cout], seed: 22)
            checkOp("\(path) conv k\(k) s\(s) p\(p) d\(d) g\(g)", [x, w, b], reference: { v in
                convRef(v[0], x.shape, v[1], w.shape, v[2], stride: s, padding: p, dilation: d, groups: g)
            }, forwardTol: 1e-5) {
                try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: s, padding: p, dilation: d, groups: g)
            }
        }
        // Winograd tiles cover 4×4 outputs: sizes that are not multiples of 4 leave partial tiles
        // (7×9 outputs, 1×1 outputs, a 2-wide strip), in the forward pass and both gradients.
        let tiled: [(h: Int, w: Int, p: Int, c: Int, o: Int)] = [(9, 11, 0, 2, 3), (7, 9, 1, 3, 2), (5, 7, 2, 2, 2),
                                                                  (3, 3, 0, 2, 2), (1, 1, 1, 2, 3), (6, 4, 0, 1, 2),
                                                                  (7, 9, 1, 16, 12)]
        for (i, t) in tiled.enumerated() where withTiles {
            let x = rnd([2, t.c, t.h, t.w], seed: 23 + UInt64(i)), b = rnd([t.o], seed: 40 + UInt64(i))
            let w = rnd([t.o, t.c, 3, 3], seed: 30 + UInt64(i), scale: 1 / Float(9 * t.c).squareRoot())   // unit-scale outputs
            checkOp("\(path) \(t.h)×\(t.w) p\(t.p) c\(t.c) o\(t.o)", [x, w, b], reference: { v in
                convRef(v[0], x.shape, v[1], w.shape, v[2], stride: 1, padding: t.p)
            }, forwardTol: 1e-5) {
                try Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: t.p)
            }
        }
        XCTAssertThrowsError(try Tensor.conv2d(rnd([1, 3, 4, 4], seed: 1), weight: rnd([2, 2, 3, 3], seed: 2)))
        XCTAssertThrowsError(try Tensor.conv2d(rnd([1, 2, 2, 2], seed: 1), weight: rnd([2, 2, 3, 3], seed: 2)))
    }

    func testResampling() throws {
        let x = rnd([1, 2, 3, 2], seed: 30)
        checkOp("upsample x2", [x]) { try $0[0].upsampleNearest(scale: 2) }
        let up = try x.upsampleNearest(scale: 2)
        XCTAssertEqual(up.shape, [1, 2, 6, 4])
        XCTAssertEqual(Array(up.scalars[0..<4]), [x.scalars[0], x.scalars[0], x.scalars[1], x.scalars[1]])
        checkOp("upsample x1.5", [x]) { try $0[0].upsampleNearest(scale: 1.5) }
        let y = rnd([1, 2, 4, 4], seed: 31)
        checkOp("avgpool 2", [y], reference: { v in
            var out: [Double] = []
            for c in 0..<2 { for i in 0..<2 { for j in 0..<2 {
                var acc = 0.0
                for r in 0..<2 { for e in 0..<2 { acc += v[0][c * 16 + (2 * i + r) * 4 + 2 * j + e] } }
                out.append(acc / 4)
            } } }
            return out
        }) { try $0[0].avgPool2d(kernel: 2) }
    }

    func testNorms() {
        let x = rnd([2, 4, 3], seed: 40), w = rnd([4], seed: 41), b = rnd([4], seed: 42)
        checkOp("group_norm", [x, w, b], reference: { v in
            var out = v[0]
            for n in 0..<2 { for g in 0..<2 {
                let idx: [Int] = (0..<6).map { n * 12 + g * 6 + $0 }
                var m = 0.0, va = 0.0
                for i in idx { m += v[0][i] / 6 }
                for i in idx { va += (v[0][i] - m) * (v[0][i] - m) / 6 }
                for i in idx {
                    let c = (i % 12) / 3
                    out[i] = (v[0][i] - m) / (va + 1e-5).squareRoot() * v[1][c] + v[2][c]
                }
            } }
            return out
        }, gradTol: 2e-2) { try Tensor.groupNorm($0[0], groups: 2, weight: $0[1], bias: $0[2]) }
        checkOp("group_norm silu", [x, w, b], gradTol: 2e-2) {
            try Tensor.groupNorm($0[0], groups: 2, weight: $0[1], bias: $0[2], silu: true)
        }
        let y = rnd([3, 5], seed: 43), lw = rnd([5], seed: 44), lb = rnd([5], seed: 45)
        checkOp("layer_norm", [y, lw, lb], gradTol: 2e-2) { try Tensor.layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2]) }
        checkOp("layer_norm plain", [y], gradTol: 2e-2) { try Tensor.layerNorm($0[0], normalizedShape: [5]) }
    }

    /// The fused group_norm + SiLU gives the numbers (and gradients) of the two ops composed.
    func testGroupNormSiLUMatchesComposition() throws {
        let x = rnd([2, 8, 5, 7], seed: 46, scale: 3), w = rnd([8], seed: 47), b = rnd([8], seed: 48)
        let gy = rnd([2, 8, 5, 7], seed: 49)
        func run(_ fused: Bool) throws -> [[Float]] {
            let xl = x.detach().requiringGrad(), wl = w.detach().requiringGrad(), bl = b.detach().requiringGrad()
            let y = fused ? try Tensor.groupNorm(xl, groups: 4, weight: wl, bias: bl, silu: true)
                : try Tensor.groupNorm(xl, groups: 4, weight: wl, bias: bl).silu()
            try y.backward(gy)
            return [y.scalars, xl.grad?.scalars ?? [], wl.grad?.scalars ?? [], bl.grad?.scalars ?? []]
        }
        for (i, (f, c)) in zip(try run(true), try run(false)).enumerated() {
            XCTAssertEqual(f.count, c.count)
            assertClose(f, c, atol: 1e-5, rtol: 1e-5, "fused group_norm silu output \(i)")
        }
    }

    /// The fused attention (blocks of 64 query rows, a partial last block, several batch entries
    /// and threads) gives the composite's values and gradients; a zero mask selects the composite.
    func testFusedAttentionMatchesComposite() throws {
        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 3
        let q = rnd([2, 3, 150, 8], seed: 58), k = rnd([2, 3, 70, 8], seed: 59, scale: 2), v = rnd([2, 3, 70, 5], seed: 60)
        let gy = rnd([2, 3, 150, 5], seed: 61)
        func run(_ fused: Bool) throws -> [[Float]] {
            let ql = q.detach().requiringGrad(), kl = k.detach().requiringGrad(), vl = v.detach().requiringGrad()
            let mask = fused ? nil : try Tensor.zeros([150, 70])
            let y = try Tensor.scaledDotProductAttention(ql, kl, vl, mask: mask)
            try y.backward(gy)
            return [y.scalars, ql.grad?.scalars ?? [], kl.grad?.scalars ?? [], vl.grad?.scalars ?? []]
        }
        for (i, (f, c)) in zip(try run(true), try run(false)).enumerated() {
            XCTAssertEqual(f.count, c.count)
            assertClose(f, c, atol: 1e-5, rtol: 1e-4, "fused attention output \(i)")
        }
    }

    func testAttentionAndMSE() {
        let q = rnd([2, 3, 4], seed: 50), k = rnd([2, 5, 4], seed: 51), v = rnd([2, 5, 2], seed: 52)
        checkOp("sdpa", [q, k, v]) { try Tensor.scaledDotProductAttention($0[0], $0[1], $0[2]) }
        checkOp("sdpa 4-d, scale", [rnd([2, 2, 3, 4], seed: 55), rnd([2, 2, 6, 4], seed: 56), rnd([2, 2, 6, 3], seed: 57)]) {
            try Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], scale: 0.7)
        }
        let a = rnd([3, 2], seed: 53), b = rnd([3, 2], seed: 54)
        checkOp("mse", [a, b], reference: { v in
            var acc = 0.0
            for i in 0..<6 { acc += (v[0][i] - v[1][i]) * (v[0][i] - v[1][i]) }
            return [acc / 6]
        }) {
            try Tensor.mse($0[0], $0[1])
        }
    }
}

final class ConvThreadingTests: XCTestCase {
    /// Winograd with the samples split across the threads (enough tiles for each) and with one chunk
    /// sharing the threads (one thread, or a small batch) gives the im2col numbers, forward and backward.
    func testWinogradSplitAndSharedChunksMatchIm2col() throws {
        let saved = (Engine.threads, Winograd.minimumOutputs)
        defer { (Engine.threads, Winograd.minimumOutputs) = saved }
        let x = rnd([8, 4, 32, 32], seed: 70), w = rnd([6, 4, 3, 3], seed: 71, scale: 0.2)
        func run(threads: Int, winograd: Bool) throws -> [[Float]] {
            (Engine.threads, Winograd.minimumOutputs) = (threads, winograd ? 0 : Int.max)
            let xl = x.detach().requiringGrad(), wl = w.detach().requiringGrad()
            let y = try Tensor.conv2d(xl, weight: wl, padding: 1)
            try y.mul(y).sum().backward()
            return [y.scalars, xl.grad?.scalars ?? [], wl.grad?.scalars ?? []]
        }
        let reference = try run(threads: 1, winograd: false)
        for threads in [1, 2] {
            Engine.threads = threads
            XCTAssertEqual(Winograd.workers(n: 8, tiles: 64), threads, "8 samples of 64 tiles: split across 2, shared by 1")
            for (i, (a, b)) in zip(reference, try run(threads: threads, winograd: true)).enumerated() {
                let scale = a.map { Swift.abs($0) }.max() ?? 0
                assertClose(b, a, atol: 1e-4 * Swift.max(1, scale), rtol: 1e-3, "winograd output \(i), \(threads) threads")
            }
        }
    }

    /// The batch-parallel path (large enough work, several threads) gives the serial numbers.
    func testBatchParallelConvMatchesSerial() throws {
        let saved = Engine.threads
        defer { Engine.threads = saved }
        let x = rnd([8, 16, 16, 16], seed: 60), w = rnd([16, 16, 3, 3], seed: 61, scale: 0.1), b = rnd([16], seed: 62)
        func run(_ threads: Int) throws -> [[Float]] {
            Engine.threads = threads
            let xl = x.detach().requiringGrad(), wl = w.detach().requiringGrad(), bl = b.detach().requiringGrad()
            let y = try Tensor.conv2d(xl, weight: wl, bias: bl, padding: 1)
            try y.mul(y).sum().backward()
            return [y.scalars, xl.grad?.scalars ?? [], wl.grad?.scalars ?? [], bl.grad?.scalars ?? []]
        }
        let serial = try run(1), parallel = try run(3)
        // The weight and bias gradients are sums over the batch split differently between threads, so
        // they agree to rounding relative to their largest entry, not entry by entry.
        for (i, (a, b)) in zip(serial, parallel).enumerated() {
            let scale = a.map { Swift.abs($0) }.max() ?? 0
            assertClose(b, a, atol: Swift.max(1e-4, 1e-6 * scale), rtol: 1e-4, "threaded conv output \(i)")
        }
    }
}
