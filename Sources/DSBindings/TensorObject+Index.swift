import DSEngine
import DSLanguage
import DSRender

/// `x[...]` and `x[...] = v`: integers, slices, negative indices, integer tensors and lists
/// (gather along the indexed axis). Reading records gradients; assignment is refused on tensors
/// that record them.
extension TensorObject {
    public func index(_ components: [IndexComponent], context: CallContext) throws -> Value {
        if tensor.shape.isEmpty {
            throw ScriptError("a 0-d tensor cannot be indexed (use x.item())")
        }
        let plan = try IndexPlan(components, shape: tensor.shape)
        return .native(TensorObject(try TensorObject.select(tensor, plan)))
    }

    /// The elements `plan` selects, as a new tensor (with a gradient path when recording).
    static func select(_ t: Tensor, _ plan: IndexPlan) throws -> Tensor {
        let shape = plan.resultShape(t.shape)
        if !(t.requiresGrad && Engine.isGradEnabled) {
            let offsets = plan.offsets(in: t.shape)
            let source = t.scalars
            return Tensor(shape: shape, scalars: offsets.map { source[$0] })
        }
        // Recorded path: the strided part through the engine's `index`, then each gathered axis
        // moved to the front, gathered (scatter-add gradient) and moved back.
        return try engine {
            var basic: [DSEngine.TensorIndex] = []
            var gathers: [(axis: Int, positions: [Int], shape: [Int])] = []
            var axis = 0
            for entry in plan.entries {
                switch entry {
                case .single(let i):
                    basic.append(.index(i))
                case .slice(let start, let count, let step):
                    let stop = start + (count - 1) * step + (step > 0 ? 1 : -1)
                    basic.append(count == 0 ? .slice(start: 0, stop: 0, step: 1)
                                 : .slice(start: start, stop: stop < 0 ? nil : stop, step: step))
                    axis += 1
                case .gather(let positions, let shape):
                    basic.append(.all)
                    gathers.append((axis, positions, shape))
                    axis += 1
                }
            }
            var current = try t.index(basic)
            var shift = 0
            for g in gathers {
                let a = g.axis + shift
                let rank = current.shape.count
                let toFront = [a] + (0..<rank).filter { $0 != a }
                let indices = Tensor(shape: [g.positions.count], scalars: g.positions.map(Float.init))
                var moved = try current.permute(toFront).gather(indices)
                // moved: [k] + other axes; put k back at position a, then expand to the index shape.
                var back = Array(1..<rank)
                back.insert(0, at: a)
                moved = try moved.permute(back)
                var newShape = moved.shape
                newShape.replaceSubrange(a...a, with: g.shape)
                current = try moved.reshape(newShape)
                shift += g.shape.count - 1
            }
            return try current.reshape(shape)
        }
    }

    public func setIndex(_ components: [IndexComponent], _ value: Value, context: CallContext) throws {
        try checkAssignable()
        let plan: IndexPlan
        if tensor.shape.isEmpty {
            guard components.isEmpty else { throw ScriptError("a 0-d tensor cannot be indexed") }
            plan = try IndexPlan([], shape: [])
        } else {
            plan = try IndexPlan(components, shape: tensor.shape)
        }
        try assign(value, at: plan.offsets(in: tensor.shape), shape: plan.resultShape(tensor.shape))
    }

    /// `x[a][b]... = v` writes into `x`, as through a PyTorch view: each level's selection is
    /// composed with the ones before it. A level before the last made of a tensor or list of indices
    /// selects a copy in PyTorch (so its assignment would be lost); that is refused with a hint.
    public func setIndex(chain levels: [[IndexComponent]], _ value: Value, context: CallContext) throws -> Bool {
        try checkAssignable()
        var shape = tensor.shape
        var offsets: [Int] = []
        for (level, components) in levels.enumerated() {
            if shape.isEmpty { throw ScriptError("a 0-d tensor cannot be indexed (use x.item())") }
            let plan = try IndexPlan(components, shape: shape)
            if level < levels.count - 1 && !plan.isBasic {
                throw ScriptError("x[...][...] = v cannot write through an index made of a tensor or a list "
                                  + "(it selects a copy); put the indices in one bracket: x[i, j] = v")
            }
            let local = plan.offsets(in: shape)
            offsets = level == 0 ? local : local.map { offsets[$0] }
            shape = plan.resultShape(shape)
        }
        try assign(value, at: offsets, shape: shape)
        return true
    }

    /// Refuses in-place writes to a tensor whose operations are being recorded.
    func checkAssignable() throws {
        if tensor.requiresGrad && Engine.isGradEnabled {
            throw ScriptError(
                "cannot assign to elements of a tensor that requires grad (use no_grad(fn() { ... }) or x.detach())")
        }
    }

    /// Writes `value` (a number or a tensor broadcast to `targetShape`) at the element `offsets`.
    func assign(_ value: Value, at offsets: [Int], shape targetShape: [Int]) throws {
        let source = try TensorObject.coerce(value, role: "assigned value")
        let values: [Float]
        if source.shape == targetShape {
            values = source.scalars
        } else {
            let shape = try? broadcastShapes(targetShape, source.shape)
            guard shape == targetShape else {
                throw ScriptError(
                    "cannot assign a tensor of shape \(TensorFormatter.formatShape(source.shape)) "
                        + "to a selection of shape \(TensorFormatter.formatShape(targetShape))")
            }
            let map = TensorObject.broadcastOffsets(from: source.shape, to: targetShape)
            values = map.map { source.scalars[$0] }
        }
        for (offset, v) in zip(offsets, values) { tensor.scalars[offset] = v }
    }
}
