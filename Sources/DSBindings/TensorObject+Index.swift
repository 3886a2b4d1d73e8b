import DSEngine
import DSLanguage

/// `x[...]` and `x[...] = v`: integers, slices, negative indices, integer tensors and lists
/// (gather along the indexed axis), translated into the engine's `TensorSelection`. Reading records
/// gradients; assignment is refused on tensors that record them.
extension TensorObject {
    public func index(_ components: [IndexComponent], context: CallContext) throws -> Value {
        if tensor.shape.isEmpty {
            throw ScriptError("a 0-d tensor cannot be indexed (use x.item())")
        }
        if let (mask, rest) = try maskAlone(components) {
            // x[mask]: the leading axes the mask covers, flattened, then its positions gathered.
            let flat = try tensor.reshape([mask.count] + rest)
            let positions = try TensorSelection.maskPositions(mask, of: tensor.shape, from: 0)
            return .native(TensorObject(try flat.select(TensorSelection([.gather(positions: positions, shape: [positions.count])],
                                                                        shape: flat.shape))))
        }
        return .native(TensorObject(try tensor.select(try TensorSelection(components, shape: tensor.shape))))
    }

    /// The mask of `x[mask]` when it is the only index and has more than one axis (a 1-D mask is an
    /// ordinary entry), with the shape of the axes it leaves.
    func maskAlone(_ components: [IndexComponent]) throws -> (Tensor, [Int])? {
        guard components.count == 1, case .value(.native(let object as TensorObject)) = components[0], object.isMask,
              object.tensor.rank > 1 else { return nil }
        _ = try TensorSelection.maskPositions(object.tensor, of: tensor.shape, from: 0)
        return (object.tensor, Array(tensor.shape.dropFirst(object.tensor.rank)))
    }

    public func setIndex(_ components: [IndexComponent], _ value: Value, context: CallContext) throws {
        try checkAssignable()
        if let (mask, rest) = try maskAlone(components) {
            let inner = rest.reduce(1, *)
            let positions = try TensorSelection.maskPositions(mask, of: tensor.shape, from: 0)
            let offsets = positions.flatMap { p in (0..<inner).map { p * inner + $0 } }
            return try assign(value, at: offsets, shape: [positions.count] + rest)
        }
        let selection: TensorSelection
        if tensor.shape.isEmpty {
            guard components.isEmpty else { throw ScriptError("a 0-d tensor cannot be indexed") }
            selection = try TensorSelection([TensorSelection.Entry](), shape: [])
        } else {
            selection = try TensorSelection(components, shape: tensor.shape)
        }
        try assign(value, at: selection.offsets(in: tensor.shape), shape: selection.resultShape(tensor.shape))
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
            let selection = try TensorSelection(components, shape: shape)
            if level < levels.count - 1 && !selection.isBasic {
                throw ScriptError("x[...][...] = v cannot write through an index made of a tensor or a list "
                                  + "(it selects a copy); put the indices in one bracket: x[i, j] = v")
            }
            let local = selection.offsets(in: shape)
            offsets = level == 0 ? local : local.map { offsets[$0] }
            shape = selection.resultShape(shape)
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
        try tensor.write(try TensorObject.coerce(value, role: "assigned value"), at: offsets, shape: targetShape)
    }
}
