import CKernels
import DSLimits
import Foundation

/// Base optimizer: a parameter list, a learning rate, `step()` and `zeroGrad()`.
/// Parameters without a gradient are skipped, as in PyTorch.
open class Optimizer {
    public let params: [Tensor]
    public var lr: Float
    /// Steps taken so far.
    public internal(set) var stepCount = 0

    public init(_ params: [Tensor], lr: Float) throws {
        guard lr >= 0, lr.isFinite else { throw TensorError("invalid learning rate: \(NumberText.plain(lr))") }
        self.params = params
        self.lr = lr
    }

    /// Clears every parameter's gradient (set_to_none, PyTorch's default).
    public func zeroGrad() { for p in params { p.grad = nil } }

    /// Applies one update using the current gradients.
    public func step() throws {
        stepCount += 1
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            guard g.count == p.count else {
                throw TensorError("optimizer: gradient shape \(g.shape) does not match parameter shape \(p.shape)")
            }
            update(i, p, g.scalars)
        }
    }

    /// Updates parameter `index` in place from its gradient values.
    open func update(_ index: Int, _ param: Tensor, _ grad: [Float]) {}
}

/// SGD with momentum, dampening, Nesterov and L2 weight decay: torch.optim.SGD's exact rule.
public final class SGD: Optimizer {
    public var momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool
    var buffers: [[Float]?]

    public init(_ params: [Tensor], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) throws {
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw TensorError("sgd: Nesterov momentum requires a momentum and zero dampening")
        }
        (self.momentum, self.dampening, self.weightDecay, self.nesterov) = (momentum, dampening, weightDecay, nesterov)
        if momentum != 0 { try Tensor.reserve(params.reduce(0) { $0 + $1.count }, for: "sgd's momentum buffers") }
        buffers = Array(repeating: nil, count: params.count)
        try super.init(params, lr: lr)
    }

    public override func update(_ index: Int, _ param: Tensor, _ grad: [Float]) {
        let n = grad.count
        var d = grad
        if weightDecay != 0 { for i in 0..<n { d[i] += weightDecay * param.scalars[i] } }
        if momentum != 0 {
            var buf: [Float]
            if var b = buffers[index] {
                for i in 0..<n { b[i] = momentum * b[i] + (1 - dampening) * d[i] }
                buf = b
            } else {
                buf = d
            }
            buffers[index] = buf
            if nesterov { for i in 0..<n { d[i] += momentum * buf[i] } } else { d = buf }
        }
        let lr = self.lr
        param.scalars.withUnsafeMutableBufferPointer { p in for i in 0..<n { p[i] -= lr * d[i] } }
    }
}

/// Adam (and AdamW with `decoupled`): torch.optim.Adam / AdamW's exact update, including bias
/// correction `step_size = lr / (1 − β1^t)` and `denom = √v / √(1 − β2^t) + ε`.
public final class Adam: Optimizer {
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public let decoupled: Bool
    var m: [[Float]], v: [[Float]], steps: [Int]

    public init(_ params: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), eps: Float = 1e-8,
                weightDecay: Float = 0, decoupled: Bool = false) throws {
        guard betas.0 >= 0, betas.0 < 1, betas.1 >= 0, betas.1 < 1 else {
            throw TensorError("adam: betas must be in [0, 1), got (\(NumberText.plain(betas.0)), \(NumberText.plain(betas.1)))")
        }
        guard eps >= 0 else { throw TensorError("adam: eps must be non-negative") }
        (beta1, beta2, self.eps, self.weightDecay, self.decoupled) = (betas.0, betas.1, eps, weightDecay, decoupled)
        try Tensor.reserve(2 * params.reduce(0) { $0 + $1.count }, for: "adam's moments")
        m = params.map { [Float](repeating: 0, count: $0.count) }
        v = params.map { [Float](repeating: 0, count: $0.count) }
        steps = Array(repeating: 0, count: params.count)
        try super.init(params, lr: lr)
    }

    /// AdamW: decoupled weight decay (default 0.01 as torch).
    public static func adamW(_ params: [Tensor], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                             eps: Float = 1e-8, weightDecay: Float = 0.01) throws -> Adam {
        try Adam(params, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    public override func update(_ index: Int, _ param: Tensor, _ grad: [Float]) {
        steps[index] += 1
        let t = steps[index]
        let n = grad.count
        let (b1, b2, eps, wd, lr) = (beta1, beta2, eps, weightDecay, self.lr)
        let bc1 = 1 - Foundation.pow(Double(b1), Double(t)), bc2 = 1 - Foundation.pow(Double(b2), Double(t))
        let stepSize = Float(Double(lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
        let hyper: [Float] = [b1, b2, eps, wd, lr, stepSize, bc2Sqrt]
        let mode: Int32 = decoupled ? 2 : (wd != 0 ? 1 : 0)
        m[index].withUnsafeMutableBufferPointer { pm in
            v[index].withUnsafeMutableBufferPointer { pv in
                grad.withUnsafeBufferPointer { pg in
                    param.scalars.withUnsafeMutableBufferPointer { pp in
                        guard let p0 = pp.baseAddress, let g0 = pg.baseAddress, let m0 = pm.baseAddress,
                              let v0 = pv.baseAddress else { return }
                        // Memory-bound (28 bytes per parameter), so split above 64 k parameters.
                        Engine.parallelFor(n, grain: 1 << 16) { s, e in
                            ck_adam(p0 + s, g0 + s, m0 + s, v0 + s, e - s, hyper, mode)
                        }
                    }
                }
            }
        }
    }
}

/// Scales gradients so their global L2 norm is at most `maxNorm`; returns the norm before
/// clipping (torch.nn.utils.clip_grad_norm_: coefficient maxNorm / (norm + 1e-6), capped at 1).
@discardableResult
public func clipGradNorm(_ params: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in params { if let g = p.grad { for x in g.scalars { total += Double(x) * Double(x) } } }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in params { if let g = p.grad { p.grad = Tensor(unchecked: g.shape, g.scalars.map { $0 * coef }) } }
    }
    return norm
}

/// Exponential moving average of parameters: `shadow −= (1 − decay)·(shadow − param)`.
/// With `warmup`, the decay used at update k is min(decay, (1 + k) / (10 + k)) as diffusers' EMAModel.
public final class EMA {
    public let params: [Tensor]
    public private(set) var shadow: [Tensor]
    public var decay: Float
    public var warmup: Bool
    public internal(set) var updates = 0

    public init(_ params: [Tensor], decay: Float = 0.9999, warmup: Bool = false) throws {
        guard decay >= 0, decay <= 1 else { throw TensorError("ema: decay must be in [0, 1], got \(NumberText.plain(decay))") }
        try Tensor.reserve(params.reduce(0) { $0 + $1.count }, for: "the averages of ema")
        self.params = params
        self.shadow = params.map { $0.detach() }
        self.decay = decay
        self.warmup = warmup
    }

    public convenience init(_ module: Module, decay: Float = 0.9999, warmup: Bool = false) throws {
        try self.init(module.parameters(), decay: decay, warmup: warmup)
    }

    /// The decay the next update uses.
    public var currentDecay: Float {
        warmup ? Swift.min(decay, Float(1 + updates) / Float(10 + updates)) : decay
    }

    /// Moves the shadow values toward the current parameters.
    public func update() {
        let d = currentDecay
        updates += 1
        for (s, p) in zip(shadow, params) {
            let pv = p.scalars
            s.scalars.withUnsafeMutableBufferPointer { ps in
                for i in 0..<Swift.min(ps.count, pv.count) { ps[i] -= (1 - d) * (ps[i] - pv[i]) }
            }
        }
    }

    /// Writes the averaged values into `params` (or the given tensors, same order and shapes).
    public func copyTo(_ targets: [Tensor]? = nil) throws {
        let ts = targets ?? params
        guard ts.count == shadow.count else { throw TensorError("ema: \(ts.count) tensors given, \(shadow.count) tracked") }
        for (t, s) in zip(ts, shadow) {
            guard t.shape == s.shape else { throw TensorError("ema: shape \(t.shape) does not match \(s.shape)") }
            t.scalars = s.scalars
        }
    }

    /// Writes the averaged values into a module's parameters.
    public func copyTo(_ module: Module) throws { try copyTo(module.parameters()) }
}

/// Learning-rate schedules as multipliers of the base rate at a step (0-based), as the
/// `get_*_schedule_with_warmup` functions of diffusers / transformers.
public enum LRSchedule {
    case constant
    /// Linear ramp from 0 to 1 over `warmup` steps, then 1.
    case linearWarmup(warmup: Int)
    /// Warm-up, then half a cosine from 1 to 0 at `total` steps.
    case cosine(warmup: Int, total: Int)
    /// Warm-up, then linear decay to 0 at `total` steps.
    case linear(warmup: Int, total: Int)
    /// Multiply by `gamma` every `stepSize` steps (torch StepLR).
    case step(stepSize: Int, gamma: Double)

    /// The multiplier at `step`.
    public func factor(at step: Int) -> Double {
        func ramp(_ w: Int) -> Double? { step < w ? Double(step) / Double(Swift.max(1, w)) : nil }
        switch self {
        case .constant: return 1
        case .linearWarmup(let w): return ramp(w) ?? 1
        case .cosine(let w, let total):
            if let r = ramp(w) { return r }
            let progress = Double(step - w) / Double(Swift.max(1, total - w))
            return Swift.max(0, 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        case .linear(let w, let total):
            if let r = ramp(w) { return r }
            return Swift.max(0, Double(total - step) / Double(Swift.max(1, total - w)))
        case .step(let size, let gamma):
            return Foundation.pow(gamma, Double(step / Swift.max(1, size)))
        }
    }

    /// The learning rate at `step` for base rate `lr`.
    public func lr(_ base: Float, at step: Int) -> Float { Float(Double(base) * factor(at: step)) }
}
