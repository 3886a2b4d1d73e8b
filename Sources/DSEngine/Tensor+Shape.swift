/// Shape primitives: reshape, permute, expand, cat, slice, gather; and composites built on them.
extension Tensor {
    /// The same values with a new shape; one axis may be -1 (inferred). Shares storage (copy on write).
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var s = newShape
        let unknown = s.indices.filter { s[$0] == -1 }
        guard unknown.count <= 1 else { throw TensorError("reshape: only one axis may be -1 in \(newShape)") }
        if let u = unknown.first {
            var rest = s
            rest[u] = 1
            let known = try Tensor.checkedCount(rest)
            guard known > 0, count % known == 0 else {
                throw TensorError("cannot reshape tensor of shape \(shape) into \(newShape)")
            }
            s[u] = count / known
        }
        guard try Tensor.checkedCount(s) == count else {
            throw TensorError("cannot reshape tensor of shape \(shape) into \(newShape)")
        }
        if s == shape { return self }
        let inShape = shape
        return Tensor(unchecked: s, scalars).recorded("reshape", [self]) { g in
            [Tensor(unchecked: inShape, g.scalars)]
        }
    }

    /// Flattens axes `start...end` into one.
    public func flatten(start: Int = 0, end: Int = -1) throws -> Tensor {
        if rank == 0 { return try reshape([1]) }
        let a = try Tensor.normalizeAxis(start, rank: rank), b = try Tensor.normalizeAxis(end, rank: rank)
        guard a <= b else { throw TensorError("flatten: start axis \(start) after end axis \(end)") }
        return try reshape(Array(shape[..<a]) + [shape[a...b].reduce(1, *)] + Array(shape[(b + 1)...]))
    }

    /// Reorders the axes (`dims` is a permutation of 0..<rank; negatives allowed); materialises a copy.
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else { throw TensorError("permute: \(dims) does not match rank \(rank) of shape \(shape)") }
        let p = try dims.map { try Tensor.normalizeAxis($0, rank: rank) }
        guard Set(p).count == rank else { throw TensorError("permute: \(dims) is not a permutation") }
        if p == Array(0..<rank) { return self }
        try Tensor.reserve(count, shape)
        let outShape = p.map { shape[$0] }
        let inStrides = Tensor.strides(of: shape)
        let srcStrides = p.map { inStrides[$0] }
        let out = gatherStrided(outShape, srcStrides, offset: 0)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in p.enumerated() { inverse[d] = i }
        return Tensor(unchecked: outShape, out).recorded("permute", [self]) { g in [try g.permute(inverse)] }
    }

    /// Copies the elements at `offset + Σ index[d]·strides[d]` for every index of `outShape`.
    func gatherStrided(_ outShape: [Int], _ strides: [Int], offset: Int) -> [Float] {
        let n = outShape.reduce(1, *)
        return [Float](unsafeUninitializedCapacity: n) { buf, c in
            c = n
            guard n > 0, let o = buf.baseAddress else { return }
            scalars.withUnsafeBufferPointer { px in
                guard let x = px.baseAddress else { return }
                let r = outShape.count
                if r == 0 { o[0] = x[offset]; return }
                let inner = outShape[r - 1], si = strides[r - 1]
                let rows = n / Swift.max(inner, 1)
                Engine.parallelFor(rows, grain: Swift.max(1, 16384 / Swift.max(inner, 1))) { s, e in
                    for row in s..<e {
                        var rem = row, off = offset, d = r - 2
                        while d >= 0 {
                            let q = rem / outShape[d]
                            off += (rem - q * outShape[d]) * strides[d]
                            rem = q; d -= 1
                        }
                        let dst = o + row * inner, src = x + off
                        if si == 1 { for i in 0..<inner { dst[i] = src[i] } } else { for i in 0..<inner { dst[i] = src[i * si] } }
                    }
                }
            }
        }
    }

    /// Swaps two axes.
    public func transpose(_ a: Int, _ b: Int) throws -> Tensor {
        var p = Array(0..<rank)
        let x = try Tensor.normalizeAxis(a, rank: rank), y = try Tensor.normalizeAxis(b, rank: rank)
        if rank == 0 { return self }
        p.swapAt(x, y)
        return try permute(p)
    }

    /// The matrix transpose: reverses all axes (`x.T`).
    public var T: Tensor { (try? permute(Array((0..<rank).reversed()))) ?? self }

    /// Inserts a unit axis at `axis` (which may equal rank, or be negative).
    public func unsqueeze(_ axis: Int) throws -> Tensor {
        let a = try Tensor.normalizeAxis(axis, rank: rank, allowEnd: true)
        var s = shape
        s.insert(1, at: a)
        return try reshape(s)
    }

    /// Removes unit axis `axis`, or all unit axes when nil.
    public func squeeze(_ axis: Int? = nil) throws -> Tensor {
        guard let axis else { return try reshape(shape.filter { $0 != 1 }) }
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        if rank == 0 || shape[a] != 1 { return self }
        var s = shape
        s.remove(at: a)
        return try reshape(s)
    }

    /// Broadcasts to `target` (materialised); the gradient sums back over the broadcast axes.
    public func expand(to target: [Int]) throws -> Tensor {
        let out = try broadcastShapes(shape, target)
        guard out == target else { throw TensorError("cannot expand shape \(shape) to \(target)") }
        if target == shape { return self }
        _ = try Tensor.checkedAllocation(target)
        let values = gatherStrided(target, broadcastStrides(shape, to: target), offset: 0)
        let inShape = shape
        return Tensor(unchecked: target, values).recorded("expand", [self]) { g in [try g.sumToShape(inShape)] }
    }

    /// Same as `expand(to:)` (NumPy name).
    public func broadcastTo(_ target: [Int]) throws -> Tensor { try expand(to: target) }

    /// Concatenates tensors along `axis`; all other axes must agree.
    public static func cat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("cat: empty list of tensors") }
        guard first.rank > 0 else { throw TensorError("cat: zero-dimensional tensors cannot be concatenated") }
        let a = try Tensor.normalizeAxis(axis, rank: first.rank)
        var total = 0
        for t in tensors {
            guard t.rank == first.rank,
                  t.shape.enumerated().allSatisfy({ $0.offset == a || $0.element == first.shape[$0.offset] }) else {
                throw TensorError("cat: shapes \(first.shape) and \(t.shape) do not match outside axis \(a)")
            }
            total += t.shape[a]
        }
        var outShape = first.shape
        outShape[a] = total
        let n = try Tensor.checkedAllocation(outShape)
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        var out = uninitializedScalars(n)   // the inputs tile it exactly
        var offset = 0
        out.withUnsafeMutableBufferPointer { po in
            guard let o0 = po.baseAddress else { return }
            for t in tensors {
                let len = t.shape[a] * inner
                t.scalars.withUnsafeBufferPointer { px in
                    guard let x0 = px.baseAddress else { return }
                    for r in 0..<outer { (o0 + r * total * inner + offset).update(from: x0 + r * len, count: len) }
                }
                offset += len
            }
        }
        let sizes = tensors.map { $0.shape[a] }
        return Tensor(unchecked: outShape, out).recorded("cat", tensors) { g in
            var start = 0
            return try sizes.map { size in
                defer { start += size }
                return try g.slice(axis: a, start: start, stop: start + size)
            }
        }
    }

    /// Stacks equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError("stack: empty list of tensors") }
        for t in tensors where t.shape != first.shape {
            throw TensorError("stack: shapes \(first.shape) and \(t.shape) differ")
        }
        let a = try Tensor.normalizeAxis(axis, rank: first.rank, allowEnd: true)
        return try cat(tensors.map { try $0.unsqueeze(a) }, axis: a)
    }
}
