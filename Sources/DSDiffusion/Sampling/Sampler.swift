import DSEngine
import Foundation

/// A model as `sample` calls it: x_t on the variance-preserving scale (x_t = √ᾱ·x_0 + √(1−ᾱ)·ε), one
/// timestep for the whole batch (fractional where the sampler needs it) and, when given, one class
/// label per sample. It returns ε, x_0 or v (`SamplerOptions.prediction`) shaped like x_t.
public typealias ConditionalModel = (_ xt: Tensor, _ t: Double, _ classLabels: [Int]?) throws -> Tensor

/// The samplers of `sample(model, s, sampler:)` (SPEC §11), each matching a diffusers scheduler.
public enum SamplerKind: String, CaseIterable, Sendable {
    /// DDPM ancestral sampling (`DDPMScheduler`), every timestep or `steps` of them.
    case ddpm
    /// DDIM (`DDIMScheduler`), η = 0 deterministic.
    case ddim
    /// DPM-Solver++(2M) (`DPMSolverMultistepScheduler`, `dpmsolver++`, order 2, midpoint).
    case dpmpp2m = "dpmpp_2m"
    /// Its SDE variant (`algorithm_type: sde-dpmsolver++`).
    case dpmpp2mSDE = "dpmpp_2m_sde"
    /// Euler's method on the probability-flow ODE in σ (`EulerDiscreteScheduler`).
    case euler
    /// Euler ancestral (`EulerAncestralDiscreteScheduler`).
    case eulerAncestral = "euler_a"
    /// Heun's second-order method, Karras et al. Algorithm 1 (`HeunDiscreteScheduler`).
    case heun
    /// UniPC, bh2 predictor–corrector of order 2 (`UniPCMultistepScheduler`).
    case unipc

    /// Parses a sampler name.
    public init(name: String) throws {
        guard let kind = SamplerKind(rawValue: name) else {
            throw DiffusionError("unknown sampler '\(name)' (expected "
                                 + SamplerKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        self = kind
    }

    /// The timestep spacing diffusers' scheduler uses by default.
    public var defaultSpacing: TimestepSpacing {
        switch self {
        case .ddpm, .ddim: return .leading
        default: return .linspace
        }
    }

    /// Which σ grid the sampler walks (nil for DDPM and DDIM, which step between timesteps).
    public var family: SigmaGrid.Family? {
        switch self {
        case .ddpm, .ddim: return nil
        case .euler, .eulerAncestral, .heun: return .discrete
        case .dpmpp2m, .dpmpp2mSDE, .unipc: return .multistep
        }
    }
}

/// How `sample` runs: steps, spacing and how the model output is read.
public struct SamplerOptions {
    /// Sampling steps; nil means 50 (DDPM: every timestep).
    public var steps: Int?
    /// nil means the sampler's diffusers default (`SamplerKind.defaultSpacing`).
    public var spacing: TimestepSpacing?
    /// Added to `leading` timesteps (diffusers' `steps_offset`).
    public var stepsOffset = 0
    /// DDIM's η (other samplers refuse η ≠ 0).
    public var eta = 0.0
    /// Karras et al.'s σ spacing (ρ = 7) for the σ-based samplers (diffusers' `use_karras_sigmas`).
    public var karras = false
    public var prediction = Prediction.eps
    /// Clip x̂_0 to ±clipRange (diffusers' `clip_sample`); dynamic `threshold` takes precedence.
    public var clip = false
    public var clipRange = 1.0
    public var threshold: DynamicThreshold?
    /// DDPM's variance.
    public var variance = VarianceType.fixedSmall
    /// Keep x_t and x̂_0 after every step.
    public var trajectory = false

    public init() {}
}

/// Classifier-free guidance (Ho & Salimans 2022): out = out(∅) + w·(out(y) − out(∅)), the conditional
/// and unconditional halves computed in one batched model call of 2B samples.
public struct Guidance {
    /// One label per sample (or one for the whole batch); nil calls the model without labels.
    public var classLabels: [Int]?
    /// The label that means "no label" (the model was trained with it in place of dropped labels).
    public var nullLabel: Int?
    /// w; nil or 1 means the conditional model alone, 0 the unconditional one.
    public var scale: Double?

    public init(classLabels: [Int]? = nil, nullLabel: Int? = nil, scale: Double? = nil) {
        self.classLabels = classLabels
        self.nullLabel = nullLabel
        self.scale = scale
    }
}

/// What `sample` returns.
public struct SamplerRun {
    /// x_0.
    public let sample: Tensor
    /// The timestep of each model call, in order (Heun calls the model twice per step but the last).
    public let timesteps: [Double]
    /// x_t on the variance-preserving scale at the start and after each step (with `trajectory`).
    public let trajectory: [Tensor]
    /// x̂_0 of each step (with `trajectory`).
    public let predictedX0: [Tensor]
}

/// Samples with any of the `SamplerKind`s from standard normal noise (`initialNoise` or the first
/// draw of `noise`), which each sampler scales as diffusers' pipelines do with `init_noise_sigma`.
/// The stochastic samplers draw one more tensor per step, after that step's model call.
public func sample(_ model: @escaping ConditionalModel, schedule: Schedule, sampler: SamplerKind, shape: [Int],
                   noise: NoiseSource, initialNoise: Tensor? = nil, options: SamplerOptions = SamplerOptions(),
                   guidance: Guidance = Guidance(), hooks: SamplerHooks = SamplerHooks()) throws -> SamplerRun {
    try SamplerSupport.check(shape: shape)
    let denoiser = try Denoiser(model: model, guidance: guidance, shape: shape, options: options)
    guard options.eta == 0 || sampler == .ddim else {
        throw DiffusionError("eta applies to the ddim sampler only (\(sampler.rawValue) got eta = \(Teaching.number(options.eta)))")
    }
    guard let family = sampler.family else {
        guard !options.karras else {
            throw DiffusionError("karras σs apply to the σ-based samplers, not \(sampler.rawValue)")
        }
        return try timestepSample(denoiser, schedule: schedule, sampler: sampler, noise: noise,
                                  initialNoise: initialNoise, options: options, hooks: hooks)
    }
    let grid = try SigmaGrid(schedule, steps: options.steps ?? 50, family: family,
                             spacing: options.spacing ?? sampler.defaultSpacing, karras: options.karras,
                             stepsOffset: options.stepsOffset)
    let start = try initialNoise ?? SamplerSupport.noise(noise, shape)
    try Check.sameShape(start.shape, shape, "initial noise", "the sample")
    var run = SamplerRecorder(shape: shape, steps: grid.timesteps.count, keep: options.trajectory, hooks: hooks)
    let draw = { try SamplerSupport.noise(noise, shape).doubles }
    let x: [Double]
    switch sampler {
    case .euler, .eulerAncestral, .heun:
        let spacing = options.spacing ?? sampler.defaultSpacing
        x = try KarrasSamplers.run(sampler, denoiser, grid: grid, start: start.doubles, leading: spacing == .leading,
                                   draw: draw, record: &run)
    case .dpmpp2m, .dpmpp2mSDE:
        x = try DPMSolver.run(denoiser, grid: grid, start: start.doubles, sde: sampler == .dpmpp2mSDE,
                              draw: draw, record: &run)
    case .unipc:
        x = try UniPC.run(denoiser, grid: grid, start: start.doubles, record: &run)
    case .ddpm, .ddim:
        throw DiffusionError("internal: \(sampler.rawValue) has no σ grid")
    }
    return SamplerRun(sample: Tensor(shape: shape, doubles: x), timesteps: denoiser.calls,
                      trajectory: run.xs, predictedX0: run.x0s)
}

/// DDPM and DDIM through `ddpmSample` / `ddimSample`, with guidance folded into the model.
private func timestepSample(_ denoiser: Denoiser, schedule: Schedule, sampler: SamplerKind, noise: NoiseSource,
                            initialNoise: Tensor?, options: SamplerOptions, hooks: SamplerHooks) throws -> SamplerRun {
    let model: DenoiserModel = { x, t in
        Tensor(shape: x.shape, doubles: try denoiser.output(x.doubles, t: Double(t[0])))
    }
    let spacing = options.spacing ?? sampler.defaultSpacing
    let result: SampleResult
    if sampler == .ddpm {
        let steps = options.steps.flatMap { $0 == schedule.T ? nil : $0 }
        guard steps == nil || spacing != .leading || options.stepsOffset == 0 else {
            throw DiffusionError("steps_offset is not supported by the ddpm sampler")
        }
        result = try ddpmSample(model, schedule: schedule, shape: denoiser.shape, noise: noise, variance: options.variance,
                                prediction: options.prediction, clip: options.clip, clipRange: options.clipRange,
                                threshold: options.threshold, steps: steps, spacing: spacing,
                                trajectory: options.trajectory, initialNoise: initialNoise, hooks: hooks)
    } else {
        result = try ddimSample(model, schedule: schedule, shape: denoiser.shape, noise: noise, steps: options.steps ?? 50,
                                eta: options.eta, spacing: spacing, stepsOffset: options.stepsOffset,
                                prediction: options.prediction, clip: options.clip, clipRange: options.clipRange,
                                threshold: options.threshold, trajectory: options.trajectory,
                                initialNoise: initialNoise, hooks: hooks)
    }
    return SamplerRun(sample: result.sample, timesteps: result.timesteps.map(Double.init), trajectory: result.trajectory,
                      predictedX0: result.predictedX0)
}

/// Calls the model (with guidance) on Float64 states and reads x̂_0 from its output.
final class Denoiser {
    let model: ConditionalModel
    let guidance: Guidance
    let shape: [Int]
    let prediction: Prediction
    let limit: X0Limit
    /// The timestep of every call so far.
    private(set) var calls: [Double] = []

    init(model: @escaping ConditionalModel, guidance: Guidance, shape: [Int], options: SamplerOptions) throws {
        self.model = model
        self.guidance = guidance
        self.shape = shape
        prediction = options.prediction
        limit = try X0Limit(clip: options.clip, clipRange: options.clipRange, threshold: options.threshold)
        let batch = shape[0]
        if let labels = guidance.classLabels {
            guard labels.count == batch || labels.count == 1 else {
                throw DiffusionError("class_labels has \(labels.count) labels for a batch of \(batch)")
            }
        }
        if let w = guidance.scale {
            try Check.finite(w, "guidance")
            guard guidance.classLabels != nil else { throw DiffusionError("guidance needs class_labels") }
            guard guidance.nullLabel != nil else {
                throw DiffusionError("guidance needs the null label (the label the model was trained with for 'no label')")
            }
        }
    }

    var batch: Int { shape[0] }

    /// The model output at x (variance-preserving x_t) and t, guided when a scale is set.
    func output(_ x: [Double], t: Double) throws -> [Double] {
        calls.append(t)
        let xt = Tensor(shape: shape, doubles: x)
        guard var labels = guidance.classLabels else { return try checked(model(xt, t, nil), t: t).doubles }
        if labels.count == 1 { labels = [Int](repeating: labels[0], count: batch) }
        guard let w = guidance.scale, w != 1, let null = guidance.nullLabel else {
            return try checked(model(xt, t, labels), t: t).doubles
        }
        if w == 0 { return try checked(model(xt, t, [Int](repeating: null, count: batch)), t: t).doubles }
        var doubled = shape
        doubled[0] *= 2
        let both = try model(try Tensor.cat([xt, xt], axis: 0), t, labels + [Int](repeating: null, count: batch))
        guard both.shape == doubled else {
            throw DiffusionError("the model returned shape \(both.shape) for x_t of shape \(doubled) at t = \(Teaching.number(t))")
        }
        let values = both.doubles, half = x.count
        return (0..<half).map { i in values[half + i] + w * (values[i] - values[half + i]) }
    }

    /// x̂_0 from the model at x (variance-preserving) and t, read at noise level σ (a = 1/√(1+σ²), b = σ·a).
    func x0(_ x: [Double], t: Double, sigma: Double) throws -> [Double] {
        let out = try output(x, t: t)
        let a = 1 / (sigma * sigma + 1).squareRoot(), b = sigma * a
        var x0 = (0..<x.count).map { Schedule.x0AndEps(out[$0], prediction: prediction, xt: x[$0], a: a, b: b).0 }
        limit.apply(&x0, batch: batch)
        return x0
    }

    private func checked(_ out: Tensor, t: Double) throws -> Tensor {
        guard out.shape == shape else {
            throw DiffusionError("the model returned shape \(out.shape) for x_t of shape \(shape) at t = \(Teaching.number(t))")
        }
        return out
    }
}

/// Progress, interruption and the optional trajectory of a σ-based sampler.
struct SamplerRecorder {
    let shape: [Int]
    let steps: Int
    let keep: Bool
    let hooks: SamplerHooks
    private(set) var xs: [Tensor] = []
    private(set) var x0s: [Tensor] = []
    private var done = 0

    init(shape: [Int], steps: Int, keep: Bool, hooks: SamplerHooks) {
        self.shape = shape
        self.steps = steps
        self.keep = keep
        self.hooks = hooks
    }

    func checkInterrupt() throws { try hooks.checkInterrupt?() }

    /// Records the starting state (variance-preserving x_T).
    mutating func start(_ x: [Double]) {
        if keep { xs.append(Tensor(shape: shape, doubles: x)) }
    }

    /// Records one finished step: the new variance-preserving x_t and the x̂_0 it used.
    mutating func step(_ x: [Double], x0: [Double]) {
        if keep {
            xs.append(Tensor(shape: shape, doubles: x))
            x0s.append(Tensor(shape: shape, doubles: x0))
        }
        done += 1
        hooks.progress?(done, steps)
    }
}
