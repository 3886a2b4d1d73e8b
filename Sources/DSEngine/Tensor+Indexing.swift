import DSLimits

/// One component of `x[...]`: an integer (drops the axis) or a Python-style slice.
public enum TensorIndex: Equatable {
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    /// `:` — the whole axis.
    public static let all = TensorIndex.slice(start: nil, stop: nil, step: nil)
}

/// Indexing primitives: strided selection (slices and integers), gather along axis 0 with its
/// scatter-add gradient, and in-place assignment outside autograd.
extension Tensor {
    /// Resolves Python slice bounds for an axis of size `n`: (first index, element count, step).
    static func resolveSlice(_ start: Int?, _ stop: Int?, _ step: Int?, size n: Int) throws -> (Int, Int, Int) {
        let st = step ?? 1
        guard st != 0 else { throw TensorError("slice step cannot be zero") }
        guard st != Int.min else { throw TensorError("slice step \(st) is out of range") }
        func norm(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
            guard var v else { return dflt }
            if v < 0 { v += n }
            return Swift.min(Swift.max(v, lo), hi)
        }
        if st > 0 {
            let a = norm(start, 0, lo: 0, hi: n), b = norm(stop, n, lo: 0, hi: n)
            return (a, b > a ? (b - a - 1) / st + 1 : 0, st)
        }
        let a = norm(start, n - 1, lo: -1, hi: n - 1), b = norm(stop, -1, lo: -1, hi: n - 1)
        return (a, a > b ? (a - b - 1) / (-st) + 1 : 0, st)
    }

    /// The strided selection described by `components` (missing trailing axes are taken whole):
    /// output shape, element strides into this tensor, start offset.
    func selection(_ components: [TensorIndex]) throws -> (shape: [Int], strides: [Int], offset: Int) {
        guard components.count <= rank else {
            throw TensorError("too many indices (\(components.count)) for a tensor of shape \(shape)")
        }
        let own = Tensor.strides(of: shape)
        var outShape: [Int] = [], strides: [Int] = [], offset = 0
        for axis in 0..<rank {
            let c = axis < components.count ? components[axis] : .all
            switch c {
            case .index(let i):
                let j = i < 0 ? i + shape[axis] : i
                guard j >= 0, j < shape[axis] else {
                    throw TensorError("index \(i) is out of bounds for axis \(axis) with size \(shape[axis])")
                }
                offset += j * own[axis]
            case .slice(let a, let b, let s):
                let (first, n, step) = try Tensor.resolveSlice(a, b, s, size: shape[axis])
                if n > 0 { offset += first * own[axis] }
                outShape.append(n)
                strides.append(step * own[axis])
            }
        }
        return (outShape, strides, offset)
    }

    /// `x[components]`: integers drop their axis, slices keep it; the gradient scatters back.
    public func index(_ components: [TensorIndex]) throws -> Tensor {
        let (outShape, strides, offset) = try selection(components)
        try Tensor.reserve(outShape.reduce(1, *), outShape)
        let values = gatherStrided(outShape, strides, offset: offset)
        let inShape = shape
        return Tensor(unchecked: outShape, values).recorded("index", [self]) { g in
            let gx = Tensor(unchecked: inShape, [Float](repeating: 0, count: inShape.reduce(1, *)))
            gx.scatterStrided(outShape, strides, offset: offset, g.scalars, accumulate: true)
            return [gx]
        }
    }

    /// Elements `start..<stop` (step `step`) along one axis.
    public func slice(axis: Int, start: Int? = nil, stop: Int? = nil, step: Int? = nil) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        var comps = [TensorIndex](repeating: .all, count: a)
        comps.append(.slice(start: start, stop: stop, step: step))
        return try index(comps)
    }

    /// Writes `values` (laid out as `outShape`) to the strided positions, adding when `accumulate`.
    func scatterStrided(_ outShape: [Int], _ strides: [Int], offset: Int, _ values: [Float], accumulate: Bool) {
        let n = outShape.reduce(1, *)
        guard n > 0 else { return }
        let r = outShape.count
        scalars.withUnsafeMutableBufferPointer { px in
            for k in 0..<n {
                var rem = k, off = offset, d = r - 1
                while d >= 0 {
                    let q = rem / outShape[d]
                    off += (rem - q * outShape[d]) * strides[d]
                    rem = q; d -= 1
                }
                if accumulate { px[off] += values[k] } else { px[off] = values[k] }
            }
        }
    }

    /// Same as `setIndex` (assignment outside autograd: `x[0, 1:3] = v`).
    public func setSlice(_ components: [TensorIndex], _ value: Tensor) throws { try setIndex(components, value) }

    /// In-place `x[components] = value` (value broadcasts to the selection). Not recorded; refused on
    /// a leaf that requires grad while recording (as torch does).
    public func setIndex(_ components: [TensorIndex], _ value: Tensor) throws {
        if requiresGrad && isLeaf && Engine.gradEnabledFlag {
            throw TensorError("cannot assign into a tensor that requires grad (use no_grad or detach)")
        }
        let (outShape, strides, offset) = try selection(components)
        let v = try value.detach().expand(to: outShape)
        scatterStrided(outShape, strides, offset: offset, v.scalars, accumulate: false)
    }

    /// Gathers rows along axis 0 with an integer-valued index tensor: `x[idx]` has shape
    /// `idx.shape + x.shape[1...]`. Negative indices count from the end. The gradient scatter-adds.
    public func gather(_ indices: Tensor) throws -> Tensor {
        guard rank >= 1 else { throw TensorError("cannot index a zero-dimensional tensor with a tensor") }
        let rows = shape[0], inner = shape[1...].reduce(1, *)
        var idx = [Int](repeating: 0, count: indices.count)
        for (k, v) in indices.scalars.enumerated() {
            guard v == v.rounded(), Swift.abs(v) < 1e15 else {
                throw TensorError("index tensor must hold integers, got \(NumberText.plain(v))")
            }
            let i = Int(v), j = i < 0 ? i + rows : i
            guard j >= 0, j < rows else { throw TensorError("index \(i) is out of bounds for axis 0 with size \(rows)") }
            idx[k] = j
        }
        let outShape = indices.shape + Array(shape[1...])
        let n = try Tensor.checkedAllocation(outShape)
        var out = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { po in
            scalars.withUnsafeBufferPointer { px in
                for (k, j) in idx.enumerated() { for i in 0..<inner { po[k * inner + i] = px[j * inner + i] } }
            }
        }
        let inShape = shape
        return Tensor(unchecked: outShape, out).recorded("gather", [self]) { g in
            var gx = [Float](repeating: 0, count: rows * inner)
            g.scalars.withUnsafeBufferPointer { pg in
                for (k, j) in idx.enumerated() { for i in 0..<inner { gx[j * inner + i] += pg[k * inner + i] } }
            }
            return [Tensor(unchecked: inShape, gx)]
        }
    }
}
