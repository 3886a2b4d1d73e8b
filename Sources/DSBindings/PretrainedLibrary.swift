import DSDiffusion
import DSEngine
import DSLanguage

/// `save_pretrained` / `from_pretrained` (SPEC §8): diffusers' folder layout, `config.json` +
/// `diffusion_pytorch_model.safetensors`, so a model moves between dscript and diffusers.
enum PretrainedLibrary {
    static let table: [Builtin] = [
        Builtin("save_pretrained(model, dir, dtype = \"float32\")",
                "writes a unet or autoencoder_kl as a diffusers folder: config.json + diffusion_pytorch_model.safetensors "
                    + "(weights in float32, float16 or bfloat16)",
                example: "save_pretrained(u, \"runs/unet\", dtype: \"float16\")   # UNet2DModel.from_pretrained(\"runs/unet\") in Python") { a, _ in
            let object = try a.native("model", as: ModelObject.self, expected: "model")
            guard let model = object.module as? any PretrainedModel else {
                throw a.error("model", "a \(object.module.typeName) has no diffusers layout (unet or autoencoder_kl expected)")
            }
            let dir = try a.string("dir")
            let dtype = try FileLibrary.safetensorsDtype(a).format
            try diffusion { try Pretrained.save(model, to: dir, dtype: dtype) }
            return .null
        },
        Builtin("from_pretrained(dir)",
                "loads a diffusers folder (UNet2DModel or AutoencoderKL; safetensors weights; legacy attention names renamed)",
                example: "let u = from_pretrained(\"runs/unet\")") { a, c in
            let dir = try a.string("dir")
            return ImageModelLibrary.wrap(try diffusion { try Pretrained.load(from: dir, generator: RandomState.of(c)) })
        },
    ]
}
