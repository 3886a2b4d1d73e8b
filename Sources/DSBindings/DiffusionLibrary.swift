import DSDiffusion
import DSEngine
import DSLanguage
import OrderedCollections

/// Diffusion built-ins (docs/builtins.md § Diffusion): `schedule`, the DDPM / DDIM steps and samplers, DDIM
/// inversion and the `mlp_denoiser` model. Samplers call any `model(x, t)` with t a tensor of
/// per-sample timesteps, draw noise from the interpreter's generator and stop on Ctrl-C.
enum DiffusionLibrary {
    static let functions: [Builtin] = [
        Builtin("schedule(kind, steps = 1000, beta_start = 1e-4, beta_end = 0.02, rescale_zero_snr = false, prediction = \"eps\", "
                    + "clip = false, clip_range = 1, threshold = nil, spacing = \"leading\", steps_offset = 0, "
                    + "set_alpha_to_one = true, variance = \"fixed_small\", karras = false) -> schedule",
                "a noise schedule: kind linear, scaled_linear, cosine, sigmoid, laplace, exp, or a tensor of betas (float64 inside), "
                    + "carrying the settings its samplers use (threshold: {ratio, max})",
                example: "let s = schedule(\"linear\", steps: 1000)\ns.alpha_bar[999]") { a, _ in
            let rescale = try a.bool("rescale_zero_snr")
            let settings = try a.samplerSettingKeywords(over: SamplerSettings())
            let kindValue = try a.value("kind")
            if case .string(let kind) = kindValue {
                let isScaled = kind == "scaled_linear"
                let steps = try a.int("steps")
                let start = try a.number("beta_start", default: isScaled ? 0.00085 : 1e-4)
                let end = try a.number("beta_end", default: isScaled ? 0.012 : 0.02)
                return .native(NoiseScheduleObject(try Schedule(kind: kind, steps: steps, betaStart: start, betaEnd: end,
                                                                rescaleZeroTerminalSNR: rescale, settings: settings)))
            }
            let betas = try a.tensor("kind")
            guard betas.rank == 1 else { throw a.error("kind", "betas must be a 1-D tensor, got shape \(betas.shape)") }
            return .native(NoiseScheduleObject(try Schedule(betas: betas.scalars.map(Double.init), rescaleZeroTerminalSNR: rescale,
                                                            settings: settings)))
        },
        Builtin("ddpm_step(s, model_output, t, xt, noise, variance = nil, clip = nil, prediction = nil)",
                "one DDPM reverse step x_t → x_{t−1} (diffusers' DDPMScheduler.step): dict x_prev, x0; "
                    + "variance, clip and prediction default to the schedule's settings",
                example: "let r = ddpm_step(s, model(xt, t), t, xt)\nxt = r[\"x_prev\"]") { a, c in
            let s = try a.schedule(), out = try a.tensor("model_output"), xt = try a.tensor("xt")
            let t = try a.int("t")
            var noise = try a.optionalTensor("noise")
            if noise == nil && t > 0 && t < s.T { noise = Tensor.randnLike(xt, generator: RandomState.of(c)) }
            let settings = try a.samplerSettings(s)
            return stepResult(try ddpmStep(s, modelOutput: out, t: t, xt: xt, noise: noise, settings: settings))
        },
        Builtin("ddim_step(s, model_output, t, xt, t_prev, eta = 0, noise, clip = nil, prediction = nil)",
                "one DDIM step x_t → x_{t_prev} (DDIM eq. 12; t_prev < 0 means the final ᾱ, 1 by default): dict x_prev, x0",
                example: "let r = ddim_step(s, model(xt, 980), 980, xt, t_prev: 960)") { a, c in
            let s = try a.schedule(), out = try a.tensor("model_output"), xt = try a.tensor("xt")
            let t = try a.int("t"), tPrev = try a.int("t_prev", default: t - 1)
            let eta = try a.number("eta")
            var noise = try a.optionalTensor("noise")
            if noise == nil && eta > 0 { noise = Tensor.randnLike(xt, generator: RandomState.of(c)) }
            let settings = try a.samplerSettings(s)
            return stepResult(try ddimStep(s, modelOutput: out, t: t, tPrev: tPrev, xt: xt, eta: eta, noise: noise, settings: settings))
        },
        Builtin("ddim_timesteps(s, steps, spacing = nil)",
                "the descending timesteps of a steps-step sampler, as diffusers' DDIMScheduler.set_timesteps "
                    + "(spacing and steps_offset from the schedule unless given)",
                example: "ddim_timesteps(s, 10)   # [900, 800, ..., 0]") { a, _ in
            let s = try a.schedule()
            let settings = try a.samplerSettings(s)
            let steps = try ddimTimesteps(s, steps: try a.int("steps"), spacing: settings.spacing)
            return .list(ListObject(steps.map { .number(Double($0)) }))
        },
        Builtin("ddpm_sample(model, s, shape, variance = nil, clip = nil, trajectory = false, prediction = nil, noise = nil, "
                    + "step_noises = nil, steps = nil, class_labels = nil)",
                "DDPM ancestral sampling from x_T (noise:, else drawn) through every timestep (Algorithm 2), or `steps` of them; "
                    + "step_noises: the per-step noises in order; settings default to the schedule's",
                example: "let x = ddpm_sample(model, s, shape: [500, 2])") { a, c in
            let run = try SampleCall(a, c)
            let steps = a.has("steps") ? try a.int("steps") : nil
            let noises = try DiffusionBridge.stepNoises(a, c)
            let r = try Engine.withNoGrad {
                try ddpmSample(run.model, schedule: run.schedule, shape: run.shape, noise: noises.source, settings: run.settings,
                               steps: steps, trajectory: run.trajectory, initialNoise: run.start,
                               hooks: DiffusionBridge.hooks(c, label: "ddpm"))
            }
            try noises.checkUsed()
            return DiffusionBridge.result(r, trajectory: run.trajectory)
        },
        Builtin("ddim_sample(model, s, shape, steps = 50, eta = 0, spacing = nil, clip = nil, trajectory = false, "
                    + "prediction = nil, noise = nil, class_labels = nil)",
                "DDIM sampling in `steps` steps from x_T (noise:, else drawn; η = 0: deterministic; η = 1: DDPM-like); "
                    + "settings default to the schedule's",
                example: "let x = ddim_sample(model, s, shape: [500, 2], steps: 50)") { a, c in
            let run = try SampleCall(a, c)
            let r = try Engine.withNoGrad {
                try ddimSample(run.model, schedule: run.schedule, shape: run.shape, noise: DiffusionBridge.noise(c),
                               steps: try a.int("steps"), eta: try a.number("eta"), settings: run.settings,
                               trajectory: run.trajectory, initialNoise: run.start, hooks: DiffusionBridge.hooks(c, label: "ddim"))
            }
            return DiffusionBridge.result(r, trajectory: run.trajectory)
        },
        Builtin("ddim_invert(model, s, x0, steps = 50, spacing = nil, trajectory = false, prediction = nil)",
                "deterministic DDIM inversion x_0 → x_T (the η = 0 ODE run forwards)",
                example: "let xT = ddim_invert(model, s, x0, steps: 50)") { a, c in
            let model = try DiffusionBridge.checkCallable(a)
            let s = try a.schedule(), x0 = try a.tensor("x0")
            let trajectory = try a.bool("trajectory")
            let settings = try a.samplerSettings(s)
            let r = try Engine.withNoGrad {
                try ddimInvert(DiffusionBridge.model(model, c), schedule: s, x0: x0, steps: try a.int("steps"),
                               settings: settings, trajectory: trajectory, hooks: DiffusionBridge.hooks(c, label: "invert"))
            }
            return DiffusionBridge.result(r, trajectory: trajectory)
        },
    ]

    /// The `mlp_denoiser` model (listed with the models).
    static let models: [Builtin] = [
        Builtin("mlp_denoiser(dim = 2, hidden = 128, layers = 3, time_dim = 32, num_classes = nil) -> model",
                "a denoiser for points in R^dim: sinusoidal time embedding ++ x (++ a learned label embedding) → layers × (linear, SiLU) → dim; call model(x, t) or model(x, t, class_labels: y)",
                example: "let model = mlp_denoiser(dim: 2, hidden: 128, layers: 3)\nmodel(randn([8, 2]), 500).shape   # [8, 2]") { a, c in
            let classes: Int? = a.has("num_classes") ? try a.int("num_classes") : nil
            let net = try MLPDenoiser(dim: try a.int("dim"), hidden: try a.int("hidden"),
                                      layers: try a.int("layers"), timeDim: try a.int("time_dim"),
                                      numClasses: classes, generator: RandomState.of(c))
            let object = ModelObject(net) { args, _ in
                var args = args
                args.functionName = "mlp_denoiser"
                guard args.count == 2 || args.has(nil, "t") else {
                    throw ScriptError("mlp_denoiser is called as model(x, t), got \(args.count) arguments")
                }
                let x = try args.tensor(0, "x")
                let t = try args.tensor(1, "t")
                guard t.scalars.allSatisfy(\.isFinite) else { throw args.error(1, "t", "timesteps must be finite numbers") }
                let labels = try args.classLabels()
                return .tensor(try net.forward(x, t: Tensor(shape: [t.count], scalars: t.scalars), classLabels: labels))
            }
            if let classes {
                object.extraFields["num_classes"] = { .number(Double(classes)) }
                object.extraFields["null_label"] = { .number(Double(classes)) }
            }
            return .native(object)
        },
    ]

    static func stepResult(_ r: StepResult) -> Value {
        .dict(DictObject(["x_prev": .tensor(r.xPrev), "x0": .tensor(r.x0)]))
    }
}
