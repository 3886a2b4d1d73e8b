/// One recorded operation: its inputs and the rule that maps the output's gradient to theirs.
final class GradNode {
    let inputs: [Tensor]
    let name: String
    /// Returns one gradient per input (nil where none flows); runs with grad mode off.
    let backward: (Tensor) throws -> [Tensor?]

    init(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches a gradient rule to `self` (the output of a primitive) when recording is on and an
    /// input requires gradients. Rules must not capture `self` (capture its scalars instead).
    @discardableResult
    func recorded(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        if Engine.gradEnabledFlag, inputs.contains(where: { $0.requiresGrad }) {
            requiresGrad = true
            gradNode = GradNode(name, inputs, backward)
        }
        return self
    }

    /// A tensor sharing these values but cut from the graph.
    public func detach() -> Tensor { Tensor(unchecked: shape, scalars) }

    /// Marks a leaf as requiring gradients and returns it (`param(x)`).
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Reverse-mode differentiation from this tensor: accumulates into `grad` of every leaf that
    /// requires it. Without `gradient`, the tensor must have one element (the seed is 1).
    /// The graph is freed afterwards unless `retainGraph`.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        guard requiresGrad else {
            throw TensorError("backward() on a tensor that does not require grad (no recorded operation)")
        }
        let seed: Tensor
        if let g = gradient {
            guard g.shape == shape else {
                throw TensorError("backward(): gradient shape \(g.shape) does not match tensor shape \(shape)")
            }
            seed = g
        } else {
            guard count == 1 else {
                throw TensorError("backward() without a gradient needs a one-element tensor, got shape \(shape)")
            }
            seed = Tensor(unchecked: shape, [1])
        }
        let order = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        try Engine.withNoGrad {
            for t in order.reversed() {
                try Engine.checkInterrupt()
                guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
                if let node = t.gradNode {
                    let inputGrads = try node.backward(g)
                    for (input, ig) in zip(node.inputs, inputGrads) where input.requiresGrad {
                        guard let ig else { continue }
                        guard ig.shape == input.shape else {
                            throw TensorError("internal: gradient of \(node.name) has shape \(ig.shape), input \(input.shape)")
                        }
                        let key = ObjectIdentifier(input)
                        if let prev = grads[key] { grads[key] = try prev.add(ig) } else { grads[key] = ig }
                    }
                    if !retainGraph { t.gradNode = nil }
                } else {
                    t.grad = try t.grad.map { try $0.add(g) } ?? g.detach()
                }
            }
        }
    }

    /// Tensors reachable from `self` through recorded operations, inputs before outputs
    /// (iterative depth-first search, so deep graphs cannot overflow the stack).
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            if let node = t.gradNode {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }
}
