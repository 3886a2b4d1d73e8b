import CKernels
import DSLimits

/// 2-D convolution (im2col + sgemm) and spatial resampling primitives, NCHW layout.
extension Tensor {
    /// Geometry of one conv2d call.
    struct ConvGeometry {
        let n, c, h, w, o, kh, kw, stride, padding, dilation, groups, ho, wo: Int
        var cg: Int { c / groups }
        var og: Int { o / groups }
        var colRows: Int { cg * kh * kw }
        var spatial: Int { ho * wo }
        var isPointwise: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }
    }

    /// The output columns `lo..<hi` whose input column `ow·stride + off` lies inside [0, w).
    @inline(__always)
    static func validRange(_ off: Int, _ g: ConvGeometry) -> (Int, Int) {
        let lo = off >= 0 ? 0 : (-off + g.stride - 1) / g.stride
        let hi = g.w - off <= 0 ? 0 : Swift.min(g.wo, (g.w - off + g.stride - 1) / g.stride)
        return (Swift.min(lo, hi), hi)
    }

    /// Walks the rows of one image group's `col` matrix ([cg·kh·kw, ho·wo], rows `ld` apart), one
    /// output row (`wo` columns) at a time: `body(at, from, lo, hi)` with `at` the offset of that
    /// output row in `col`, `from` the offset in the image of the input pixel under output column 0
    /// (column `ow` reads `from + ow·stride`), or nil when the output row lies in the padding, and
    /// `lo..<hi` the output columns that read inside the image.
    @inline(__always)
    static func forEachColumnRow(_ g: ConvGeometry, ld: Int, _ body: (_ at: Int, _ from: Int?, _ lo: Int, _ hi: Int) -> Void) {
        for c in 0..<g.cg {
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let row = ((c * g.kh + i) * g.kw + j) * ld
                    let off = j * g.dilation - g.padding
                    let (lo, hi) = validRange(off, g)
                    for oh in 0..<g.ho {
                        let ih = oh * g.stride - g.padding + i * g.dilation
                        body(row + oh * g.wo, ih < 0 || ih >= g.h ? nil : (c * g.h + ih) * g.w + off, lo, hi)
                    }
                }
            }
        }
    }

    /// Unfolds the channels of one image group into `col` ([cg·kh·kw, ho·wo], rows `ld` apart:
    /// `ld` > ho·wo puts several images side by side).
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        forEachColumnRow(g, ld: ld) { at, from, lo, hi in
            let dst = col + at
            guard let from else {
                dst.update(repeating: 0, count: g.wo)
                return
            }
            let src = x + from
            for ow in 0..<lo { dst[ow] = 0 }
            if g.stride == 1 {
                (dst + lo).update(from: src + lo, count: hi - lo)
            } else {
                for ow in lo..<hi { dst[ow] = src[ow * g.stride] }
            }
            for ow in hi..<g.wo { dst[ow] = 0 }
        }
    }

    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>) {
        im2col(x, g, col, ld: g.spatial)
    }

    /// Folds `col` (rows `ld` apart) back into the image gradient, adding overlapping contributions.
    static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>, ld: Int) {
        forEachColumnRow(g, ld: ld) { at, from, lo, hi in
            guard let from else { return }
            let src = col + at, dst = x + from
            if g.stride == 1 {
                for ow in lo..<hi { dst[ow] += src[ow] }
            } else {
                for ow in lo..<hi { dst[ow * g.stride] += src[ow] }
            }
        }
    }

    static func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>) {
        col2im(col, g, x, ld: g.spatial)
    }

    /// conv2d over NCHW input with weight [O, C/groups, KH, KW] and optional bias [O], as
    /// `torch.nn.functional.conv2d`. Primitive: backward gives input, weight and bias gradients.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                              padding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        guard x.rank == 4, weight.rank == 4 else {
            throw TensorError("conv2d: expected input [N, C, H, W] and weight [O, C, KH, KW], got \(x.shape) and \(weight.shape)")
        }
        guard stride >= 1, padding >= 0, dilation >= 1, groups >= 1 else {
            throw TensorError("conv2d: stride and dilation must be ≥ 1, padding ≥ 0, groups ≥ 1")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cw, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        guard c % groups == 0, o % groups == 0, cw * groups == c else {
            throw TensorError("conv2d: input shape \(x.shape) does not match weight shape \(weight.shape) with groups \(groups)")
        }
        if let bias, bias.shape != [o] {
            throw TensorError("conv2d: bias shape \(bias.shape) does not match \(o) output channels")
        }
        let ho = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
        let wo = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
        guard h + 2 * padding - dilation * (kh - 1) - 1 >= 0, w + 2 * padding - dilation * (kw - 1) - 1 >= 0 else {
            throw TensorError("conv2d: kernel \([kh, kw]) is larger than the padded input \(x.shape)")
        }
        let g = ConvGeometry(n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, stride: stride, padding: padding,
                             dilation: dilation, groups: groups, ho: ho, wo: wo)
        let outShape = [n, o, ho, wo]
        _ = try checkedAllocation(outShape)
        _ = try checkedAllocation([g.colRows, g.spatial])
        let out = convForward(x.scalars, weight.scalars, bias?.scalars, g)
        let xv = x.scalars, wv = weight.scalars
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor(unchecked: outShape, out).recorded("conv2d", inputs) { gy in
            let (gx, gw, gb) = convBackward(xv, wv, gy.scalars, g, needX: needX, needW: needW, needB: needB)
            let grads: [Tensor?] = [gx.map { Tensor(unchecked: [n, c, h, w], $0) },
                                    gw.map { Tensor(unchecked: [o, cw, kh, kw], $0) },
                                    gb.map { Tensor(unchecked: [o], $0) }]
            return Array(grads.prefix(inputs.count))
        }
    }

    /// Splits the batch across the engine threads, each worker running single-threaded sgemm on its
    /// own samples (small per-sample products scale better this way than split inside).
    /// `body(worker, first, end, alone)`: `alone` is true when one worker has the whole batch, and then
    /// its products should split themselves (`Gemm.product(alone, ...)`). Returns the workers used.
    @discardableResult
    static func overBatch(_ n: Int, work: Int, _ body: (Int, Int, Int, Bool) -> Void) -> Int {
        let workers = Swift.min(Engine.threads, n)
        if workers <= 1 || work < 1 << 22 {
            body(0, 0, n, true)
            return 1
        }
        Engine.parallel(workers) { w in
            body(w, n * w / workers, n * (w + 1) / workers, false)
        }
        return workers
    }

    static func convForward(_ x: [Float], _ w: [Float], _ bias: [Float]?, _ g: ConvGeometry) -> [Float] {
        var out = uninitializedScalars(g.n * g.o * g.spatial)   // every element is written below
        if Winograd.applies(g) {
            x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in out.withUnsafeMutableBufferPointer { po in
                guard let x0 = px.baseAddress, let w0 = pw.baseAddress, let o0 = po.baseAddress else { return }
                Winograd.forward(x0, w0, bias, n: g.n, c: g.c, h: g.h, w: g.w, o: g.o, padding: g.padding, out: o0)
            } } }
            return out
        }
        if ConvColumns.applies(g) {
            ConvColumns.forward(x, w, bias, g, into: &out)
            return out
        }
        let colSize = g.isPointwise ? 0 : g.colRows * g.spatial
        let workers = Swift.max(1, Swift.min(Engine.threads, g.n))
        var cols = uninitializedScalars(colSize * workers)   // im2col or a beta-0 product fills it
        x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in
        out.withUnsafeMutableBufferPointer { po in cols.withUnsafeMutableBufferPointer { pc in
            guard let x0 = px.baseAddress, let w0 = pw.baseAddress, let o0 = po.baseAddress else { return }
            let c0 = pc.baseAddress
            overBatch(g.n, work: g.n * g.o * g.spatial * g.colRows) { worker, first, end, alone in
                for b in first..<end where !Engine.interruptRequested {
                    for grp in 0..<g.groups {
                        let img = x0 + (b * g.c + grp * g.cg) * g.h * g.w
                        let src: UnsafePointer<Float>
                        if g.isPointwise { src = img } else {
                            guard let col = c0.map({ $0 + worker * colSize }) else { return }
                            im2col(img, g, col)
                            src = UnsafePointer(col)
                        }
                        let dst = o0 + (b * g.o + grp * g.og) * g.spatial
                        if let bias {
                            for oc in 0..<g.og {
                                (dst + oc * g.spatial).update(repeating: bias[grp * g.og + oc], count: g.spatial)
                            }
                        }
                        Gemm.product(alone, false, false, g.og, g.spatial, g.colRows, w0 + grp * g.og * g.colRows,
                                       src, dst, beta: bias == nil ? 0 : 1)
                    }
                }
            }
        } } } }
        return out
    }

    static func convBackward(_ x: [Float], _ w: [Float], _ gy: [Float], _ g: ConvGeometry,
                             needX: Bool, needW: Bool, needB: Bool) -> ([Float]?, [Float]?, [Float]?) {
        if Winograd.applies(g) {
            var gx: [Float]?, gw: [Float]?
            if needX {
                // dX = conv(dy, rot180(W)ᵀ, padding 2 − p): the transposed convolution of a stride-1 3×3.
                var wt = uninitializedScalars(w.count)
                for oc in 0..<g.o { for ic in 0..<g.c { for i in 0..<9 { wt[(ic * g.o + oc) * 9 + 8 - i] = w[(oc * g.c + ic) * 9 + i] } } }
                var d = uninitializedScalars(x.count)
                gy.withUnsafeBufferPointer { pg in wt.withUnsafeBufferPointer { pw in d.withUnsafeMutableBufferPointer { po in
                    guard let g0 = pg.baseAddress, let w0 = pw.baseAddress, let o0 = po.baseAddress else { return }
                    Winograd.forward(g0, w0, nil, n: g.n, c: g.o, h: g.ho, w: g.wo, o: g.c, padding: 2 - g.padding, out: o0)
                } } }
                gx = d
            }
            if needW {
                x.withUnsafeBufferPointer { px in gy.withUnsafeBufferPointer { pg in
                    guard let x0 = px.baseAddress, let g0 = pg.baseAddress else { return }
                    gw = Winograd.weightGradient(x0, g0, n: g.n, c: g.c, h: g.h, w: g.w, o: g.o, padding: g.padding)
                } }
            }
            return (gx, gw, needB ? biasGradient(gy, g) : nil)
        }
        if ConvColumns.applies(g) {
            let (gx, gw) = ConvColumns.backward(x, w, gy, g, needX: needX, needW: needW)
            return (gx, gw, needB ? biasGradient(gy, g) : nil)
        }
        let workers = Swift.max(1, Swift.min(Engine.threads, g.n))
        var gx = [Float](repeating: 0, count: needX ? x.count : 0)
        // One weight-gradient accumulator per worker, summed at the end.
        var gws = [Float](repeating: 0, count: needW ? w.count * workers : 0)
        let colSize = g.isPointwise && !needX ? 0 : g.colRows * g.spatial
        var cols = uninitializedScalars(colSize * workers)   // im2col or a beta-0 product fills it
        x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in gy.withUnsafeBufferPointer { pg in
        gx.withUnsafeMutableBufferPointer { pgx in gws.withUnsafeMutableBufferPointer { pgw in
        cols.withUnsafeMutableBufferPointer { pc in
            guard let x0 = px.baseAddress, let w0 = pw.baseAddress, let g0 = pg.baseAddress else { return }
            let gx0 = pgx.baseAddress, gw0 = pgw.baseAddress, cbase = pc.baseAddress
            overBatch(g.n, work: g.n * g.o * g.spatial * g.colRows) { worker, first, end, alone in
                let col = cbase.map { $0 + worker * colSize }
                let gwAcc = gw0.map { $0 + worker * w.count }
                for b in first..<end where !Engine.interruptRequested {
                    for grp in 0..<g.groups {
                        let img = x0 + (b * g.c + grp * g.cg) * g.h * g.w
                        let dy = g0 + (b * g.o + grp * g.og) * g.spatial
                        if needW, let gwAcc {
                            let src: UnsafePointer<Float>
                            if g.isPointwise { src = img } else {
                                guard let col else { return }
                                im2col(img, g, col)
                                src = UnsafePointer(col)
                            }
                            Gemm.product(alone, false, true, g.og, g.colRows, g.spatial, dy, src,
                                           gwAcc + grp * g.og * g.colRows, beta: 1)
                        }
                        if needX, let gx0, let col {
                            let dst = gx0 + (b * g.c + grp * g.cg) * g.h * g.w
                            if g.isPointwise {
                                Gemm.product(alone, true, false, g.colRows, g.spatial, g.og, w0 + grp * g.og * g.colRows, dy, dst, beta: 1)
                            } else {
                                Gemm.product(alone, true, false, g.colRows, g.spatial, g.og, w0 + grp * g.og * g.colRows, dy, col, beta: 0)
                                col2im(col, g, dst)
                            }
                        }
                    }
                }
            }
        } } } } } }
        var gw: [Float] = []
        if needW {
            gw = Array(gws[0..<w.count])
            for k in 1..<workers { for i in 0..<w.count { gw[i] += gws[k * w.count + i] } }
        }
        return (needX ? gx : nil, needW ? gw : nil, needB ? biasGradient(gy, g) : nil)
    }

    /// The bias gradient: dy summed over the batch and the positions of each output channel.
    static func biasGradient(_ gy: [Float], _ g: ConvGeometry) -> [Float] {
        var gb = [Float](repeating: 0, count: g.o)
        gy.withUnsafeBufferPointer { pg in
            guard let g0 = pg.baseAddress else { return }
            for b in 0..<g.n {
                for oc in 0..<g.o {
                    var acc: Float = 0
                    ck_sum(g0 + (b * g.o + oc) * g.spatial, g.spatial, &acc)
                    gb[oc] += acc
                }
            }
        }
        return gb
    }

    /// Nearest-neighbour upsampling of NCHW input by `scale` (integer or not), as
    /// `F.interpolate(mode="nearest", scale_factor=scale)`: source index floor(dst / scale).
    public func upsampleNearest(scale: Double = 2) throws -> Tensor {
        guard rank == 4 else { throw TensorError("upsample: expected [N, C, H, W], got \(shape)") }
        guard scale > 0, scale.isFinite else { throw TensorError("upsample: scale must be positive, got \(NumberText.plain(scale))") }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let limit = Double(Engine.maxElements)
        guard Double(h) * scale <= limit, Double(w) * scale <= limit else {
            throw TensorError("upsample: scale \(scale) makes input \(shape) too large")
        }
        let ho = Int((Double(h) * scale).rounded(.down)), wo = Int((Double(w) * scale).rounded(.down))
        let outShape = [n, c, ho, wo]
        let total = try Tensor.checkedAllocation(outShape)
        let rowMap = (0..<ho).map { Swift.min(Int((Double($0) / scale).rounded(.down)), h - 1) }
        let colMap = (0..<wo).map { Swift.min(Int((Double($0) / scale).rounded(.down)), w - 1) }
        var out = [Float](repeating: 0, count: total)
        scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for p in 0..<(n * c) {
                    for i in 0..<ho {
                        let src = p * h * w + rowMap[i] * w, dst = (p * ho + i) * wo
                        for j in 0..<wo { po[dst + j] = px[src + colMap[j]] }
                    }
                }
            }
        }
        let inShape = shape
        return Tensor(unchecked: outShape, out).recorded("upsample_nearest", [self]) { g in
            var gx = [Float](repeating: 0, count: n * c * h * w)
            for p in 0..<(n * c) {
                for i in 0..<ho {
                    let dst = p * h * w + rowMap[i] * w, src = (p * ho + i) * wo
                    for j in 0..<wo { gx[dst + colMap[j]] += g.scalars[src + j] }
                }
            }
            return [Tensor(unchecked: inShape, gx)]
        }
    }

    /// Average pooling of NCHW input with a square `kernel` and `stride` (default = kernel), no padding.
    public func avgPool2d(kernel: Int = 2, stride: Int? = nil) throws -> Tensor {
        let s = stride ?? kernel
        guard rank == 4 else { throw TensorError("avg_pool2d: expected [N, C, H, W], got \(shape)") }
        guard kernel >= 1, s >= 1, shape[2] >= kernel, shape[3] >= kernel else {
            throw TensorError("avg_pool2d: kernel \(kernel) / stride \(s) do not fit input \(shape)")
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let ho = (h - kernel) / s + 1, wo = (w - kernel) / s + 1
        let scale = 1 / Float(kernel * kernel)
        var out = [Float](repeating: 0, count: n * c * ho * wo)
        scalars.withUnsafeBufferPointer { px in
            for p in 0..<(n * c) { for i in 0..<ho { for j in 0..<wo {
                var acc: Float = 0
                for a in 0..<kernel { for b in 0..<kernel { acc += px[p * h * w + (i * s + a) * w + j * s + b] } }
                out[(p * ho + i) * wo + j] = acc * scale
            } } }
        }
        let inShape = shape
        return Tensor(unchecked: [n, c, ho, wo], out).recorded("avg_pool2d", [self]) { g in
            var gx = [Float](repeating: 0, count: n * c * h * w)
            for p in 0..<(n * c) { for i in 0..<ho { for j in 0..<wo {
                let v = g.scalars[(p * ho + i) * wo + j] * scale
                for a in 0..<kernel { for b in 0..<kernel { gx[p * h * w + (i * s + a) * w + j * s + b] += v } }
            } } }
            return [Tensor(unchecked: inShape, gx)]
        }
    }
}
