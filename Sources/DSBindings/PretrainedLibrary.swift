import DSDiffusion
import Foundation
import DSEngine
import DSLanguage

/// diffusers' folders (docs/builtins.md § Models): `save_pretrained` / `from_pretrained` for one model
/// (`config.json` + `diffusion_pytorch_model.safetensors`) or a pipeline (`model_index.json` and a
/// subfolder per component), `pipeline(...)` and `load_scheduler`, so models and pipelines move
/// between dscript and diffusers.
enum PretrainedLibrary {
    static let table: [Builtin] = [
        Builtin("save_pretrained(model, dir, dtype = \"float32\")",
                "writes a unet, autoencoder_kl or vq_model as a diffusers folder (config.json + diffusion_pytorch_model.safetensors), "
                    + "or a pipeline (model_index.json, scheduler/, unet/, ...); weights in float32, float16 or bfloat16",
                example: "save_pretrained(u, \"runs/unet\", dtype: \"float16\")   # UNet2DModel.from_pretrained(\"runs/unet\") in Python") { a, _ in
            let dir = try a.string("dir")
            let dtype = try FileLibrary.safetensorsDtype(a).format
            if case .native(let p as PipelineObject)? = a.optional("model") {
                try p.pipeline.save(to: dir, dtype: dtype)
                return .null
            }
            let object = try a.native("model", as: ModelObject.self, expected: "model or pipeline")
            guard let model = object.module as? any PretrainedModel else {
                throw a.error("model", "a \(object.module.typeName) has no diffusers layout (unet, autoencoder_kl or vq_model expected)")
            }
            try Pretrained.save(model, to: dir, dtype: dtype)
            return .null
        },
        Builtin("from_pretrained(dir, variant = nil)",
                "loads a diffusers folder: a pipeline (model_index.json: DDPM, DDIM, LDM; other pipelines' unet, vae and scheduler) "
                    + "or one model (UNet2DModel, AutoencoderKL, VQModel); variant: \"fp16\" reads *.fp16.* weights",
                example: "let p = from_pretrained(\"ddpm-cifar10-32\")\nshow(p.sample(steps: 100))") { a, c in
            let dir = try a.string("dir")
            let variant = a.has("variant") ? try a.string("variant") : nil
            if Pipeline.isPipeline(dir) {
                let loaded = try Pipeline.load(from: dir, generator: RandomState.of(c), variant: variant)
                warn(loaded.warnings, c)
                return .native(PipelineObject(loaded.pipeline))
            }
            return ImageModelLibrary.wrap(try Pretrained.load(from: dir, generator: RandomState.of(c), variant: variant))
        },
        Builtin("from_config(config) -> model",
                "a freshly initialised model of the class a diffusers config names (_class_name): a config.json path, "
                    + "a model folder, or a dict",
                example: "let u = from_config(\"sd-v1-5/unet/config.json\")   # random weights, the real shapes") { a, c in
            let v = try a.value("config")
            let pairs: [(String, ConfigValue)], source: String
            if case .string(let path) = v {
                var file = path
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                    file = (path as NSString).appendingPathComponent(Pretrained.configName)
                }
                guard let data = FileManager.default.contents(atPath: file) else { throw a.error("config", "cannot read '\(file)'") }
                (pairs, source) = (try ModelConfig.parseJSON(data, source: file), file)
            } else {
                (pairs, source) = (try ImageModelLibrary.configPairs(a), "from_config")
            }
            return ImageModelLibrary.wrap(try Pretrained.make(config: pairs, source: source, generator: RandomState.of(c)))
        },
        Builtin("pipeline(unet, schedule, kind = \"ddim\", vqvae = nil) -> pipeline",
                "a diffusers pipeline from a unet trained in dscript: kind ddpm, ddim or ldm (with a vq_model); "
                    + "p.sample(...) samples, save_pretrained(p, dir) writes a folder diffusers loads",
                example: "let p = pipeline(unet: u, schedule: s, kind: \"ddim\")\nsave_pretrained(p, \"runs/pipe\")") { a, _ in
            let unetObject = try a.native("unet", as: ModelObject.self, expected: "unet")
            guard let unet = unetObject.module as? UNet2DModel else {
                throw a.error("unet", "a \(unetObject.module.typeName) is not a unet (UNet2DModel)")
            }
            let s = try a.schedule("schedule")
            let kind = try Pipeline.Kind(name: try a.string("kind"))
            var vqvae: VQModel? = nil
            if a.has("vqvae") {
                let object = try a.native("vqvae", as: ModelObject.self, expected: "vq_model")
                guard let vq = object.module as? VQModel else { throw a.error("vqvae", "a \(object.module.typeName) is not a vq_model") }
                vqvae = vq
            }
            return .native(PipelineObject(try Pipeline(kind: kind, unet: unet, schedule: s, vqvae: vqvae)))
        },
        Builtin("load_scheduler(path) -> schedule",
                "a schedule from diffusers' scheduler_config.json (a file or a folder holding one) with its sampler settings: "
                    + "beta_schedule or trained_betas, prediction_type, clip_sample, thresholding, timestep_spacing, steps_offset, "
                    + "set_alpha_to_one, variance_type, rescale_betas_zero_snr, use_karras_sigmas; keys its class does not take "
                    + "or dscript does not use are warned about",
                example: "let s = load_scheduler(\"ddpm-cifar10-32/scheduler\")\nprint(s)") { a, c in
            let loaded = try SchedulerConfig.load(path: try a.string("path"))
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
