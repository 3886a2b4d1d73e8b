import DSDiffusion
import DSEngine
import DSLanguage

/// `sample(model, s, sampler:)` (SPEC §11): every sampler behind one entry point, with class labels
/// and classifier-free guidance. The model is called as `model(x, t)`, or `model(x, t, class_labels: y)`
/// when labels are given, with x on the variance-preserving scale and t a tensor of per-sample
/// timesteps (fractional for some σ grids).
enum SamplerLibrary {
    static let functions: [Builtin] = [
        Builtin("sample(model, s, sampler = \"dpmpp_2m\", steps, shape, noise, spacing, eta = 0, guidance, class_labels, karras = false, prediction, clip, null_label, trajectory = false, variance)",
                "samples with ddpm, ddim, dpmpp_2m, dpmpp_2m_sde, euler, euler_a, heun or unipc (diffusers' schedulers, float64); steps default 50 (ddpm: every timestep); spacing, prediction, clip, variance default to the schedule's settings",
                example: "let x = sample(model, s, sampler: \"dpmpp_2m\", steps: 10, shape: [500, 2])\nlet y = sample(model, s, steps: 20, shape: [8, 2], class_labels: 1, guidance: 3)") { a, c in
            let callee = try DiffusionBridge.checkCallable(a, 0)
            let s = try a.schedule(1)
            let sampler = try diffusion { try SamplerKind(name: try a.string(2, "sampler", default: "dpmpp_2m")) }
            var options = SamplerOptions()
            if a.has(3, "steps") { options.steps = try a.int(3, "steps") }
            options.eta = try a.number(7, "eta", default: 0)
            options.karras = try a.bool(10, "karras", default: false)
            options.settings = try a.samplerSettings(s, variance: 15, spacing: 6, clip: 12, prediction: 11)
            options.trajectory = try a.bool(14, "trajectory", default: false)
            let noise = try a.optionalTensor(5, "noise")
            let shape: [Int]
            if a.has(4, "shape") {
                shape = try DiffusionBridge.shape(a, 4)
                if let noise, noise.shape != shape {
                    throw a.error(5, "noise", "shape \(noise.shape) differs from shape: \(shape)")
                }
            } else if let noise {
                shape = noise.shape
            } else {
                throw a.error(4, "shape", "give shape: [n, ...] or noise: (a standard normal tensor)")
            }
            var guidance = Guidance(classLabels: try a.classLabels(9))
            if a.has(8, "guidance") { guidance.scale = try a.number(8, "guidance") }
            if guidance.scale != nil {
                guidance.nullLabel = a.has(13, "null_label") ? try a.int(13, "null_label") : try DiffusionBridge.nullLabel(of: callee, c)
            }
            let run = try diffusion {
                try Engine.withNoGrad {
                    try DSDiffusion.sample(DiffusionBridge.conditionalModel(callee, c), schedule: s, sampler: sampler,
                                           shape: shape, noise: DiffusionBridge.noise(c), initialNoise: noise,
                                           options: options, guidance: guidance,
                                           hooks: DiffusionBridge.hooks(c, label: sampler.rawValue))
                }
            }
            guard options.trajectory else { return .tensor(run.sample) }
            return .dict(DictObject([
                "sample": .tensor(run.sample),
                "xs": .list(ListObject(run.trajectory.map { .tensor($0) })),
                "x0s": .list(ListObject(run.predictedX0.map { .tensor($0) })),
                "timesteps": .list(ListObject(run.timesteps.map { .number($0) })),
            ]))
        },
    ]
}
