import Foundation

/// Reductions along axes: sum, mean, var, std, min, max, argmax, cumsum, cumprod.
extension Tensor {
    /// Splits the shape around `axis` into (outer, n, inner) for axis-wise kernels.
    func axisSplit(_ axis: Int) -> (Int, Int, Int) {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    /// Normalises a list of axes (nil = all), refusing duplicates and out-of-range values.
    func normalizeAxes(_ axes: [Int]?) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        var out: [Int] = []
        for a in axes {
            let n = try Tensor.normalizeAxis(a, rank: rank)
            guard !out.contains(n) else { throw TensorError("axis \(a) repeated in \(axes)") }
            out.append(n)
        }
        return rank == 0 ? [] : out.sorted()
    }

    /// The shape after reducing `axes` (sorted, normalised), with or without kept unit axes.
    func reducedShape(_ axes: [Int], keepdim: Bool) -> [Int] {
        var s: [Int] = []
        for (i, d) in shape.enumerated() {
            if axes.contains(i) { if keepdim { s.append(1) } } else { s.append(d) }
        }
        return s
    }

    /// Sum over one axis without recording; keeps the axis as size 1.
    func sumAxisRaw(_ axis: Int) -> Tensor {
        let (outer, n, inner) = axisSplit(axis)
        var outShape = shape
        outShape[axis] = 1
        let result = [Float](unsafeUninitializedCapacity: outer * inner) { buf, count in
            count = outer * inner
            guard let o = buf.baseAddress else { return }
            scalars.withUnsafeBufferPointer { px in
                guard let x = px.baseAddress else { return }
                if inner == 1 {
                    Engine.parallelFor(outer, grain: Swift.max(1, 65536 / Swift.max(n, 1))) { s, e in
                        for r in s..<e {
                            let row = x + r * n
                            var acc = 0.0
                            for k in 0..<n { acc += Double(row[k]) }
                            o[r] = Float(acc)
                        }
                    }
                } else {
                    Engine.parallelFor(outer, grain: Swift.max(1, 65536 / Swift.max(n * inner, 1))) { s, e in
                        for r in s..<e {
                            let out = o + r * inner
                            for i in 0..<inner { out[i] = 0 }
                            for k in 0..<n {
                                let row = x + (r * n + k) * inner
                                for i in 0..<inner { out[i] += row[i] }
                            }
                        }
                    }
                }
            }
            if n == 0 { for i in 0..<(outer * inner) { o[i] = 0 } }
        }
        return Tensor(unchecked: outShape, result)
    }

    /// Sum over several axes without recording; keeps them as size 1.
    func sumAxesRaw(_ axes: [Int]) throws -> Tensor {
        var t = self
        for a in axes.sorted(by: >) where t.shape[a] != 1 { t = t.sumAxisRaw(a) }
        var s = shape
        for a in axes { s[a] = 1 }
        return t.shape == s ? t : Tensor(unchecked: s, t.scalars)
    }

    /// Sum over `axes` (all when nil); primitive: the gradient is the output gradient broadcast back.
    public func sum(axes: [Int]? = nil, keepdim: Bool = false) throws -> Tensor {
        let ax = try normalizeAxes(axes)
        let kept = try sumAxesRaw(ax)
        let outShape = reducedShape(ax, keepdim: keepdim)
        let inShape = shape, keptShape = kept.shape
        return Tensor(unchecked: outShape, kept.scalars).recorded("sum", [self]) { g in
            [try Tensor(unchecked: keptShape, g.scalars).expand(to: inShape)]
        }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepdim: Bool = false) throws -> Tensor { try sum(axes: [axis], keepdim: keepdim) }

    /// Mean over `axes` (all when nil): sum divided by the number of reduced elements.
    public func mean(axes: [Int]? = nil, keepdim: Bool = false) throws -> Tensor {
        let ax = try normalizeAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        return try sum(axes: ax, keepdim: keepdim).mul(1 / Float(n))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepdim: Bool = false) throws -> Tensor { try mean(axes: [axis], keepdim: keepdim) }

    /// Variance over `axes` (all when nil), unbiased (n − 1) by default like torch.
    public func variance(axes: [Int]? = nil, keepdim: Bool = false, unbiased: Bool = true) throws -> Tensor {
        let ax = try normalizeAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        let centered = try sub(mean(axes: ax, keepdim: true))
        let ss = try centered.mul(centered).sum(axes: ax, keepdim: keepdim)
        return try ss.mul(1 / Float(Swift.max(unbiased ? n - 1 : n, 0)))
    }

    /// Standard deviation over `axes`: the square root of `variance`.
    public func std(axes: [Int]? = nil, keepdim: Bool = false, unbiased: Bool = true) throws -> Tensor {
        try variance(axes: axes, keepdim: keepdim, unbiased: unbiased).sqrt()
    }

    /// The extreme values and their first indices along `axis`, without recording.
    func extremeRaw(_ axis: Int, max wantMax: Bool) -> (values: [Float], indices: [Int]) {
        let (outer, n, inner) = axisSplit(axis)
        var values = [Float](repeating: 0, count: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for r in 0..<outer {
                for i in 0..<inner {
                    var best = x[r * n * inner + i], bi = 0
                    for k in 1..<Swift.max(n, 1) {
                        let v = x[(r * n + k) * inner + i]
                        if best.isNaN { break }
                        if v.isNaN || (wantMax ? v > best : v < best) { best = v; bi = k }
                    }
                    values[r * inner + i] = best
                    indices[r * inner + i] = bi
                }
            }
        }
        return (values, indices)
    }

    /// Max (or min) along `axis`, or over everything when nil; the gradient goes to the first extreme.
    func extreme(axis: Int?, keepdim: Bool, max wantMax: Bool) throws -> Tensor {
        guard count > 0 else { throw TensorError("\(wantMax ? "max" : "min")() of an empty tensor") }
        guard let axis else {
            return try reshape([count]).extreme(axis: 0, keepdim: false, max: wantMax)
                .reshape(keepdim ? [Int](repeating: 1, count: rank) : [])
        }
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        if rank == 0 { return self }
        let (values, indices) = extremeRaw(a, max: wantMax)
        let (outer, n, inner) = axisSplit(a)
        let inShape = shape
        return Tensor(unchecked: reducedShape([a], keepdim: keepdim), values).recorded(wantMax ? "max" : "min", [self]) { g in
            var gx = [Float](repeating: 0, count: outer * n * inner)
            for r in 0..<outer {
                for i in 0..<inner { gx[(r * n + indices[r * inner + i]) * inner + i] = g.scalars[r * inner + i] }
            }
            return [Tensor(unchecked: inShape, gx)]
        }
    }

    /// Largest value along `axis` (everything when nil).
    public func max(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor { try extreme(axis: axis, keepdim: keepdim, max: true) }
    /// Smallest value along `axis` (everything when nil).
    public func min(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor { try extreme(axis: axis, keepdim: keepdim, max: false) }

    /// Index of the largest value along `axis` (of the flattened tensor when nil), as floats.
    public func argmax(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor { try argExtreme(axis, keepdim, true) }
    /// Index of the smallest value along `axis` (of the flattened tensor when nil), as floats.
    public func argmin(axis: Int? = nil, keepdim: Bool = false) throws -> Tensor { try argExtreme(axis, keepdim, false) }

    func argExtreme(_ axis: Int?, _ keepdim: Bool, _ wantMax: Bool) throws -> Tensor {
        guard count > 0 else { throw TensorError("argmax/argmin of an empty tensor") }
        guard let axis else {
            let r = try reshape([count]).argExtreme(0, false, wantMax)
            return try r.reshape(keepdim ? [Int](repeating: 1, count: rank) : [])
        }
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        if rank == 0 { return Tensor(0) }
        let (_, indices) = extremeRaw(a, max: wantMax)
        return Tensor(unchecked: reducedShape([a], keepdim: keepdim), indices.map { Float($0) })
    }

    /// Runs `body(row, stride)` for every 1-D lane along `axis` (pointer to its first element).
    func forEachLane(_ axis: Int, _ data: UnsafeMutablePointer<Float>, _ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let (outer, n, inner) = axisSplit(axis)
        for r in 0..<outer { for i in 0..<inner { body(data + r * n * inner + i, inner) } }
    }

    /// Cumulative sum along `axis`; the gradient is the reversed cumulative sum of the output gradient.
    public func cumsum(axis: Int) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        if rank == 0 { return self }
        let n = shape[a]
        let out = try mappedLanes(a) { lane, n, s in for k in 1..<Swift.max(n, 1) { lane[k * s] += lane[(k - 1) * s] } }
        let inShape = shape
        return Tensor(unchecked: shape, out).recorded("cumsum", [self]) { g in
            var gx = g.scalars
            gx.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress else { return }
                Tensor(unchecked: inShape, []).forEachLane(a, base) { lane, s in
                    var k = n - 2
                    while k >= 0 { lane[k * s] += lane[(k + 1) * s]; k -= 1 }
                }
            }
            return [Tensor(unchecked: inShape, gx)]
        }
    }

    /// Cumulative product along `axis`; exact gradient also when the input has zeros.
    public func cumprod(axis: Int) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        if rank == 0 { return self }
        let n = shape[a]
        let out = try mappedLanes(a) { lane, n, s in for k in 1..<Swift.max(n, 1) { lane[k * s] *= lane[(k - 1) * s] } }
        let inShape = shape, xs = scalars, ys = out
        return Tensor(unchecked: shape, out).recorded("cumprod", [self]) { g in
            var gx = [Float](repeating: 0, count: xs.count)
            let (outer, _, inner) = Tensor(unchecked: inShape, []).axisSplit(a)
            for r in 0..<outer {
                for i in 0..<inner {
                    let idx = { (k: Int) in (r * n + k) * inner + i }
                    if !(0..<n).contains(where: { xs[idx($0)] == 0 }) {
                        // No zeros: gx_k = (Σ_{j≥k} g_j·y_j) / x_k in O(n).
                        var acc: Float = 0
                        for k in stride(from: n - 1, through: 0, by: -1) {
                            acc += g.scalars[idx(k)] * ys[idx(k)]
                            gx[idx(k)] = acc / xs[idx(k)]
                        }
                        continue
                    }
                    for k in 0..<n {   // d y_j / d x_k = prod_{m<=j, m != k} x_m
                        var acc: Float = 0, prefix: Float = 1
                        for m in 0..<k { prefix *= xs[idx(m)] }
                        var running = prefix
                        for j in k..<n {
                            if j > k { running *= xs[idx(j)] }
                            acc += g.scalars[idx(j)] * running
                        }
                        gx[idx(k)] = acc
                    }
                }
            }
            return [Tensor(unchecked: inShape, gx)]
        }
    }
}
