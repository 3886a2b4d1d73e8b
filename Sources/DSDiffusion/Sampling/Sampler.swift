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

    /// The diffusers scheduler class the sampler matches (what `pipe.scheduler = Cls.from_config(...)` names).
    public var schedulerClass: String {
        switch self {
        case .ddpm: return "DDPMScheduler"
        case .ddim: return "DDIMScheduler"
        case .dpmpp2m, .dpmpp2mSDE: return "DPMSolverMultistepScheduler"
        case .euler: return "EulerDiscreteScheduler"
        case .eulerAncestral: return "EulerAncestralDiscreteScheduler"
        case .heun: return "HeunDiscreteScheduler"
        case .unipc: return "UniPCMultistepScheduler"
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

/// How `sample` runs: steps, η, σ spacing, and the settings that say how the model output is read.
public struct SamplerOptions {
    /// Sampling steps; nil means 50 (at most T − 1 for the σ samplers, T for DDIM; DDPM: every timestep).
    public var steps: Int?
    /// DDIM's η (other samplers refuse η ≠ 0).
    public var eta = 0.0
    /// Karras et al.'s σ spacing (ρ = 7) for the σ-based samplers (diffusers' `use_karras_sigmas`); nil
    /// means the settings' own (`SamplerSettings.karras`, which DDPM and DDIM ignore).
    public var karras: Bool?
    /// Prediction, clipping / thresholding of x̂_0, timestep spacing and offset, DDIM's final ᾱ,
    /// DDPM's variance and Karras σs; nil means the schedule's own (`Schedule.settings`). Every sampler reads them.
    public var settings: SamplerSettings?
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
public typealias SamplerRun = SamplingResult<Double>

/// Samples with any of the `SamplerKind`s from standard normal noise (`initialNoise` or the first
/// draw of `noise`), which each sampler scales as diffusers' pipelines do with `init_noise_sigma`.
/// The stochastic samplers draw one more tensor per step, after that step's model call.
public func sample(_ model: @escaping ConditionalModel, schedule: Schedule, sampler: SamplerKind, shape: [Int],
                   noise: NoiseSource, initialNoise: Tensor? = nil, options: SamplerOptions = SamplerOptions(),
                   guidance: Guidance = Guidance(), hooks: SamplerHooks = SamplerHooks()) throws -> SamplerRun {
    try SamplerSupport.check(shape: shape)
    let settings = options.settings ?? schedule.settings
    try settings.validate()
    let denoiser = try Denoiser(model: model, guidance: guidance, shape: shape, settings: settings,
                                fullOutput: sampler == .ddpm && settings.variance.isLearned)
    guard options.eta == 0 || sampler == .ddim else {
        throw DiffusionError("eta applies to the ddim sampler only (\(sampler.rawValue) got eta = \(Teaching.number(options.eta)))")
    }
    guard let grid = try samplerGrid(schedule: schedule, sampler: sampler, options: options) else {
        guard options.karras != true else {
            throw DiffusionError("karras σs apply to the σ-based samplers, not \(sampler.rawValue)")
        }
        return try timestepSample(denoiser, schedule: schedule, sampler: sampler, noise: noise,
                                  initialNoise: initialNoise, options: options, settings: settings, hooks: hooks)
    }
    let start = try initialNoise ?? SamplerSupport.noise(noise, shape)
    try Check.sameShape(start.shape, shape, "initial noise", "the sample")
    var run = SamplerRecorder(shape: shape, steps: grid.timesteps.count, keep: options.trajectory, hooks: hooks)
    let draw = { try SamplerSupport.noise(noise, shape).doubles }
    let x: [Double]
    switch sampler {
    case .euler, .eulerAncestral, .heun:
        x = try KarrasSamplers.run(sampler, denoiser, grid: grid, start: start.doubles, leading: settings.spacing == .leading,
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

/// The σ grid `sample` walks for `sampler` with `options` (nil for DDPM and DDIM, which step between timesteps).
public func samplerGrid(schedule: Schedule, sampler: SamplerKind, options: SamplerOptions) throws -> SigmaGrid? {
    guard let family = sampler.family else { return nil }
    let settings = options.settings ?? schedule.settings
    return try SigmaGrid(schedule, steps: options.steps ?? min(50, schedule.T - 1), family: family, spacing: settings.spacing,
                         karras: options.karras ?? settings.karras, stepsOffset: settings.stepsOffset)
}

/// DDPM and DDIM through `ddpmSample` / `ddimSample`, with guidance folded into the model.
private func timestepSample(_ denoiser: Denoiser, schedule: Schedule, sampler: SamplerKind, noise: NoiseSource,
                            initialNoise: Tensor?, options: SamplerOptions, settings: SamplerSettings,
                            hooks: SamplerHooks) throws -> SamplerRun {
    let model: DenoiserModel = { x, t in
        var shape = x.shape
        if denoiser.fullOutput { shape[1] *= 2 }
        return Tensor(shape: shape, doubles: try denoiser.output(x.doubles, t: Double(t[0])))
    }
    let result: SampleResult
    if sampler == .ddpm {
        let steps = options.steps.flatMap { $0 == schedule.T ? nil : $0 }
        result = try ddpmSample(model, schedule: schedule, shape: denoiser.shape, noise: noise, settings: settings,
                                steps: steps, trajectory: options.trajectory, initialNoise: initialNoise, hooks: hooks)
    } else {
        result = try ddimSample(model, schedule: schedule, shape: denoiser.shape, noise: noise,
                                steps: options.steps ?? min(50, schedule.T),
                                eta: options.eta, settings: settings, trajectory: options.trajectory,
                                initialNoise: initialNoise, hooks: hooks)
    }
    return result.mapTimesteps(Double.init)
}

/// Calls the model (with guidance) on Float64 states and reads x̂_0 from its output.
///
/// A model with a learned variance (`settings.variance` learned or learned_range) returns 2C channels;
/// the σ-based samplers and DDIM read the first C (as diffusers' DPMSolverMultistep does), DDPM gets
/// all of them (`fullOutput`). Guidance mixes the prediction channels and keeps the conditional
/// variance channels.
final class Denoiser {
    let model: ConditionalModel
    let guidance: Guidance
    let shape: [Int]
    let prediction: Prediction
    let limit: X0Limit
    /// The model returns 2C channels on axis 1.
    let learned: Bool
    /// `output` returns all 2C channels (for DDPM) instead of the first C.
    let fullOutput: Bool
    /// The timestep of every call so far.
    private(set) var calls: [Double] = []

    init(model: @escaping ConditionalModel, guidance: Guidance, shape: [Int], settings: SamplerSettings,
         fullOutput: Bool) throws {
        self.model = model
        self.guidance = guidance
        self.shape = shape
        prediction = settings.prediction
        limit = try settings.x0Limit
        learned = settings.variance.isLearned
        self.fullOutput = fullOutput
        if learned && shape.count < 2 {
            throw DiffusionError("a learned variance needs samples with channels (shape [B, C, ...]), got \(shape)")
        }
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

    /// The model output at x (variance-preserving x_t) and t, guided when a scale is set: C channels,
    /// or 2C for a learned variance with `fullOutput`.
    func output(_ x: [Double], t: Double) throws -> [Double] {
        calls.append(t)
        let xt = Tensor(shape: shape, doubles: x)
        var outShape = shape
        if learned { outShape[1] *= 2 }
        let out: [Double]
        if var labels = guidance.classLabels {
            if labels.count == 1 { labels = [Int](repeating: labels[0], count: batch) }
            if let w = guidance.scale, w != 1, let null = guidance.nullLabel {
                out = try guided(xt, t: t, labels: labels, null: null, scale: w, outShape: outShape)
            } else {
                out = try checked(model(xt, t, labels), outShape, t: t).doubles
            }
        } else {
            out = try checked(model(xt, t, nil), outShape, t: t).doubles
        }
        guard learned && !fullOutput else { return out }
        let inner = x.count / batch
        return (0..<x.count).map { i in out[(i / inner) * 2 * inner + i % inner] }
    }

    /// u + w·(c − u) from one call on [x; x] with labels [y; ∅] (the variance channels: c).
    private func guided(_ xt: Tensor, t: Double, labels: [Int], null: Int, scale w: Double,
                        outShape: [Int]) throws -> [Double] {
        let nulls = [Int](repeating: null, count: batch)
        if w == 0 { return try checked(model(xt, t, nulls), outShape, t: t).doubles }
        var doubled = outShape
        doubled[0] *= 2
        let values = try checked(model(try Tensor.cat([xt, xt], axis: 0), t, labels + nulls), doubled, t: t).doubles
        let half = values.count / 2, inner = half / batch, predicted = learned ? inner / 2 : inner
        return (0..<half).map { i in
            i % inner < predicted ? values[half + i] + w * (values[i] - values[half + i]) : values[i]
        }
    }

    /// x̂_0 from the model at x (variance-preserving) and t, read at noise level σ (a = 1/√(1+σ²), b = σ·a).
    func x0(_ x: [Double], t: Double, sigma: Double) throws -> [Double] {
        let out = try output(x, t: t)
        let a = 1 / (sigma * sigma + 1).squareRoot(), b = sigma * a
        var x0 = (0..<x.count).map { Schedule.x0AndEps(out[$0], prediction: prediction, xt: x[$0], a: a, b: b).0 }
        limit.apply(&x0, batch: batch)
        return x0
    }

    private func checked(_ out: Tensor, _ expected: [Int], t: Double) throws -> Tensor {
        guard out.shape == expected else {
            var inputShape = expected
            if learned { inputShape[1] /= 2 }
            throw DiffusionError("the model returned shape \(out.shape) for x_t of shape \(inputShape) at t = \(Teaching.number(t))"
                                 + (learned ? " (a learned variance needs twice the channels: \(expected))" : ""))
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
