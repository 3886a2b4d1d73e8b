import CKernels

/// Scaled dot-product attention. Without a mask it is one primitive computed in blocks of query
/// rows, as flash attention is: the [Lq, Lk] score matrix is never held whole (at 32×32 pixels,
/// batch 16 and 4 heads it would be 268 MB per layer), and the backward pass recomputes each
/// block's probabilities from each row's saved maximum and normaliser. Blocks not yet started are
/// skipped when an interrupt is requested.
extension Tensor {
    /// softmax(q·kᵀ·scale + mask)·v over the last two axes; scale defaults to 1/√d. Fused when there
    /// is no mask and q, k, v share their batch axes; otherwise composed from matmul and softmax.
    public static func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil,
                                                 scale: Float? = nil) throws -> Tensor {
        guard q.rank >= 2 else { throw TensorError("attention: expected [..., L, D] queries, got \(q.shape)") }
        let s = scale ?? 1 / Float(q.shape[q.rank - 1]).squareRoot()
        try Tensor.reserve(q.count, q.shape)
        if mask == nil, let fused = fusedAttention(q, k, v, scale: s) { return fused }
        var scores = try q.matmul(k.transpose(-2, -1)).mul(s)
        if let mask { scores = try scores.add(mask) }
        return try scores.softmax(axis: -1).matmul(v)
    }

    /// The fused primitive for q [..., Lq, D], k [..., Lk, D], v [..., Lk, Dv] with equal batch axes;
    /// nil for any other shapes (the composite path then reports mismatches). Forward: per block,
    /// S = Q·Kᵀ, E = exp(scale·S − max) (keeping each row's max and 1/Σ), O = (E·V)/Σ. Backward, with
    /// Dᵢ = Σ dOᵢ·Oᵢ: dV += Pᵀ·dO, dP = dO·Vᵀ, dS = scale·P·(dP − D), dQ = dS·K, dK += dSᵀ·Q.
    static func fusedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float) -> Tensor? {
        let r = q.rank
        guard r >= 2, k.rank == r, v.rank == r else { return nil }
        let batchShape = Array(q.shape.dropLast(2))
        guard Array(k.shape.dropLast(2)) == batchShape, Array(v.shape.dropLast(2)) == batchShape else { return nil }
        let (lq, d, lk, dv) = (q.shape[r - 2], q.shape[r - 1], k.shape[r - 2], v.shape[r - 1])
        guard k.shape[r - 1] == d, v.shape[r - 2] == lk, lq > 0, d > 0, lk > 0, dv > 0 else { return nil }
        let b = batchShape.reduce(1, *)
        guard b > 0 else { return nil }
        // Blocks of query rows whose scores fit in 256 KB.
        let block = Swift.max(1, Swift.min(64, 65536 / lk)), blocks = (lq + block - 1) / block
        var out = uninitializedScalars(b * lq * dv)
        var rowMax = uninitializedScalars(b * lq), rowInv = uninitializedScalars(b * lq)
        let qs = q.scalars, ks = k.scalars, vs = v.scalars
        qs.withUnsafeBufferPointer { pq in ks.withUnsafeBufferPointer { pk in vs.withUnsafeBufferPointer { pv in
        out.withUnsafeMutableBufferPointer { po in rowMax.withUnsafeMutableBufferPointer { pm in
        rowInv.withUnsafeMutableBufferPointer { pi in
            guard let q0 = pq.baseAddress, let k0 = pk.baseAddress, let v0 = pv.baseAddress,
                  let o0 = po.baseAddress, let m0 = pm.baseAddress, let i0 = pi.baseAddress else { return }
            Engine.parallel(b * blocks) { part in
                if Engine.interruptRequested { return }
                let bi = part / blocks, row = (part % blocks) * block, rows = Swift.min(block, lq - row)
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: rows * lk)
                defer { scores.deallocate() }
                let at = bi * lq + row
                Gemm.serial(false, true, rows, lk, d, q0 + at * d, k0 + bi * lk * d, scores, beta: 0)
                ck_attention_exp_rows(scores, rows, lk, scale, m0 + at, i0 + at)
                // O = (E·V)/Σ: the rows of the output are normalised rather than the lk entries of E.
                let out = o0 + at * dv
                Gemm.serial(false, false, rows, dv, lk, scores, v0 + bi * lk * dv, out, beta: 0)
                for r in 0..<rows {
                    let inv = i0[at + r]
                    for j in 0..<dv { out[r * dv + j] *= inv }
                }
            }
        } } } } } }
        let outShape = batchShape + [lq, dv], saved = out, maxima = rowMax, inverses = rowInv
        let (qShape, kShape, vShape) = (q.shape, k.shape, v.shape)
        return Tensor(unchecked: outShape, out).recorded("attention", [q, k, v]) { g in
            var gq = uninitializedScalars(b * lq * d)   // every block is written once
            var gk = [Float](repeating: 0, count: b * lk * d), gv = [Float](repeating: 0, count: b * lk * dv)
            var dots = uninitializedScalars(b * lq)
            g.scalars.withUnsafeBufferPointer { pg in saved.withUnsafeBufferPointer { po in
            qs.withUnsafeBufferPointer { pq in ks.withUnsafeBufferPointer { pk in vs.withUnsafeBufferPointer { pv in
            maxima.withUnsafeBufferPointer { pm in inverses.withUnsafeBufferPointer { pi in
            dots.withUnsafeMutableBufferPointer { pd in
            gq.withUnsafeMutableBufferPointer { pgq in gk.withUnsafeMutableBufferPointer { pgk in
            gv.withUnsafeMutableBufferPointer { pgv in
                guard let g0 = pg.baseAddress, let o0 = po.baseAddress, let q0 = pq.baseAddress,
                      let k0 = pk.baseAddress, let v0 = pv.baseAddress, let m0 = pm.baseAddress, let i0 = pi.baseAddress,
                      let d0 = pd.baseAddress, let gq0 = pgq.baseAddress, let gk0 = pgk.baseAddress,
                      let gv0 = pgv.baseAddress else { return }
                ck_rowdot(g0, o0, b * lq, dv, d0)
                // dK and dV sum over every query block of a batch entry, so entries are the parts.
                Engine.parallel(b) { bi in
                    let probs = UnsafeMutablePointer<Float>.allocate(capacity: block * lk)
                    let grads = UnsafeMutablePointer<Float>.allocate(capacity: block * lk)
                    defer { probs.deallocate(); grads.deallocate() }
                    let kb = k0 + bi * lk * d, vb = v0 + bi * lk * dv
                    for row in stride(from: 0, to: lq, by: block) where !Engine.interruptRequested {
                        let rows = Swift.min(block, lq - row), at = bi * lq + row
                        let qb = q0 + at * d, gob = g0 + at * dv
                        Gemm.serial(false, true, rows, lk, d, qb, kb, probs, beta: 0)
                        ck_attention_probs(probs, rows, lk, scale, m0 + at, i0 + at)
                        Gemm.serial(true, false, lk, dv, rows, probs, gob, gv0 + bi * lk * dv, beta: 1)
                        Gemm.serial(false, true, rows, lk, dv, gob, vb, grads, beta: 0)
                        ck_attention_dscores(probs, grads, rows, lk, d0 + at, scale)
                        Gemm.serial(false, false, rows, d, lk, grads, kb, gq0 + at * d, beta: 0)
                        Gemm.serial(true, false, lk, d, rows, grads, qb, gk0 + bi * lk * d, beta: 1)
                    }
                }
            } } } } } } } } } } }
            return [Tensor(unchecked: qShape, gq), Tensor(unchecked: kShape, gk), Tensor(unchecked: vShape, gv)]
        }
    }
}
