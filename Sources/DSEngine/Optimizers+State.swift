/// Optimizer and EMA state for checkpoints: what `step()` accumulates (Adam's moments and per-tensor
/// step counts, SGD's momentum buffers, the step count), exported and restored so training resumes
/// bit-identically after `save` / `load`.
public struct OptimizerState {
    /// `"adam"`, `"sgd"` or `"optimizer"` (no state beyond the step count).
    public var kind: String
    public var stepCount: Int
    /// Named per-parameter buffers (`exp_avg`, `exp_avg_sq`, `momentum_buffer`), indexed by
    /// parameter position; nil where a buffer does not exist yet.
    public var buffers: [(name: String, tensors: [Tensor?])]
    /// Adam's per-parameter step counts (bias correction).
    public var paramSteps: [Int]

    public init(kind: String, stepCount: Int, buffers: [(name: String, tensors: [Tensor?])], paramSteps: [Int]) {
        (self.kind, self.stepCount, self.buffers, self.paramSteps) = (kind, stepCount, buffers, paramSteps)
    }
}

extension Optimizer {
    /// The state `step()` has accumulated, as detached copies.
    public func exportState() -> OptimizerState {
        func copies(_ rows: [[Float]?]) -> [Tensor?] {
            zip(params, rows).map { p, row in row.map { Tensor(shape: p.shape, scalars: $0) } }
        }
        if let adam = self as? Adam {
            return OptimizerState(kind: "adam", stepCount: stepCount,
                                  buffers: [("exp_avg", copies(adam.m)), ("exp_avg_sq", copies(adam.v))],
                                  paramSteps: adam.steps)
        }
        if let sgd = self as? SGD {
            return OptimizerState(kind: "sgd", stepCount: stepCount, buffers: [("momentum_buffer", copies(sgd.buffers))],
                                  paramSteps: [])
        }
        return OptimizerState(kind: "optimizer", stepCount: stepCount, buffers: [], paramSteps: [])
    }

    /// Restores state exported by an optimizer of the same kind over parameters of the same shapes.
    public func importState(_ state: OptimizerState) throws {
        guard state.stepCount >= 0 else { throw TensorError("optimizer state: negative step count") }
        func rows(_ name: String, required: Bool) throws -> [[Float]?] {
            guard let buffer = state.buffers.first(where: { $0.name == name }) else {
                if required { throw TensorError("optimizer state: missing '\(name)'") }
                return Array(repeating: nil, count: params.count)
            }
            let given = buffer.tensors + Array(repeating: nil, count: required ? 0 : max(0, params.count - buffer.tensors.count))
            guard given.count == params.count else {
                throw TensorError("optimizer state: '\(name)' has \(buffer.tensors.count) tensors, the optimizer has \(params.count) parameters")
            }
            return try zip(params, given).enumerated().map { i, pair in
                guard let t = pair.1 else { return nil }
                guard t.shape == pair.0.shape else {
                    throw TensorError("optimizer state: '\(name)' #\(i) has shape \(t.shape), the parameter \(pair.0.shape)")
                }
                return t.scalars
            }
        }
        if let adam = self as? Adam {
            guard state.kind == "adam" else { throw TensorError("optimizer state: saved from \(state.kind), loading into adam") }
            let m = try rows("exp_avg", required: true), v = try rows("exp_avg_sq", required: true)
            guard state.paramSteps.count == params.count, state.paramSteps.allSatisfy({ $0 >= 0 }) else {
                throw TensorError("optimizer state: expected \(params.count) per-parameter step counts, got \(state.paramSteps.count)")
            }
            adam.m = zip(params, m).map { p, row in row ?? [Float](repeating: 0, count: p.count) }
            adam.v = zip(params, v).map { p, row in row ?? [Float](repeating: 0, count: p.count) }
            adam.steps = state.paramSteps
        } else if let sgd = self as? SGD {
            guard state.kind == "sgd" else { throw TensorError("optimizer state: saved from \(state.kind), loading into sgd") }
            sgd.buffers = try rows("momentum_buffer", required: false)
        }
        stepCount = state.stepCount
    }
}

extension EMA {
    /// Restores the averages (same order and shapes as `shadow`) and the update count.
    public func importState(shadow values: [Tensor], updates: Int?) throws {
        guard values.count == shadow.count else { throw TensorError("ema: \(values.count) tensors given, \(shadow.count) tracked") }
        for (s, t) in zip(shadow, values) {
            guard s.shape == t.shape else { throw TensorError("ema: shape \(t.shape) does not match \(s.shape)") }
        }
        for (s, t) in zip(shadow, values) { s.scalars = t.scalars }
        if let updates {
            guard updates >= 0 else { throw TensorError("ema: negative update count") }
            self.updates = updates
        }
    }
}
