import DSEngine
import DSLimits
import Foundation

/// A denoising model: (x_t, one timestep per sample) → output shaped like x_t (2C channels on axis 1
/// for `learnedRange`). The bindings wrap a script function or a model object in one.
public typealias DenoiserModel = (_ xt: Tensor, _ t: [Int]) throws -> Tensor

/// Draws standard normal noise of the given shape; the bindings plug in the interpreter's seeded generator.
public typealias NoiseSource = (_ shape: [Int]) throws -> Tensor

/// Callbacks a long-running sampler calls once per step.
public struct SamplerHooks {
    /// Called after each step with (steps done, total steps); the bindings draw a progress bar.
    public var progress: ((Int, Int) -> Void)?
    /// Called before each step; throw (e.g. on Ctrl-C) to stop the sampler with that error.
    public var checkInterrupt: (() throws -> Void)?

    public init(progress: ((Int, Int) -> Void)? = nil, checkInterrupt: (() throws -> Void)? = nil) {
        self.progress = progress
        self.checkInterrupt = checkInterrupt
    }
}

/// The result of a sampler: the final sample and, when asked for, the whole trajectory. `Timestep`
/// is `Int` for the timestep samplers (`SampleResult`) and `Double` for `sample` (`SamplerRun`), whose
/// σ grids may call the model between timesteps.
public struct SamplingResult<Timestep> {
    /// The final sample (x_0 for the samplers, x_T for `ddimInvert`).
    public let sample: Tensor
    /// The timestep of each model call, in order (Heun calls the model twice per step but the last).
    public let timesteps: [Timestep]
    /// The starting tensor (x_t on the variance-preserving scale), then the tensor after each step
    /// (empty unless `trajectory` was true).
    public let trajectory: [Tensor]
    /// x̂_0 predicted at each step (empty unless `trajectory` was true).
    public let predictedX0: [Tensor]

    /// The same result with its timesteps converted.
    public func mapTimesteps<T>(_ transform: (Timestep) -> T) -> SamplingResult<T> {
        SamplingResult<T>(sample: sample, timesteps: timesteps.map(transform), trajectory: trajectory, predictedX0: predictedX0)
    }
}

/// What `ddpmSample`, `ddimSample` and `ddimInvert` return.
public typealias SampleResult = SamplingResult<Int>

/// Shared sampler plumbing: argument checks and the per-step model call.
enum SamplerSupport {
    static func check(shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw DiffusionError("sample shape must be a non-empty list of positive sizes, got \(shape)")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Engine.maxElements else { throw DiffusionError("sample shape \(shape) is too large") }
            count = product
        }
    }

    static func noise(_ source: NoiseSource, _ shape: [Int]) throws -> Tensor {
        let z = try source(shape)
        guard z.shape == shape else {
            throw DiffusionError("the noise source returned shape \(z.shape), expected \(shape)")
        }
        return z
    }

    /// Calls the model with one timestep per sample and checks the shape of its output.
    static func call(_ model: DenoiserModel, _ x: Tensor, t: Int, learnedRange: Bool) throws -> Tensor {
        let out = try model(x, [Int](repeating: t, count: x.shape[0]))
        var expected = x.shape
        if learnedRange && expected.count >= 2 { expected[1] *= 2 }
        guard out.shape == expected else {
            throw DiffusionError("the model returned shape \(out.shape) for x_t of shape \(x.shape) at t = \(t)"
                                 + (learnedRange ? " (learned_range needs twice the channels: \(expected))" : ""))
        }
        return out
    }
}

/// DDPM ancestral sampling (Algorithm 2): x_T ~ N(0, I), then `ddpmStep` for t = T−1 … 0.
///
/// Noise is drawn in diffusers' `DDPMPipeline` order: x_T first, then one draw per step with t > 0.
/// `initialNoise` replaces the first draw. With `steps` (fewer than T) the timesteps are
/// `ddimTimesteps(schedule, steps)` (the settings' spacing and offset) and each step goes to the next
/// one in the list with the effective β between them, as diffusers' `DDPMScheduler` does after
/// `set_timesteps`. `settings` default to the schedule's.
public func ddpmSample(_ model: DenoiserModel, schedule: Schedule, shape: [Int], noise: NoiseSource,
                       settings: SamplerSettings? = nil, steps: Int? = nil, trajectory: Bool = false,
                       initialNoise: Tensor? = nil, hooks: SamplerHooks = SamplerHooks()) throws -> SampleResult {
    let settings = settings ?? schedule.settings
    try settings.validate()
    try SamplerSupport.check(shape: shape)
    let timesteps = try steps.map {
        try ddimTimesteps(schedule, steps: $0, spacing: settings.spacing, stepsOffset: settings.stepsOffset)
    } ?? Array((0..<schedule.T).reversed())
    var x = try initialNoise ?? SamplerSupport.noise(noise, shape)
    try Check.sameShape(x.shape, shape, "initial noise", "the sample")
    var xs = trajectory ? [x] : [], x0s: [Tensor] = []
    for (i, t) in timesteps.enumerated() {
        try hooks.checkInterrupt?()
        let out = try SamplerSupport.call(model, x, t: t, learnedRange: settings.variance.isLearned)
        let z = t > 0 ? try SamplerSupport.noise(noise, shape) : nil
        let tPrev = i + 1 < timesteps.count ? timesteps[i + 1] : -1
        let step = try ddpmStep(schedule, modelOutput: out, t: t, xt: x, noise: z, tPrev: tPrev, settings: settings)
        x = step.xPrev
        if trajectory { xs.append(x); x0s.append(step.x0) }
        hooks.progress?(i + 1, timesteps.count)
    }
    return SampleResult(sample: x, timesteps: timesteps, trajectory: xs, predictedX0: x0s)
}

/// DDIM sampling over `ddimTimesteps(schedule, steps)`; η = 0 is deterministic, η = 1 is DDPM-like.
///
/// Each step goes to the real next timestep of the list (−1, i.e. the final ᾱ, after the last), not to
/// diffusers' `t − T // steps`: the two agree for `leading` spacing, and for `trailing` when T is a
/// multiple of `steps`; for `linspace` diffusers' choice is a known bug (diffusers issues #11347, #12633).
/// Noise is drawn as in diffusers: x_T first (unless `initialNoise`), then one draw per step when η > 0.
/// `settings` (spacing, offset, prediction, clipping, final ᾱ) default to the schedule's.
public func ddimSample(_ model: DenoiserModel, schedule: Schedule, shape: [Int], noise: NoiseSource,
                       steps: Int = 50, eta: Double = 0, settings: SamplerSettings? = nil, trajectory: Bool = false,
                       initialNoise: Tensor? = nil, hooks: SamplerHooks = SamplerHooks()) throws -> SampleResult {
    let settings = settings ?? schedule.settings
    try settings.validate()
    try SamplerSupport.check(shape: shape)
    guard eta.isFinite, eta >= 0 else { throw DiffusionError("eta must be a number ≥ 0, got \(NumberText.plain(eta))") }
    let timesteps = try ddimTimesteps(schedule, steps: steps, spacing: settings.spacing, stepsOffset: settings.stepsOffset)
    var x = try initialNoise ?? SamplerSupport.noise(noise, shape)
    try Check.sameShape(x.shape, shape, "initial noise", "the sample")
    var xs = trajectory ? [x] : [], x0s: [Tensor] = []
    for (i, t) in timesteps.enumerated() {
        try hooks.checkInterrupt?()
        let out = try SamplerSupport.call(model, x, t: t, learnedRange: false)
        let z = eta > 0 ? try SamplerSupport.noise(noise, shape) : nil
        let tPrev = i + 1 < timesteps.count ? timesteps[i + 1] : -1
        let step = try ddimStep(schedule, modelOutput: out, t: t, tPrev: tPrev, xt: x, eta: eta, noise: z, settings: settings)
        x = step.xPrev
        if trajectory { xs.append(x); x0s.append(step.x0) }
        hooks.progress?(i + 1, timesteps.count)
    }
    return SampleResult(sample: x, timesteps: timesteps, trajectory: xs, predictedX0: x0s)
}

/// Deterministic DDIM inversion x_0 → x_T (DDIM §4.3, the ODE run forwards; diffusers' `DDIMInverseScheduler`).
///
/// Walks the DDIM timesteps upwards: from level c (−1, i.e. ᾱ = 1, at the start) to the next timestep n,
/// ε̂ = model(x_c, n) (the model sees the target timestep, as in diffusers),
/// x̂_0 = (x_c − √(1−ᾱ_c)·ε̂)/√ᾱ_c and x_n = √ᾱ_n·x̂_0 + √(1−ᾱ_n)·ε̂. For x0 or v models ε̂ is
/// obtained by reading the output at timestep n. `sample` of the result is x_T. The spacing (without
/// offset) and prediction come from `settings`, the schedule's by default.
public func ddimInvert(_ model: DenoiserModel, schedule: Schedule, x0: Tensor, steps: Int = 50,
                       settings: SamplerSettings? = nil, trajectory: Bool = false,
                       hooks: SamplerHooks = SamplerHooks()) throws -> SampleResult {
    let settings = settings ?? schedule.settings, prediction = settings.prediction
    try SamplerSupport.check(shape: x0.shape)
    let timesteps = Array(try ddimTimesteps(schedule, steps: steps, spacing: settings.spacing, stepsOffset: 0).reversed())
    var x = x0, level = -1
    var xs = trajectory ? [x] : [], x0s: [Tensor] = []
    for (i, t) in timesteps.enumerated() {
        try hooks.checkInterrupt?()
        let out = try SamplerSupport.call(model, x, t: t, learnedRange: false)
        let aCur = schedule.alphaBar(orOneAt: level), aNext = schedule.alphaBar[t]
        let xd = x.doubles, od = out.doubles
        var next = [Double](repeating: 0, count: xd.count), x0hat = next
        for j in xd.indices {
            let eps = Schedule.x0AndEps(od[j], prediction: prediction, xt: xd[j], a: aNext.squareRoot(),
                                        b: (1 - aNext).squareRoot()).1
            x0hat[j] = (xd[j] - (1 - aCur).squareRoot() * eps) / aCur.squareRoot()
            next[j] = aNext.squareRoot() * x0hat[j] + (1 - aNext).squareRoot() * eps
        }
        x = Tensor(shape: x0.shape, doubles: next)
        level = t
        if trajectory { xs.append(x); x0s.append(Tensor(shape: x0.shape, doubles: x0hat)) }
        hooks.progress?(i + 1, timesteps.count)
    }
    return SampleResult(sample: x, timesteps: timesteps, trajectory: xs, predictedX0: x0s)
}

/// An inversion followed by deterministic DDIM sampling from the inverted x_T.
public struct Reconstruction {
    /// The inverted latent x_T.
    public let xT: Tensor
    /// The sample regenerated from x_T with η = 0.
    public let reconstruction: Tensor
    /// Mean squared error between x_0 and the reconstruction (Float64).
    public let mse: Double
}

/// Inverts x_0 with `ddimInvert`, samples back with η = 0 and reports the reconstruction error.
public func ddimReconstruction(_ model: DenoiserModel, schedule: Schedule, x0: Tensor, steps: Int = 50,
                               settings: SamplerSettings? = nil, hooks: SamplerHooks = SamplerHooks()) throws -> Reconstruction {
    var settings = settings ?? schedule.settings
    settings.stepsOffset = 0
    settings.setAlphaToOne = true
    let total = 2 * steps
    var first = hooks, second = hooks
    first.progress = hooks.progress.map { report in { done, _ in report(done, total) } }
    second.progress = hooks.progress.map { report in { done, _ in report(steps + done, total) } }
    let xT = try ddimInvert(model, schedule: schedule, x0: x0, steps: steps, settings: settings, hooks: first).sample
    let noUse: NoiseSource = { _ in throw DiffusionError("deterministic DDIM drew noise") }
    let back = try ddimSample(model, schedule: schedule, shape: x0.shape, noise: noUse, steps: steps, eta: 0,
                              settings: settings, initialNoise: xT, hooks: second).sample
    let squared = zip(x0.scalars, back.scalars).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
    return Reconstruction(xT: xT, reconstruction: back, mse: squared / Double(max(x0.count, 1)))
}
