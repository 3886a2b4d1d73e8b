import CKernels

/// Convolutions with small output planes (8×8, 4×4: the deep layers of a UNet) as one product over
/// the whole batch: the im2col columns of all samples side by side, [C·kh·kw, N·ho·wo], so that the
/// weights [O, C·kh·kw] are packed once per call, not once per sample (per sample such a product has
/// only 16 or 64 columns for weights of up to 4608 columns). A 512→256 3×3 convolution on 4 samples
/// went from 122 to 150 GFLOP/s at 4×4, 181 to 187 at 8×8 (one Zen 5 core, thread CPU time).
/// Larger batches go in chunks of samples, so the columns stay within `columnBudget`.
enum ConvColumns {
    /// Output planes with fewer positions than this go through the batched product (tests set 0
    /// to send every convolution through the per-sample products).
    nonisolated(unsafe) static var maximumSpatial = 256
    /// The most column floats held at once (64 MB).
    static let columnBudget = 1 << 24

    /// Whether `g` runs here: several samples and small output planes.
    static func applies(_ g: Tensor.ConvGeometry) -> Bool { g.n > 1 && g.spatial < maximumSpatial }

    /// Samples per chunk.
    static func samplesPerChunk(_ g: Tensor.ConvGeometry) -> Int {
        Swift.max(1, Swift.min(g.n, columnBudget / Swift.max(1, g.colRows * g.spatial)))
    }

    /// body(first, count, columns) for each chunk of `count` samples from `first` (columns =
    /// count·ho·wo), until an interrupt is requested.
    static func forEachChunk(_ g: Tensor.ConvGeometry, _ body: (Int, Int, Int) -> Void) {
        let per = samplesPerChunk(g)
        for first in stride(from: 0, to: g.n, by: per) where !Engine.interruptRequested {
            let count = Swift.min(per, g.n - first)
            body(first, count, count * g.spatial)
        }
    }

    /// The im2col columns of group `grp` of samples first..<first+count, side by side in `col`
    /// (rows `cols` apart), one sample per part.
    static func unfold(_ x: UnsafePointer<Float>, _ g: Tensor.ConvGeometry, first: Int, count: Int, group grp: Int,
                       into col: UnsafeMutablePointer<Float>, cols: Int) {
        Engine.parallel(count) { k in
            Tensor.im2col(x + ((first + k) * g.c + grp * g.cg) * g.h * g.w, g, col + k * g.spatial, ld: cols)
        }
    }

    /// out[n, o, ho, wo] = conv(x, w) + bias, every element written.
    static func forward(_ x: [Float], _ w: [Float], _ bias: [Float]?, _ g: Tensor.ConvGeometry, into out: inout [Float]) {
        let per = samplesPerChunk(g)
        var col = Tensor.uninitializedScalars(g.colRows * per * g.spatial)
        var product = Tensor.uninitializedScalars(g.og * per * g.spatial)
        x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in out.withUnsafeMutableBufferPointer { po in
        col.withUnsafeMutableBufferPointer { pc in product.withUnsafeMutableBufferPointer { pp in
            guard let x0 = px.baseAddress, let w0 = pw.baseAddress, let o0 = po.baseAddress,
                  let c0 = pc.baseAddress, let p0 = pp.baseAddress else { return }
            forEachChunk(g) { first, count, cols in
                for grp in 0..<g.groups {
                    unfold(x0, g, first: first, count: count, group: grp, into: c0, cols: cols)
                    Gemm.parallel(false, false, g.og, cols, g.colRows, w0 + grp * g.og * g.colRows, c0, p0, beta: 0)
                    // [og, count·spatial] back to [count, o, spatial], plus the bias.
                    Engine.parallel(count) { k in
                        for oc in 0..<g.og {
                            let src = p0 + oc * cols + k * g.spatial
                            let dst = o0 + ((first + k) * g.o + grp * g.og + oc) * g.spatial
                            if let bias {
                                ck_affine(src, dst, g.spatial, 1, bias[grp * g.og + oc], 0)   // src·1 + b: exact
                            } else {
                                dst.update(from: src, count: g.spatial)
                            }
                        }
                    }
                }
            }
        } } } } }
    }

    /// The input and weight gradients (nil where not needed) for output gradient `gy`.
    static func backward(_ x: [Float], _ w: [Float], _ gy: [Float], _ g: Tensor.ConvGeometry,
                         needX: Bool, needW: Bool) -> ([Float]?, [Float]?) {
        var gx = [Float](repeating: 0, count: needX ? x.count : 0)   // col2im adds into it
        var gw = [Float](repeating: 0, count: needW ? w.count : 0)
        let per = samplesPerChunk(g)
        var col = Tensor.uninitializedScalars(g.colRows * per * g.spatial)
        var dy = Tensor.uninitializedScalars(g.og * per * g.spatial)
        x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in gy.withUnsafeBufferPointer { pg in
        gx.withUnsafeMutableBufferPointer { pgx in gw.withUnsafeMutableBufferPointer { pgw in
        col.withUnsafeMutableBufferPointer { pc in dy.withUnsafeMutableBufferPointer { pd in
            guard let x0 = px.baseAddress, let w0 = pw.baseAddress, let g0 = pg.baseAddress,
                  let c0 = pc.baseAddress, let d0 = pd.baseAddress else { return }
            forEachChunk(g) { first, count, cols in
                for grp in 0..<g.groups {
                    // dy of the chunk as [og, count·spatial].
                    Engine.parallel(count) { k in
                        for oc in 0..<g.og {
                            (d0 + oc * cols + k * g.spatial).update(
                                from: g0 + ((first + k) * g.o + grp * g.og + oc) * g.spatial, count: g.spatial)
                        }
                    }
                    if needW, let gw0 = pgw.baseAddress {
                        unfold(x0, g, first: first, count: count, group: grp, into: c0, cols: cols)
                        // dW += dy · colᵀ
                        Gemm.parallel(false, true, g.og, g.colRows, cols, d0, c0, gw0 + grp * g.og * g.colRows, beta: 1)
                    }
                    if needX, let gx0 = pgx.baseAddress {
                        // dcol = Wᵀ · dy, folded back into each sample's input gradient.
                        Gemm.parallel(true, false, g.colRows, cols, g.og, w0 + grp * g.og * g.colRows, d0, c0, beta: 0)
                        Engine.parallel(count) { k in
                            Tensor.col2im(c0 + k * g.spatial, g, gx0 + ((first + k) * g.c + grp * g.cg) * g.h * g.w, ld: cols)
                        }
                    }
                }
            }
        } } } } } } }
        return (needX ? gx : nil, needW ? gw : nil)
    }
}
