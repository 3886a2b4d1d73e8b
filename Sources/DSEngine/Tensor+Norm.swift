/// Normalisation primitives (fused forward and backward) and attention / loss composites.
extension Tensor {
    /// Normalises `rows` groups of `size` contiguous elements; each element `i` of a group uses
    /// affine parameter `param(group, i)`. Shared by group_norm and layer_norm.
    static func normalize(_ x: Tensor, rows: Int, size: Int, eps: Float, weight: Tensor?, bias: Tensor?,
                          name: String, param: @escaping (Int, Int) -> Int) -> Tensor {
        var y = [Float](repeating: 0, count: x.count)
        var means = [Float](repeating: 0, count: rows), rstds = [Float](repeating: 0, count: rows)
        let wv = weight?.scalars, bv = bias?.scalars
        x.scalars.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                guard let x0 = px.baseAddress, let y0 = py.baseAddress else { return }
                for r in 0..<rows {
                    let row = x0 + r * size
                    var s = 0.0
                    for i in 0..<size { s += Double(row[i]) }
                    let mean = s / Double(size)
                    var v = 0.0
                    for i in 0..<size { let d = Double(row[i]) - mean; v += d * d }
                    let rstd = Float(1 / (v / Double(size) + Double(eps)).squareRoot())
                    let m = Float(mean)
                    means[r] = m; rstds[r] = rstd
                    let out = y0 + r * size
                    for i in 0..<size {
                        var z = (row[i] - m) * rstd
                        if let wv { z *= wv[param(r, i)] }
                        if let bv { z += bv[param(r, i)] }
                        out[i] = z
                    }
                }
            }
        }
        let xs = x.scalars, shape = x.shape
        let wShape = weight?.shape, bShape = bias?.shape
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad
        return Tensor(unchecked: shape, y).recorded(name, inputs) { g in
            var gx = [Float](repeating: 0, count: needX ? xs.count : 0)
            var gw = [Float](repeating: 0, count: wv?.count ?? 0), gb = [Float](repeating: 0, count: bv?.count ?? 0)
            g.scalars.withUnsafeBufferPointer { pg in xs.withUnsafeBufferPointer { px in
                for r in 0..<rows {
                    let m = means[r], rstd = rstds[r]
                    var sumG = 0.0, sumGX = 0.0
                    for i in 0..<size {
                        let k = r * size + i
                        let xhat = (px[k] - m) * rstd
                        let gi = pg[k]
                        if wv != nil { gw[param(r, i)] += gi * xhat }
                        if bv != nil { gb[param(r, i)] += gi }
                        let gh = wv.map { gi * $0[param(r, i)] } ?? gi
                        sumG += Double(gh); sumGX += Double(gh * xhat)
                    }
                    guard needX else { continue }
                    let meanG = Float(sumG / Double(size)), meanGX = Float(sumGX / Double(size))
                    for i in 0..<size {
                        let k = r * size + i
                        let xhat = (px[k] - m) * rstd
                        let gh = wv.map { pg[k] * $0[param(r, i)] } ?? pg[k]
                        gx[k] = rstd * (gh - meanG - xhat * meanGX)
                    }
                }
            } }
            var grads: [Tensor?] = [needX ? Tensor(unchecked: shape, gx) : nil]
            if let wShape { grads.append(Tensor(unchecked: wShape, gw)) }
            if let bShape { grads.append(Tensor(unchecked: bShape, gb)) }
            return grads
        }
    }

    /// Group normalisation of [N, C, *] input over `groups` channel groups (biased variance), with
    /// optional per-channel affine `weight`/`bias` [C], as `F.group_norm`.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5) throws -> Tensor {
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
        return normalize(x, rows: n * groups, size: cg * spatial, eps: eps, weight: weight, bias: bias,
                         name: "group_norm") { r, i in (r % groups) * cg + i / spatial }
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
        return normalize(x, rows: x.count / size, size: size, eps: eps, weight: weight, bias: bias,
                         name: "layer_norm") { _, i in i }
    }

    /// softmax(q·kᵀ·scale + mask)·v over the last two axes (composite; scale defaults to 1/√d).
    public static func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil,
                                                 scale: Float? = nil) throws -> Tensor {
        guard q.rank >= 2 else { throw TensorError("attention: expected [..., L, D] queries, got \(q.shape)") }
        let s = scale ?? 1 / Float(q.shape[q.rank - 1]).squareRoot()
        var scores = try q.matmul(k.transpose(-2, -1)).mul(s)
        if let mask { scores = try scores.add(mask) }
        return try scores.softmax(axis: -1).matmul(v)
    }

    /// Mean squared error (composite).
    public static func mse(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let d = try a.sub(b)
        return try d.mul(d).mean()
    }
}
