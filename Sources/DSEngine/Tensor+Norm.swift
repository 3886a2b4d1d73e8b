import CKernels

/// Normalisation primitives (fused forward and backward) and the MSE composite.
extension Tensor {
    /// Normalises `rows` groups of `channels × block` contiguous elements (biased variance); the affine
    /// parameters are indexed `paramBase(row) + channel` and constant over a block. Shared by
    /// group_norm (block = spatial size) and layer_norm (block = 1). Fused forward and backward.
    /// With `silu` the output is SiLU of the normalised value (one pass instead of two, and no
    /// intermediate tensor); the backward pass recomputes the pre-activation from the saved moments.
    static func normalize(_ x: Tensor, rows: Int, channels: Int, block: Int, eps: Float, weight: Tensor?,
                          bias: Tensor?, silu: Bool = false, name: String, paramBase: @escaping (Int) -> Int) -> Tensor {
        let size = channels * block
        var y = uninitializedScalars(x.count)
        var means = [Float](repeating: 0, count: rows), rstds = [Float](repeating: 0, count: rows)
        let wv = weight?.scalars, bv = bias?.scalars
        let bases = (0..<rows).map(paramBase)
        /// Channel c of row r maps x to x·scale + shift = (x − mean)·rstd·w + b.
        func affine(_ r: Int, _ c: Int, mean: Float, rstd: Float) -> (scale: Float, shift: Float) {
            let w = wv.map { $0[bases[r] + c] } ?? 1, b = bv.map { $0[bases[r] + c] } ?? 0
            let scale = w * rstd
            return (scale, b - mean * scale)
        }
        x.scalars.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
        means.withUnsafeMutableBufferPointer { pm in rstds.withUnsafeMutableBufferPointer { pr in
            guard let x0 = px.baseAddress, let y0 = py.baseAddress, let m0 = pm.baseAddress, let r0 = pr.baseAddress else { return }
            Engine.parallelFor(rows, grain: Swift.max(1, 32768 / Swift.max(size, 1))) { s, e in
                for r in s..<e {
                    let row = x0 + r * size
                    var mean: Float = 0, variance: Float = 0
                    ck_moments(row, size, &mean, &variance)
                    let rstd = 1 / (variance + eps).squareRoot()
                    m0[r] = mean; r0[r] = rstd
                    let out = y0 + r * size
                    for c in 0..<channels {
                        let (scale, shift) = affine(r, c, mean: mean, rstd: rstd)
                        if block == 1 && !silu { out[c] = row[c] * scale + shift } else {
                            ck_affine(row + c * block, out + c * block, block, scale, shift, silu ? 1 : 0)
                        }
                    }
                }
            }
        } } } }
        let xs = x.scalars, shape = x.shape
        let wShape = weight?.shape, bShape = bias?.shape
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad
        /// The gradient with respect to the pre-activation a = x̂·w + b: g·σ(a)·(1 + a·(1 − σ(a))).
        func siluGradient(_ g: [Float]) -> [Float] {
            var out = uninitializedScalars(g.count)
            g.withUnsafeBufferPointer { pg in xs.withUnsafeBufferPointer { px in out.withUnsafeMutableBufferPointer { po in
                guard let g0 = pg.baseAddress, let x0 = px.baseAddress, let o0 = po.baseAddress else { return }
                Engine.parallelFor(rows, grain: Swift.max(1, 16384 / Swift.max(size, 1))) { s, e in
                    for r in s..<e {
                        for c in 0..<channels {
                            let (scale, shift) = affine(r, c, mean: means[r], rstd: rstds[r]), at = r * size + c * block
                            ck_affine_silu_backward(x0 + at, g0 + at, o0 + at, block, scale, shift)
                        }
                    }
                }
            } } }
            return out
        }
        return Tensor(unchecked: shape, y).recorded(name, inputs) { g in
            var gx = uninitializedScalars(needX ? xs.count : 0)
            // Per (row, channel) sums of g and g·x̂, reduced into the affine gradients afterwards.
            var sg = [Float](repeating: 0, count: rows * channels), sgx = [Float](repeating: 0, count: rows * channels)
            let gEff = silu ? siluGradient(g.scalars) : g.scalars
            gEff.withUnsafeBufferPointer { pg in xs.withUnsafeBufferPointer { px in
            gx.withUnsafeMutableBufferPointer { pgx in sg.withUnsafeMutableBufferPointer { psg in
            sgx.withUnsafeMutableBufferPointer { psgx in
                guard let g0 = pg.baseAddress, let x0 = px.baseAddress, let sg0 = psg.baseAddress,
                      let sgx0 = psgx.baseAddress else { return }
                let gx0 = pgx.baseAddress
                Engine.parallelFor(rows, grain: Swift.max(1, 16384 / Swift.max(size, 1))) { s, e in
                    for r in s..<e {
                        let m = means[r], rstd = rstds[r]
                        var sumG: Float = 0, sumGX: Float = 0
                        for c in 0..<channels {
                            let gr = g0 + r * size + c * block, xr = x0 + r * size + c * block
                            var a: Float = 0, b: Float = 0
                            if block == 1 { a = gr[0]; b = gr[0] * (xr[0] - m) } else {
                                ck_norm_backward_sums(gr, xr, block, m, &a, &b)
                            }
                            b *= rstd
                            sg0[r * channels + c] = a; sgx0[r * channels + c] = b
                            let w = wv.map { $0[bases[r] + c] } ?? 1
                            sumG += a * w; sumGX += b * w
                        }
                        guard let gx0 else { continue }
                        let meanG = sumG / Float(size), meanGX = sumGX / Float(size)
                        for c in 0..<channels {
                            let w = wv.map { $0[bases[r] + c] } ?? 1
                            let gr = g0 + r * size + c * block, xr = x0 + r * size + c * block, out = gx0 + r * size + c * block
                            let k1 = rstd * w, k2 = rstd * meanGX * rstd, k3 = -rstd * meanG + k2 * m
                            if block == 1 { out[0] = k1 * gr[0] - k2 * xr[0] + k3 } else {
                                ck_norm_backward_apply(gr, xr, out, block, k1, k2, k3)
                            }
                        }
                    }
                }
            } } } } }
            var grads: [Tensor?] = [needX ? Tensor(unchecked: shape, gx) : nil]
            let nParams = wv?.count ?? bv?.count ?? 0
            if let wShape {
                var gw = [Float](repeating: 0, count: nParams)
                for r in 0..<rows { for c in 0..<channels { gw[bases[r] + c] += sgx[r * channels + c] } }
                grads.append(Tensor(unchecked: wShape, gw))
            }
            if let bShape {
                var gb = [Float](repeating: 0, count: nParams)
                for r in 0..<rows { for c in 0..<channels { gb[bases[r] + c] += sg[r * channels + c] } }
                grads.append(Tensor(unchecked: bShape, gb))
            }
            return grads
        }
    }

    /// Group normalisation of [N, C, *] input over `groups` channel groups (biased variance), with
    /// optional per-channel affine `weight`/`bias` [C], as `F.group_norm`; with `silu`, followed by
    /// SiLU in the same pass (`F.silu(F.group_norm(...))`, the pre-activation of every ResNet block).
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5, silu: Bool = false) throws -> Tensor {
        guard x.rank >= 2 else { throw TensorError("group_norm: expected [N, C, ...], got \(x.shape)") }
        let n = x.shape[0], c = x.shape[1], spatial = x.shape[2...].reduce(1, *)
        guard groups >= 1, c % groups == 0 else {
            throw TensorError("group_norm: \(c) channels cannot be split into \(groups) groups")
        }
        for p in [weight, bias].compactMap({ $0 }) where p.shape != [c] {
            throw TensorError("group_norm: affine parameter shape \(p.shape) does not match [\(c)]")
        }
        let cg = c / groups
        guard n * groups > 0, cg * spatial > 0 else { return x }
        try reserve(x.count, x.shape)
        return normalize(x, rows: n * groups, channels: cg, block: spatial, eps: eps, weight: weight, bias: bias,
                         silu: silu, name: silu ? "group_norm_silu" : "group_norm") { r in (r % groups) * cg }
    }

    /// Layer normalisation over the trailing axes `normalizedShape` with optional elementwise affine
    /// parameters of that shape, as `F.layer_norm`.
    public static func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5) throws -> Tensor {
        guard !normalizedShape.isEmpty, x.rank >= normalizedShape.count,
              Array(x.shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw TensorError("layer_norm: normalized shape \(normalizedShape) does not match input shape \(x.shape)")
        }
        for p in [weight, bias].compactMap({ $0 }) where p.shape != normalizedShape {
            throw TensorError("layer_norm: affine parameter shape \(p.shape) does not match \(normalizedShape)")
        }
        let size = normalizedShape.reduce(1, *)
        guard size > 0, x.count > 0 else { return x }
        try reserve(x.count, x.shape)
        return normalize(x, rows: x.count / size, channels: size, block: 1, eps: eps, weight: weight, bias: bias,
                         name: "layer_norm") { _ in 0 }
    }

    /// Mean squared error (composite).
    public static func mse(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let d = try a.sub(b)
        return try d.mul(d).mean()
    }
}
