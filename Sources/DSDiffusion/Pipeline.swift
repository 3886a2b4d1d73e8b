import DSEngine

/// One part of a diffusers pipeline folder: a model, a scheduler, or a part dscript does not load.
public enum PipelineComponent {
    case model(any PretrainedModel)
    /// A schedule read from `scheduler_config.json`, with the class the file names.
    case scheduler(Schedule, className: String)
    /// A component dscript does not load (a tokenizer, a text encoder, ...): its library and class.
    case skipped(library: String, className: String)
}

/// A diffusers pipeline: its components by their diffusers names, and for the unconditional image
/// pipelines `DDPMPipeline`, `DDIMPipeline` and `LDMPipeline` the sampling loop of their `__call__`
/// (`pipelines/ddpm/pipeline_ddpm.py`, `ddim/pipeline_ddim.py`, `deprecated/latent_diffusion_uncond`).
///
/// The loop runs the `step` of the folder's scheduler class, as diffusers does (`loopSampler`); `sampler:`
/// runs any sampler of `sample()` instead, as users swap `pipe.scheduler` with `from_config` (for
/// euler, euler_a and heun in DDPMPipeline and DDIMPipeline, whose loops neither scale x_T nor call
/// `scale_model_input`, dscript samples as `sample()` does, where diffusers' loop would not).
/// Sampling draws x_T, then the samplers' per-step noises, from `noise` in diffusers' order; with
/// the same x_T (and, for DDPM or η > 0, the same step noises) the images equal diffusers'
/// `output_type="np"` result transposed to [N, C, H, W]. Deliberate difference: DDIM steps to the next
/// timestep of its list, where diffusers' `DDIMScheduler.step` takes t − T // steps (equal for leading
/// spacing; see `ddimSample`).
public final class Pipeline {
    /// The sampling loops dscript runs.
    public enum Kind: String, CaseIterable, Sendable {
        case ddpm, ddim, ldm

        /// The diffusers pipeline class of each kind.
        public var className: String {
            switch self {
            case .ddpm: return "DDPMPipeline"
            case .ddim: return "DDIMPipeline"
            case .ldm: return "LDMPipeline"
            }
        }

        /// The scheduler class diffusers uses with each kind (DDIMPipeline converts any config to DDIM).
        public var schedulerClass: String { self == .ddpm ? "DDPMScheduler" : "DDIMScheduler" }

        /// The default number of steps of each pipeline's `__call__`.
        public var defaultSteps: Int { self == .ddpm ? 1000 : 50 }

        public init(name: String) throws {
            guard let kind = Kind(rawValue: name) else {
                throw DiffusionError("unknown pipeline kind '\(name)' (expected ddpm, ddim or ldm)")
            }
            self = kind
        }
    }

    /// `_class_name` of `model_index.json` (`DDPMPipeline`, `StableDiffusionPipeline`, ...).
    public let className: String
    /// The sampling loop, nil for a pipeline class dscript only loads the parts of.
    public let kind: Kind?
    /// The components in `model_index.json` order.
    public let components: [(name: String, value: PipelineComponent)]
    /// The other entries of `model_index.json` (`requires_safety_checker`, ...), kept as read.
    public let options: [(String, ConfigValue)]
    /// `scheduler/scheduler_config.json` as written (empty for a pipeline built in dscript): the keys a
    /// scheduler class has beyond the schedule (`algorithm_type`, `solver_order`, ...).
    public let schedulerConfig: [(String, ConfigValue)]

    public init(className: String, kind: Kind?, components: [(name: String, value: PipelineComponent)],
                options: [(String, ConfigValue)] = [], schedulerConfig: [(String, ConfigValue)] = []) {
        self.className = className
        self.kind = kind
        self.components = components
        self.options = options
        self.schedulerConfig = schedulerConfig
    }

    /// A pipeline of `kind` from a UNet, a schedule and, for `ldm`, a VQ autoencoder.
    public convenience init(kind: Kind, unet: UNet2DModel, schedule: Schedule, vqvae: VQModel? = nil) throws {
        var parts: [(name: String, value: PipelineComponent)] = []
        switch (kind, vqvae) {
        case (.ldm, nil): throw DiffusionError("pipeline: kind \"ldm\" needs a vqvae (a vq_model)")
        case (.ldm, let vq?): parts.append(("vqvae", .model(vq)))
        case (_, _?): throw DiffusionError("pipeline: a vqvae belongs to kind \"ldm\", not \"\(kind.rawValue)\"")
        case (_, nil): break
        }
        parts.append(("scheduler", .scheduler(schedule, className: kind.schedulerClass)))
        parts.append(("unet", .model(unet)))
        self.init(className: kind.className, kind: kind, components: parts.sorted { $0.name < $1.name })
    }

    public func component(_ name: String) -> PipelineComponent? { components.first { $0.name == name }?.value }

    public func model(_ name: String) -> (any PretrainedModel)? {
        if case .model(let m)? = component(name) { return m }
        return nil
    }

    public var unet: UNet2DModel? { model("unet") as? UNet2DModel }
    public var vqvae: VQModel? { model("vqvae") as? VQModel }

    /// The schedule of the `scheduler` component, with the settings of its config.
    public var schedule: Schedule? {
        guard case .scheduler(let s, _)? = component("scheduler") else { return nil }
        return s
    }

    /// The class of the `scheduler` component (`DDPMScheduler`, `DDIMScheduler`, ...).
    public var schedulerClass: String? {
        guard case .scheduler(_, let cls)? = component("scheduler") else { return nil }
        return cls
    }

    /// The steps the loop of `kind` runs, as in diffusers: DDIMPipeline converts any scheduler config to a
    /// DDIMScheduler; DDPMPipeline and LDMPipeline call the `step` of the scheduler they hold. LDMPipeline
    /// scales x_T by `init_noise_sigma` and calls `scale_model_input`, so every class dscript samples runs
    /// there; DDPMPipeline does neither, so the Euler-style classes (whose x_t is on the σ scale) are refused,
    /// as is a class dscript has no sampler of, or a config asking for a variant dscript does not run
    /// (`SchedulerConfig.checkedKeys`; DPM-Solver's `algorithm_type` picks dpmpp_2m or dpmpp_2m_sde).
    public func loopSampler(_ kind: Kind) throws -> SamplerKind {
        guard kind != .ddim else { return .ddim }
        let cls = schedulerClass ?? kind.schedulerClass
        guard let own = SamplerKind.allCases.first(where: { $0.schedulerClass == cls }) else {
            throw refusal(cls, "", suggesting: .ddim)
        }
        if own.family == .discrete && kind != .ldm {
            throw refusal(cls, ", which needs x_T scaled by init_noise_sigma and the model input by scale_model_input; "
                          + "\(className)'s loop does neither, and dscript does not run it that way", suggesting: own)
        }
        var chosen = own
        for (key, value) in schedulerConfig where !key.hasPrefix("_") {
            guard case .checked = SchedulerConfig.use(of: key, className: cls) else { continue }
            if own == .dpmpp2m && key == "algorithm_type" && value == .string("sde-dpmsolver++") {
                chosen = .dpmpp2mSDE
            } else if SchedulerConfig.checkedWarning(key, value, className: cls, source: "") != nil {
                throw refusal(cls, " with \(key) \(value.json), which dscript does not run", suggesting: own)
            }
        }
        return chosen
    }

    /// The error for a scheduler class (or setting) the pipeline's loop is not run with.
    func refusal(_ cls: String, _ why: String, suggesting sampler: SamplerKind) -> DiffusionError {
        DiffusionError("\(className): its scheduler is \(cls)\(why); choose a sampler instead: p.sample(sampler: "
                       + "\"\(sampler.rawValue)\") (one of \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    /// Samples `batch` images, [N, C, H, W] in [0, 1]. `initialNoise` replaces the first draw (x_T, or
    /// the latents for `ldm`); `noise` gives the rest. Without `sampler` the pipeline's own loop runs
    /// with its scheduler's steps (`loopSampler`), `steps` defaulting to the pipeline's (1000 for DDPM, 50
    /// otherwise); `eta` is DDIM's η. With `sampler`, `sample()` samples the unet on the schedule with the settings that
    /// `sampler`'s diffusers class takes from the scheduler config (`SchedulerConfig.settings(of:as:)`),
    /// `steps` and `karras` as `sample()` reads them; LDM then decodes as its loop does.
    public func sample(batch: Int = 1, steps: Int? = nil, eta: Double = 0, initialNoise: Tensor? = nil,
                       noise: NoiseSource, classLabels: Tensor? = nil, sampler: SamplerKind? = nil, karras: Bool? = nil,
                       hooks: SamplerHooks = SamplerHooks()) throws -> Tensor {
        guard let kind else {
            throw DiffusionError("\(className): dscript loads this pipeline's parts but does not sample it "
                                 + "(DDPMPipeline, DDIMPipeline and LDMPipeline sample); call its models yourself")
        }
        guard let unet, let schedule else {
            throw DiffusionError("\(className): the pipeline needs a unet (UNet2DModel) and a scheduler")
        }
        guard batch >= 1 else { throw DiffusionError("\(className): batch must be at least 1, got \(batch)") }
        guard karras == nil || sampler != nil else {
            throw DiffusionError("\(className): karras applies with sampler: (the pipeline's own loop takes its scheduler config's)")
        }
        let step = try sampler ?? loopSampler(kind)
        if sampler == nil, step != .ddim || kind == .ddpm, eta != 0 {
            throw DiffusionError(kind == .ddpm ? "\(className): DDPM sampling has no eta (DDIMPipeline and LDMPipeline take one)"
                                 : "\(className): its \(step.schedulerClass)'s step takes no eta (diffusers passes eta only to a step that takes one)")
        }
        let shape: [Int]
        if let initialNoise {
            shape = initialNoise.shape
        } else {
            guard let size = unet.sampleSize else {
                throw DiffusionError("\(className): the unet config has no sample_size; pass noise: to set the shape")
            }
            shape = [batch, unet.inChannels] + size
        }
        let x = try Engine.withNoGrad { () throws -> Tensor in
            if sampler == nil, step == .ddpm || step == .ddim {
                let model: DenoiserModel = { x, t in
                    try unet.forward(x, t: Tensor(shape: [t.count], scalars: t.map(Float.init)), classLabels: classLabels)
                }
                return try run(step, schedule: schedule, model: model, shape: shape, steps: steps ?? kind.defaultSteps,
                               eta: eta, initialNoise: initialNoise, noise: noise, hooks: hooks)
            }
            var options = SamplerOptions()
            options.steps = sampler == nil ? steps ?? kind.defaultSteps : steps
            options.eta = eta
            options.karras = karras
            options.settings = try SchedulerConfig.settings(of: schedule, as: step.schedulerClass)
            let model: ConditionalModel = { x, t, _ in
                try unet.forward(x, t: Tensor(shape: [x.shape[0]], scalars: [Float](repeating: Float(t), count: x.shape[0])),
                                 classLabels: classLabels)
            }
            let start = try kind == .ldm ? ldmStart(initialNoise, schedule: schedule, sampler: step, options: options,
                                                    shape: shape, noise: noise) : initialNoise
            return try DSDiffusion.sample(model, schedule: schedule, sampler: step, shape: shape, noise: noise,
                                          initialNoise: start, options: options, hooks: hooks).sample
        }
        return try images(from: x, kind: kind)
    }

    func run(_ step: SamplerKind, schedule: Schedule, model: @escaping DenoiserModel, shape: [Int], steps: Int,
             eta: Double, initialNoise: Tensor?, noise: NoiseSource, hooks: SamplerHooks) throws -> Tensor {
        if step == .ddpm {
            return try ddpmSample(model, schedule: schedule, shape: shape, noise: noise, steps: steps,
                                  initialNoise: initialNoise, hooks: hooks).sample
        }
        return try ddimSample(model, schedule: schedule, shape: shape, noise: noise, steps: steps, eta: eta,
                              initialNoise: initialNoise, hooks: hooks).sample
    }

    /// LDMPipeline multiplies its latents by `init_noise_sigma` before `set_timesteps`: for Euler, Euler
    /// ancestral and Heun that is the largest σ of the training schedule, where `sample()` starts from the
    /// first σ of its steps (they differ for leading spacing, whose first step is below T − 1). The
    /// standard normal start is rescaled so that `sample()` starts where diffusers' loop does.
    func ldmStart(_ initialNoise: Tensor?, schedule: Schedule, sampler: SamplerKind, options: SamplerOptions,
                  shape: [Int], noise: NoiseSource) throws -> Tensor? {
        guard sampler.family == .discrete, let grid = try samplerGrid(schedule: schedule, sampler: sampler, options: options),
              let trained = SigmaGrid.trainingSigmas(schedule).max() else { return initialNoise }
        let leading = (options.settings ?? schedule.settings).spacing == .leading
        let ratio = KarrasSamplers.initSigma(trained, leading: leading) / KarrasSamplers.initSigma(grid.sigmas[0], leading: leading)
        return try (initialNoise ?? SamplerSupport.noise(noise, shape)).mul(Float(ratio))
    }

    /// The pipeline's last lines: LDM decodes the latents with its VQ model, then x/2 + 0.5 clamped to [0, 1].
    func images(from sample: Tensor, kind: Kind) throws -> Tensor {
        var x = sample
        if kind == .ldm {
            guard let vqvae else { throw DiffusionError("LDMPipeline: the pipeline needs a vqvae (VQModel)") }
            x = try Engine.withNoGrad { try vqvae.decode(x.div(Float(vqvae.scalingFactor))) }
        }
        return try x.div(2).add(0.5).clamp(min: 0, max: 1)
    }
}
