/// NumPy broadcasting, written once: the shape rule, the one binary kernel every elementwise op
/// uses, and the gradient reduction (sum over broadcast axes) every rule uses.

/// A scalar function of two floats, specialised into the broadcasting kernel (no closures per element).
protocol BinaryFn {
    static func apply(_ a: Float, _ b: Float) -> Float
}

/// The result shape of broadcasting `a` with `b`, or an error naming both shapes.
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
    if a == b { return a }
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
            throw TensorError("shapes \(a) and \(b) cannot be broadcast")
        }
    }
    return out
}

/// The strides to read an input of `shape` as if it had `outShape` (0 on broadcast axes).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let r = outShape.count
    let own = Tensor.strides(of: shape)
    var s = [Int](repeating: 0, count: r)
    for i in 0..<shape.count {
        let o = i + r - shape.count
        s[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : own[i]
    }
    return s
}

/// Merges adjacent axes that both inputs traverse contiguously, so loops run over long rows.
func coalesce(_ shape: [Int], _ sa: [Int], _ sb: [Int]) -> ([Int], [Int], [Int]) {
    var dims: [Int] = [], xa: [Int] = [], xb: [Int] = []
    for i in 0..<shape.count where shape[i] != 1 {
        if let last = dims.last, xa[xa.count - 1] == sa[i] * shape[i], xb[xb.count - 1] == sb[i] * shape[i] {
            dims[dims.count - 1] = last * shape[i]
            xa[xa.count - 1] = sa[i]
            xb[xb.count - 1] = sb[i]
        } else {
            dims.append(shape[i]); xa.append(sa[i]); xb.append(sb[i])
        }
    }
    if dims.isEmpty { return ([1], [0], [0]) }
    return (dims, xa, xb)
}

/// The broadcasting binary kernel: `out[i] = F(a[ia], b[ib])` over the broadcast shape, with fast
/// paths for equal shapes, scalars and rows; split across threads above a size threshold.
func broadcastBinary<F: BinaryFn>(_ a: Tensor, _ b: Tensor, _: F.Type) throws -> Tensor {
    let outShape = try broadcastShapes(a.shape, b.shape)
    let n = try Tensor.checkedAllocation(outShape)
    let result = [Float](unsafeUninitializedCapacity: n) { buf, count in
        count = n
        guard n > 0, let o = buf.baseAddress else { return }
        a.scalars.withUnsafeBufferPointer { pa0 in
            b.scalars.withUnsafeBufferPointer { pb0 in
                guard let pa = pa0.baseAddress, let pb = pb0.baseAddress else { return }
                if a.count == n && b.count == n {
                    Engine.parallelFor(n) { s, e in for i in s..<e { o[i] = F.apply(pa[i], pb[i]) } }
                } else if b.count == 1 {
                    let y = pb[0]
                    Engine.parallelFor(n) { s, e in for i in s..<e { o[i] = F.apply(pa[i], y) } }
                } else if a.count == 1 {
                    let x = pa[0]
                    Engine.parallelFor(n) { s, e in for i in s..<e { o[i] = F.apply(x, pb[i]) } }
                } else {
                    let (dims, sa, sb) = coalesce(outShape, broadcastStrides(a.shape, to: outShape),
                                                  broadcastStrides(b.shape, to: outShape))
                    let inner = dims[dims.count - 1], ia = sa[sa.count - 1], ib = sb[sb.count - 1]
                    let rows = n / inner
                    Engine.parallelFor(rows, grain: max(1, 32768 / inner)) { s, e in
                        for row in s..<e {
                            var rem = row, offA = 0, offB = 0
                            var d = dims.count - 2
                            while d >= 0 {
                                let q = rem / dims[d], r = rem - q * dims[d]
                                offA += r * sa[d]; offB += r * sb[d]
                                rem = q; d -= 1
                            }
                            let xa = pa + offA, xb = pb + offB, out = o + row * inner
                            if ia == 1 && ib == 1 {
                                for i in 0..<inner { out[i] = F.apply(xa[i], xb[i]) }
                            } else if ia == 1 && ib == 0 {
                                let y = xb[0]
                                for i in 0..<inner { out[i] = F.apply(xa[i], y) }
                            } else if ia == 0 && ib == 1 {
                                let x = xa[0]
                                for i in 0..<inner { out[i] = F.apply(x, xb[i]) }
                            } else {
                                for i in 0..<inner { out[i] = F.apply(xa[i * ia], xb[i * ib]) }
                            }
                        }
                    }
                }
            }
        }
    }
    return Tensor(unchecked: outShape, result)
}

extension Tensor {
    /// The gradient reduction of broadcasting, written once: sums `self` (shaped like a broadcast
    /// result) over the axes that broadcasting added or stretched, giving a tensor of `target` shape.
    func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let lead = shape.count - target.count
        guard lead >= 0 else { throw TensorError("cannot reduce shape \(shape) to \(target)") }
        var axes: [Int] = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
        let summed = try sumAxesRaw(axes)
        return Tensor(unchecked: target, summed.scalars)
    }
}
