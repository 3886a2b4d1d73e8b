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

    public init(className: String, kind: Kind?, components: [(name: String, value: PipelineComponent)],
                options: [(String, ConfigValue)] = []) {
        self.className = className
        self.kind = kind
        self.components = components
        self.options = options
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

    /// The schedule of the `scheduler` component, as the pipeline's kind reads it: DDIMPipeline and
    /// LDMPipeline convert the config to a DDIMScheduler (`DDIMScheduler.from_config`).
    public var schedule: Schedule? {
        guard case .scheduler(let s, _)? = component("scheduler") else { return nil }
        return s
    }

    /// Samples `batch` images, [N, C, H, W] in [0, 1]. `initialNoise` replaces the first draw (x_T, or
    /// the latents for `ldm`); `noise` gives the rest. `steps` defaults to the pipeline's (1000 for DDPM,
    /// 50 otherwise); `eta` is DDIM's η.
    public func sample(batch: Int = 1, steps: Int? = nil, eta: Double = 0, initialNoise: Tensor? = nil,
                       noise: NoiseSource, classLabels: Tensor? = nil,
                       hooks: SamplerHooks = SamplerHooks()) throws -> Tensor {
        guard let kind else {
            throw DiffusionError("\(className): dscript loads this pipeline's parts but does not sample it "
                                 + "(DDPMPipeline, DDIMPipeline and LDMPipeline sample); call its models yourself")
        }
        guard let unet, let schedule else {
            throw DiffusionError("\(className): the pipeline needs a unet (UNet2DModel) and a scheduler")
        }
        guard batch >= 1 else { throw DiffusionError("\(className): batch must be at least 1, got \(batch)") }
        guard kind != .ddpm || eta == 0 else {
            throw DiffusionError("\(className): DDPM sampling has no eta (DDIMPipeline and LDMPipeline take one)")
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
        let model: DenoiserModel = { x, t in
            try unet.forward(x, t: Tensor(shape: [t.count], scalars: t.map(Float.init)), classLabels: classLabels)
        }
        let steps = steps ?? kind.defaultSteps
        return try Engine.withNoGrad {
            try run(kind, unet: unet, schedule: schedule, model: model, shape: shape, steps: steps, eta: eta,
                    initialNoise: initialNoise, noise: noise, hooks: hooks)
        }
    }

    func run(_ kind: Kind, unet: UNet2DModel, schedule: Schedule, model: @escaping DenoiserModel, shape: [Int], steps: Int,
             eta: Double, initialNoise: Tensor?, noise: NoiseSource, hooks: SamplerHooks) throws -> Tensor {
        var x: Tensor
        if kind == .ddpm {
            x = try ddpmSample(model, schedule: schedule, shape: shape, noise: noise, steps: steps,
                               initialNoise: initialNoise, hooks: hooks).sample
        } else {
            x = try ddimSample(model, schedule: schedule, shape: shape, noise: noise, steps: steps, eta: eta,
                               initialNoise: initialNoise, hooks: hooks).sample
        }
        if kind == .ldm {
            guard let vqvae else { throw DiffusionError("LDMPipeline: the pipeline needs a vqvae (VQModel)") }
            x = try vqvae.decode(x.div(Float(vqvae.scalingFactor)))
        }
        return try x.div(2).add(0.5).clamp(min: 0, max: 1)
    }
}
