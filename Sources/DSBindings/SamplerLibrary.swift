import DSDiffusion
import DSEngine
import DSLanguage

/// `sample(model, s, sampler:)` (SPEC §11): every sampler behind one entry point, with class labels
/// and classifier-free guidance. The model is called as `model(x, t)`, or `model(x, t, class_labels: y)`
/// when labels are given, with x on the variance-preserving scale and t a tensor of per-sample
/// timesteps (fractional for some σ grids).
enum SamplerLibrary {
    static let functions: [Builtin] = [
        Builtin("sample(model, s, sampler = \"dpmpp_2m\", steps = nil, shape = nil, noise = nil, spacing = nil, eta = 0, guidance = nil, class_labels = nil, karras = nil, prediction = nil, clip = nil, null_label = nil, trajectory = false, variance = nil)",
                "samples with ddpm, ddim, dpmpp_2m, dpmpp_2m_sde, euler, euler_a, heun or unipc (diffusers' schedulers, float64); steps default 50 (fewer on short schedules; ddpm: every timestep); spacing, prediction, clip, variance and karras (σ samplers) default to the schedule's settings",
                example: "let x = sample(model, s, sampler: \"dpmpp_2m\", steps: 10, shape: [500, 2])\nlet y = sample(model, s, steps: 20, shape: [8, 2], class_labels: 1, guidance: 3)") { a, c in
            let callee = try DiffusionBridge.checkCallable(a)
            let s = try a.schedule()
            let sampler = try SamplerKind(name: try a.string("sampler"))
            var options = SamplerOptions()
            if a.has("steps") { options.steps = try a.int("steps") }
            options.eta = try a.number("eta")
            if a.has("karras") { options.karras = try a.bool("karras") }
            options.settings = try a.samplerSettings(s)
            options.trajectory = try a.bool("trajectory")
            let noise = try a.optionalTensor("noise")
            guard a.has("shape") || noise != nil else {
                throw a.error("shape", "give shape: [n, ...] or noise: (a standard normal tensor)")
            }
            let shape = try DiffusionBridge.shape(a, noise: noise)
            if let noise, noise.shape != shape { throw a.error("noise", "shape \(noise.shape) differs from shape: \(shape)") }
            var guidance = Guidance(classLabels: try a.classLabels())
            if a.has("guidance") { guidance.scale = try a.number("guidance") }
            if guidance.scale != nil {
                guidance.nullLabel = a.has("null_label") ? try a.int("null_label") : try DiffusionBridge.nullLabel(of: callee, c)
            }
            let run = try Engine.withNoGrad {
                try DSDiffusion.sample(DiffusionBridge.conditionalModel(callee, c), schedule: s, sampler: sampler,
                                       shape: shape, noise: DiffusionBridge.noise(c), initialNoise: noise,
                                       options: options, guidance: guidance,
                                       hooks: DiffusionBridge.hooks(c, label: sampler.rawValue))
            }
            return DiffusionBridge.result(run, trajectory: options.trajectory)
        },
    ]
}
