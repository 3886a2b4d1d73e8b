import COpenBLAS

/// Winograd F(2×2, 3×3) convolution for 3×3, stride 1, dilation 1, groups 1 (Lavin & Gray 2015):
/// 16 products U_k·V_k of transformed weights [O, C] and transformed input tiles [C, tiles] replace
/// the im2col product, 2.25× fewer multiplications. Used for conv2d forward and, with the kernel
/// rotated and transposed, for its input gradient.
enum Winograd {
    /// Whether a conv of this geometry can run through Winograd.
    static func applies(_ g: Tensor.ConvGeometry) -> Bool {
        g.kh == 3 && g.kw == 3 && g.stride == 1 && g.dilation == 1 && g.groups == 1 && g.padding <= 2
            && g.ho >= 1 && g.wo >= 1
    }

    /// U = G·g·Gᵀ for every (o, c), laid out [16][O][C].
    static func transformWeights(_ w: UnsafePointer<Float>, o: Int, c: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 16 * o * c)
        for oc in 0..<o {
            for ic in 0..<c {
                let k = w + (oc * c + ic) * 9
                var t = [Float](repeating: 0, count: 12)   // G·g: 4×3
                for j in 0..<3 {
                    let g0 = k[j], g1 = k[3 + j], g2 = k[6 + j]
                    t[j] = g0
                    t[3 + j] = 0.5 * (g0 + g1 + g2)
                    t[6 + j] = 0.5 * (g0 - g1 + g2)
                    t[9 + j] = g2
                }
                for i in 0..<4 {
                    let a = t[i * 3], b = t[i * 3 + 1], cc = t[i * 3 + 2]
                    let vals = (a, 0.5 * (a + b + cc), 0.5 * (a - b + cc), cc)
                    let base = (i * 4) * o * c + oc * c + ic
                    u[base] = vals.0
                    u[base + o * c] = vals.1
                    u[base + 2 * o * c] = vals.2
                    u[base + 3 * o * c] = vals.3
                }
            }
        }
        return u
    }

    /// out[n, o, ho, wo] (+)= conv(x[n, c, h, w], weights) with zero padding `p`; `bias` optional.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: [Float]?, n: Int, c: Int,
                        h: Int, w width: Int, o: Int, padding p: Int, out: UnsafeMutablePointer<Float>) {
        let ho = h + 2 * p - 2, wo = width + 2 * p - 2
        let th = (ho + 1) / 2, tw = (wo + 1) / 2, tiles = th * tw
        let u = transformWeights(w, o: o, c: c)
        let perChunk = Swift.max(1, 2048 / Swift.max(tiles, 1))
        u.withUnsafeBufferPointer { pu in
            guard let u0 = pu.baseAddress else { return }
            Tensor.overBatch(n, work: n * o * ho * wo * c * 9) { _, first, end in
                let cols = Swift.min(perChunk, end - first) * tiles
                // The 16 transformed planes sit 4 KiB·k + 256 B·k apart so the 16 streams a tile
                // touches do not alias in the cache (plain c·cols strides are multiples of 4 KiB).
                let vK = (c * cols + 1023) / 1024 * 1024 + 64, mK = (o * cols + 1023) / 1024 * 1024 + 64
                var v = [Float](repeating: 0, count: 16 * vK)
                var m = [Float](repeating: 0, count: 16 * mK)
                // Padded plane: 2·th + 2 rows of 2·tw + 2 columns covers every tile.
                let pw = 2 * tw + 2, ph = 2 * th + 2
                var padded = [Float](repeating: 0, count: pw * ph)
                var scratch = [Float](repeating: 0, count: 16 + 4 * tw)
                v.withUnsafeMutableBufferPointer { pv in m.withUnsafeMutableBufferPointer { pm in
                padded.withUnsafeMutableBufferPointer { pp in scratch.withUnsafeMutableBufferPointer { ps in
                    guard let v0 = pv.baseAddress, let m0 = pm.baseAddress, let pad0 = pp.baseAddress,
                          let sc = ps.baseAddress else { return }
                    let tcol = sc, rowBuf = sc + 16
                    var s0 = first
                    while s0 < end {
                        let s1 = Swift.min(end, s0 + perChunk), ncol = (s1 - s0) * tiles
                        // V_k[c, col] = (Bᵀ·d·B)_k for each 4×4 input tile d, a tile row at a time from a
                        // zero-padded copy of the plane (branch-free, contiguous along the tiles).
                        for s in s0..<s1 {
                            for ic in 0..<c {
                                let plane = x + (s * c + ic) * h * width
                                for r in 0..<h { (pad0 + (r + p) * pw + p).update(from: plane + r * width, count: width) }
                                for ty in 0..<th {
                                    let r0 = pad0 + 2 * ty * pw, r1 = r0 + pw, r2 = r1 + pw, r3 = r2 + pw
                                    let dst = v0 + ic * ncol + (s - s0) * tiles + ty * tw
                                    let kStride = vK
                                    for tx in 0..<tw {
                                        let b = 2 * tx
                                        for j in 0..<4 {
                                            let d0 = r0[b + j], d1 = r1[b + j], d2 = r2[b + j], d3 = r3[b + j]
                                            tcol[j] = d0 - d2; tcol[4 + j] = d1 + d2; tcol[8 + j] = d2 - d1; tcol[12 + j] = d1 - d3
                                        }
                                        for i in 0..<4 {
                                            let a = tcol[4 * i], bb = tcol[4 * i + 1], cc = tcol[4 * i + 2], dd = tcol[4 * i + 3]
                                            dst[(4 * i) * kStride + tx] = a - cc
                                            dst[(4 * i + 1) * kStride + tx] = bb + cc
                                            dst[(4 * i + 2) * kStride + tx] = cc - bb
                                            dst[(4 * i + 3) * kStride + tx] = bb - dd
                                        }
                                    }
                                }
                            }
                        }
                        for k in 0..<16 {
                            cblas_sgemm_rm(false, false, o, ncol, c, u0 + k * o * c, v0 + k * vK, m0 + k * mK, beta: 0)
                        }
                        // Y = Aᵀ·M·A: a 2×2 output block per tile, written through a two-row buffer.
                        for s in s0..<s1 {
                            for oc in 0..<o {
                                let dst = out + (s * o + oc) * ho * wo
                                let b = bias?[oc] ?? 0
                                for ty in 0..<th {
                                    let mp = m0 + oc * ncol + (s - s0) * tiles + ty * tw, st = mK
                                    for tx in 0..<tw {
                                        var sA = (Float(0), Float(0), Float(0), Float(0)), sB = sA
                                        sA.0 = mp[tx] + mp[4 * st + tx] + mp[8 * st + tx]
                                        sA.1 = mp[st + tx] + mp[5 * st + tx] + mp[9 * st + tx]
                                        sA.2 = mp[2 * st + tx] + mp[6 * st + tx] + mp[10 * st + tx]
                                        sA.3 = mp[3 * st + tx] + mp[7 * st + tx] + mp[11 * st + tx]
                                        sB.0 = mp[4 * st + tx] - mp[8 * st + tx] - mp[12 * st + tx]
                                        sB.1 = mp[5 * st + tx] - mp[9 * st + tx] - mp[13 * st + tx]
                                        sB.2 = mp[6 * st + tx] - mp[10 * st + tx] - mp[14 * st + tx]
                                        sB.3 = mp[7 * st + tx] - mp[11 * st + tx] - mp[15 * st + tx]
                                        rowBuf[2 * tx] = sA.0 + sA.1 + sA.2 + b
                                        rowBuf[2 * tx + 1] = sA.1 - sA.2 - sA.3 + b
                                        rowBuf[2 * tw + 2 * tx] = sB.0 + sB.1 + sB.2 + b
                                        rowBuf[2 * tw + 2 * tx + 1] = sB.1 - sB.2 - sB.3 + b
                                    }
                                    (dst + 2 * ty * wo).update(from: rowBuf, count: wo)
                                    if 2 * ty + 1 < ho { (dst + (2 * ty + 1) * wo).update(from: rowBuf + 2 * tw, count: wo) }
                                }
                            }
                        }
                        s0 = s1
                    }
                } } } }
            }
        }
    }
}
