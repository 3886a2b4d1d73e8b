import DSEngine
import DSLanguage
import DSRender

/// Methods of tensors (`x.sum(axis: 0)`), registered for `:help` as `tensor.NAME`.
/// Fields (`shape`, `ndim`, `numel`, `dtype`, `T`, `grad`, `requires_grad`) are in `TensorObject`.
enum TensorMethods {
    static let byName: [String: Builtin] = Builtin.byShortName(table)

    static let table: [Builtin] = conversions + shapes + reductions + elementwise + autograd

    // MARK: Conversions

    static let conversions: [Builtin] = [
        Builtin("tensor.item()", "the value of a one-element tensor as a number", example: "tensor([3]).item()   # 3") { a, _ in
            .float(try a.this.item())
        },
        Builtin("tensor.tolist()", "the values as nested lists (a number for a 0-d tensor)",
                example: "tensor([[1, 2]]).tolist()   # [[1, 2]]") { a, _ in
            let t = try a.this
            try Growth.list(t.count + t.shape.dropLast().reduce(1, *))   // the numbers and the inner lists
            return nestedList(t)
        },
        Builtin("tensor.len()", "size of the first dimension (what len(x) returns)", example: "len(zeros([4, 2]))   # 4") { a, _ in
            let t = try a.this
            guard let n = t.shape.first else { throw ScriptError("len() of a 0-d tensor") }
            return .number(Double(n))
        },
        Builtin("tensor.size(dim = nil)", "the shape as a list, or the size of one dimension",
                example: "zeros([4, 2]).size(1)   # 2") { a, _ in
            let t = try a.this
            guard let d = try a.axis("dim") else { return .list(ListObject(t.shape.map { .number(Double($0)) })) }
            let axis = d < 0 ? d + t.shape.count : d
            guard axis >= 0 && axis < t.shape.count else {
                throw a.error("dim", "dimension \(d) out of range for a tensor with \(t.shape.count) dimensions")
            }
            return .number(Double(t.shape[axis]))
        },
        Builtin("tensor.clone() -> tensor", "a copy with its own storage (recorded for gradients)", example: "let y = x.clone()") { a, _ in
            .tensor(try a.this.mul(Tensor(1)))
        },
        Builtin("tensor.detach() -> tensor", "the same values, cut from the gradient graph", example: "let y = x.detach()") { a, _ in
            .tensor(try a.this.detach())
        },
    ]

    // MARK: Shape

    static let shapes: [Builtin] = [
        Builtin("tensor.reshape(...shape) -> tensor", "the same values in a new shape; one dimension may be -1",
                example: "arange(6).reshape([2, 3])") { a, _ in
            let t = try a.this
            return .tensor(try t.reshape(try resolveShape(try a.shape(from: 0), count: t.count)))
        },
        Builtin("tensor.view(...shape) -> tensor", "alias of reshape", example: "arange(6).view(2, 3)") { a, _ in
            let t = try a.this
            return .tensor(try t.reshape(try resolveShape(try a.shape(from: 0), count: t.count)))
        },
        Builtin("tensor.permute(...dims) -> tensor", "reorders the dimensions", example: "zeros([2, 3, 4]).permute([2, 0, 1]).shape   # [4, 2, 3]") { a, _ in
            .tensor(try a.this.permute(try a.shape(from: 0, "dims")))
        },
        Builtin("tensor.transpose(dim0 = 0, dim1 = 1) -> tensor", "swaps two dimensions", example: "zeros([2, 3]).transpose(0, 1).shape   # [3, 2]") { a, _ in
            let t = try a.this
            var order = Array(0..<t.shape.count)
            let i = try normalized(try a.int("dim0"), t.shape.count, a, "dim0")
            let j = try normalized(try a.int("dim1"), t.shape.count, a, "dim1")
            order.swapAt(i, j)
            return .tensor(try t.permute(order))
        },
        Builtin("tensor.unsqueeze(dim) -> tensor", "inserts a dimension of size 1 at dim", example: "zeros([3]).unsqueeze(0).shape   # [1, 3]") { a, _ in
            let t = try a.this
            var shape = t.shape
            let d = try a.int("dim")
            let axis = d < 0 ? d + shape.count + 1 : d
            guard axis >= 0 && axis <= shape.count else {
                throw a.error("dim", "dimension \(d) out of range for a tensor with \(shape.count) dimensions")
            }
            shape.insert(1, at: axis)
            return .tensor(try t.reshape(shape))
        },
        Builtin("tensor.squeeze(dim = nil) -> tensor", "removes dimensions of size 1 (all, or only dim)",
                example: "zeros([1, 3, 1]).squeeze().shape   # [3]") { a, _ in
            let t = try a.this
            var shape = t.shape
            if let d = try a.axis("dim") {
                let axis = try normalized(d, shape.count, a, "dim")
                if shape[axis] == 1 { shape.remove(at: axis) }
            } else {
                shape.removeAll { $0 == 1 }
            }
            return .tensor(try t.reshape(shape))
        },
        Builtin("tensor.expand(...shape) -> tensor", "the tensor broadcast to a larger shape", example: "tensor([1, 2]).expand([3, 2])") { a, _ in
            .tensor(try a.this.expand(to: try a.shape(from: 0)))
        },
        Builtin("tensor.chunk(n, axis = 0)", "splits into n pieces along axis (the last may be smaller), as a list",
                example: "let parts = emb.chunk(2, axis: 1)") { a, _ in
            let t = try a.this
            let n = try a.int("n")
            guard n >= 1 else { throw a.error("n", "number of chunks must be at least 1") }
            let axis = try normalized(try a.int("axis"), t.shape.count, a, "axis")
            guard !t.shape.isEmpty else { throw ScriptError("chunk() of a 0-d tensor") }
            let size = Swift.max(1, (t.shape[axis] + n - 1) / n)
            let pieces = try stride(from: 0, to: t.shape[axis], by: size).map { start in
                Value.tensor(try t.slice(axis: axis, start: start, stop: Swift.min(start + size, t.shape[axis])))
            }
            return .list(ListObject(pieces))
        },
        Builtin("tensor.flip(axis = 0) -> tensor", "reverses the order along axis", example: "arange(3).flip()   # tensor([2., 1., 0.])") { a, _ in
            let t = try a.this
            guard !t.shape.isEmpty else { return .tensor(t) }
            let axis = try normalized(try a.int("axis"), t.shape.count, a, "axis")
            return .tensor(try t.slice(axis: axis, start: nil, stop: nil, step: -1))
        },
        Builtin("tensor.flatten(start = 0, end = -1) -> tensor", "merges dimensions start...end into one",
                example: "zeros([2, 3, 4]).flatten(1).shape   # [2, 12]") { a, _ in
            let t = try a.this
            if t.shape.isEmpty { return .tensor(try t.reshape([1])) }
            let s = try normalized(try a.int("start"), t.shape.count, a, "start")
            let e = try normalized(try a.int("end"), t.shape.count, a, "end")
            guard s <= e else { throw a.error("end", "end dimension comes before start dimension") }
            let merged = t.shape[s...e].reduce(1, *)
            return .tensor(try t.reshape(Array(t.shape[..<s]) + [merged] + Array(t.shape[(e + 1)...])))
        },
    ]

    // MARK: Reductions

    static let reductions: [Builtin] = [
        Builtin("tensor.sum(axis = nil, keepdim = false) -> tensor", "sum of all elements, or along axis (a number or a list)",
                example: "tensor([[1, 2], [3, 4]]).sum(axis: 0)   # tensor([4., 6.])") { a, _ in
            .tensor(try a.this.sum(axes: try a.axes(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.mean(axis = nil, keepdim = false) -> tensor", "mean of all elements, or along axis",
                example: "tensor([1, 2, 3]).mean()   # tensor(2.)") { a, _ in
            .tensor(try a.this.mean(axes: try a.axes(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.var(axis = nil, keepdim = false, unbiased = true) -> tensor", "variance (divides by n - 1 unless unbiased: false)",
                example: "tensor([1, 2, 3]).var()   # tensor(1.)") { a, _ in
            .tensor(try a.this.variance(axes: try a.axes(), keepdim: try a.bool("keepdim"),
                                        unbiased: try a.bool("unbiased")))
        },
        Builtin("tensor.std(axis = nil, keepdim = false, unbiased = true) -> tensor", "standard deviation (n - 1 unless unbiased: false)",
                example: "tensor([1, 2, 3]).std()   # tensor(1.)") { a, _ in
            .tensor(try a.this.std(axes: try a.axes(), keepdim: try a.bool("keepdim"),
                                   unbiased: try a.bool("unbiased")))
        },
        Builtin("tensor.min(axis = nil, keepdim = false) -> tensor", "smallest element, or smallest along axis",
                example: "tensor([3, 1, 2]).min()   # tensor(1.)") { a, _ in
            .tensor(try a.this.min(axis: try a.axis(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.max(axis = nil, keepdim = false) -> tensor", "largest element, or largest along axis",
                example: "tensor([3, 1, 2]).max()   # tensor(3.)") { a, _ in
            .tensor(try a.this.max(axis: try a.axis(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.argmax(axis = nil, keepdim = false) -> tensor", "index of the largest element (flat, or along axis)",
                example: "tensor([3, 1, 5]).argmax()   # tensor(2.)") { a, _ in
            .tensor(try a.this.argmax(axis: try a.axis(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.argmin(axis = nil, keepdim = false) -> tensor", "index of the smallest element (flat, or along axis)",
                example: "tensor([3, 1, 5]).argmin()   # tensor(1.)") { a, _ in
            .tensor(try a.this.argmin(axis: try a.axis(), keepdim: try a.bool("keepdim")))
        },
        Builtin("tensor.cumsum(axis = 0) -> tensor", "running sum along axis", example: "tensor([1, 2, 3]).cumsum()   # tensor([1., 3., 6.])") { a, _ in
            .tensor(try a.this.cumsum(axis: try a.int("axis")))
        },
        Builtin("tensor.cumprod(axis = 0) -> tensor", "running product along axis (alpha_bar = alphas.cumprod())",
                example: "tensor([1, 2, 3]).cumprod()   # tensor([1., 2., 6.])") { a, _ in
            .tensor(try a.this.cumprod(axis: try a.int("axis")))
        },
        Builtin("tensor.norm(p = 2) -> tensor", "the p-norm of all elements (2: Euclidean)", example: "tensor([3, 4]).norm()   # tensor(5.)") { a, _ in
            let t = try a.this
            let p = try a.number("p")
            if p == 2 { return .tensor(try t.square().sum().sqrt()) }
            if p == 1 { return .tensor(try t.abs().sum()) }
            return .tensor(try t.abs().pow(Tensor(Float(p))).sum().pow(Tensor(Float(1 / p))))
        },
        Builtin("tensor.all()", "true when every element is nonzero", example: "(x > 0).all()") { a, _ in
            .bool(try a.this.scalars.allSatisfy { $0 != 0 })
        },
        Builtin("tensor.any()", "true when some element is nonzero", example: "(x > 0).any()") { a, _ in
            .bool(try a.this.scalars.contains { $0 != 0 })
        },
    ]
}

/// Normalises a possibly negative dimension against `rank`, as a bad-argument error.
func normalized(_ d: Int, _ rank: Int, _ a: Arguments, _ name: String) throws -> Int {
    let axis = d < 0 ? d + rank : d
    guard axis >= 0 && axis < Swift.max(rank, 1) else {
        throw a.error(name, "dimension \(d) out of range for a tensor with \(rank) dimensions")
    }
    return axis
}

/// Resolves one `-1` in a requested shape against the element count.
func resolveShape(_ requested: [Int], count: Int) throws -> [Int] {
    let unknown = requested.indices.filter { requested[$0] == -1 }
    guard unknown.count <= 1 else { throw ScriptError("only one dimension can be -1 in reshape") }
    if let u = unknown.first {
        let known = requested.enumerated().filter { $0.offset != u }.map(\.element).reduce(1, *)
        guard known > 0, count % known == 0 else {
            throw ScriptError("cannot reshape a tensor of \(count) elements to \(TensorFormatter.formatShape(requested))")
        }
        var shape = requested
        shape[u] = count / known
        return shape
    }
    return requested
}

/// A tensor's values as nested lists (a number for a 0-d tensor).
func nestedList(_ t: Tensor) -> Value {
    if t.shape.isEmpty { return .float(t.scalars.first ?? 0) }
    func build(_ d: Int, _ offset: Int, _ stride: Int) -> Value {
        let n = t.shape[d]
        if d == t.shape.count - 1 {
            return .list(ListObject((0..<n).map { .float(t.scalars[offset + $0]) }))
        }
        let inner = stride / Swift.max(n, 1)
        return .list(ListObject((0..<n).map { build(d + 1, offset + $0 * inner, inner) }))
    }
    return build(0, 0, t.count)
}
