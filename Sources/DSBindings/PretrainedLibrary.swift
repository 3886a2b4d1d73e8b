import DSDiffusion
import DSEngine
import DSLanguage

/// `save_pretrained` / `from_pretrained` (SPEC §8): diffusers' folder layout, `config.json` +
/// `diffusion_pytorch_model.safetensors`, so a model moves between dscript and diffusers.
enum PretrainedLibrary {
    static let table: [Builtin] = [
        Builtin("save_pretrained(model, dir, dtype = \"float32\")",
                "writes a unet, autoencoder_kl or vq_model as a diffusers folder: config.json + diffusion_pytorch_model.safetensors "
                    + "(weights in float32, float16 or bfloat16)",
                example: "save_pretrained(u, \"runs/unet\", dtype: \"float16\")   # UNet2DModel.from_pretrained(\"runs/unet\") in Python") { a, _ in
            let object = try a.native(0, "model", as: ModelObject.self, expected: "model")
            guard let model = object.module as? any PretrainedModel else {
                throw a.error(0, "model", "a \(object.module.typeName) has no diffusers layout (unet, autoencoder_kl or vq_model expected)")
            }
            let dir = try a.string(1, "dir")
            let dtype = try FileLibrary.safetensorsDtype(a, 2).format
            try diffusion { try Pretrained.save(model, to: dir, dtype: dtype) }
            return .null
        },
        Builtin("from_pretrained(dir)",
                "loads a diffusers folder (UNet2DModel, AutoencoderKL or VQModel; safetensors weights; legacy attention names renamed)",
                example: "let u = from_pretrained(\"runs/unet\")") { a, c in
            let dir = try a.string(0, "dir")
            return ImageModelLibrary.wrap(try diffusion { try Pretrained.load(from: dir, generator: RandomState.of(c)) })
        },
        Builtin("load_scheduler(path)",
                "a schedule from diffusers' scheduler_config.json (a file or a folder holding one) with its sampler settings: "
                    + "beta_schedule or trained_betas, prediction_type, clip_sample, thresholding, timestep_spacing, steps_offset, "
                    + "set_alpha_to_one, variance_type, rescale_betas_zero_snr; keys dscript does not use are warned about",
                example: "let s = load_scheduler(\"ddpm-cifar10-32/scheduler\")\nprint(s)") { a, c in
            let path = try a.string(0, "path")
            let loaded = try diffusion { try SchedulerConfig.load(path: path) }
            warn(loaded.warnings, c)
            return .native(NoiseScheduleObject(loaded.schedule))
        },
    ]

    /// Writes each warning to standard error as `warning: ...` (nothing with --quiet).
    static func warn(_ warnings: [String], _ context: CallContext) {
        guard !context.settings.quiet else { return }
        for w in warnings { context.writeError("warning: \(w)\n") }
    }
}
