import DSDiffusion
import DSEngine
import DSLanguage
import OrderedCollections

/// Image models (SPEC §8): `unet(config)` and `autoencoder_kl(config)` with diffusers' configuration
/// keys and parameter names, and the small MLP `vae(...)`. Models are `ModelObject`s (params,
/// state_dict, load_state, num_params) with their own calls, methods and a `config` field.
enum ImageModelLibrary {
    static let table: [Builtin] = [
        Builtin("unet(config = {})",
                "diffusers' UNet2DModel from a dict of its config keys (missing keys take diffusers' defaults); call u(x, t)",
                example: "let u = unet({sample_size: 16, in_channels: 1, out_channels: 1, block_out_channels: [32, 64],\n    down_block_types: [\"DownBlock2D\", \"AttnDownBlock2D\"], up_block_types: [\"AttnUpBlock2D\", \"UpBlock2D\"],\n    layers_per_block: 1, norm_num_groups: 8})\nu(randn([4, 1, 16, 16]), 500).shape   # [4, 1, 16, 16]") { a, c in
            let config = try configPairs(a)
            return wrap(try diffusion { try UNet2DModel(config: config, generator: RandomState.of(c)) })
        },
        Builtin("autoencoder_kl(config = {})",
                "diffusers' AutoencoderKL from a dict of its config keys; vae.encode(x) → {mean, logvar, sample}, vae.decode(z)",
                example: "let ae = autoencoder_kl({block_out_channels: [32, 64], down_block_types: [\"DownEncoderBlock2D\", \"DownEncoderBlock2D\"],\n    up_block_types: [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\"], norm_num_groups: 8, latent_channels: 4})\nae.encode(randn([1, 3, 16, 16])).mean.shape   # [1, 4, 8, 8]") { a, c in
            let config = try configPairs(a)
            return wrap(try diffusion { try AutoencoderKL(config: config, generator: RandomState.of(c)) })
        },
        Builtin("vae(in_dim, hidden = 256, latent = 8, likelihood = \"gaussian\")",
                "a small MLP VAE for vectors or flattened images: .encode(x), .decode(z), .loss(x) → {loss, recon, kl, ...}",
                example: "let v = vae(in_dim: 784, hidden: 256, latent: 8, likelihood: \"bernoulli\")\nv.loss(rand([16, 784])).loss") { a, c in
            let model = try diffusion {
                try MLPVAE(inDim: try a.int("in_dim"), hidden: try a.int("hidden"),
                           latent: try a.int("latent"), likelihood: try a.string("likelihood"),
                           generator: RandomState.of(c))
            }
            let object = ModelObject(model)
            object.extraMethods = vaeMethods
            return .native(object)
        },
    ]

    /// The `config` dict as (key, value) pairs.
    static func configPairs(_ a: Arguments) throws -> [(String, ConfigValue)] {
        let dict = try a.dict("config")
        return try dict.entries.map { key, value in (key, try configValue(value, key: key, a)) }
    }

    /// Lists in a config nest at most this deep (real configs use one level).
    static let maxConfigDepth = 16

    static func configValue(_ v: Value, key: String, _ a: Arguments, depth: Int = 0) throws -> ConfigValue {
        guard depth <= maxConfigDepth else {
            throw a.error("config", "key '\(key)' holds lists nested more than \(maxConfigDepth) deep")
        }
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let x): return .number(x)
        case .string(let s): return .string(s)
        case .list(let l): return .list(try l.items.map { try configValue($0, key: key, a, depth: depth + 1) })
        default: throw a.error("config", "key '\(key)' holds a \(v.typeName); config values are numbers, strings, booleans, nil or lists")
        }
    }

    static func value(_ c: ConfigValue) -> Value {
        switch c {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let x): return .number(x)
        case .string(let s): return .string(s)
        case .list(let items): return .list(ListObject(items.map(value)))
        }
    }

    static func configDict(_ config: ModelConfig) -> Value {
        var entries = OrderedDictionary<String, Value>()
        for (key, v) in config.entries { entries[key] = value(v) }
        return .dict(DictObject(entries))
    }

    /// A pretrained-capable model as a dscript value: callable, with `config` and its methods.
    static func wrap(_ model: any PretrainedModel) -> Value {
        let object: ModelObject
        switch model {
        case let unet as UNet2DModel:
            object = ModelObject(unet) { args, _ in
                var args = args
                args.functionName = "unet"
                guard args.count == 2 || (args.count == 1 && args.has(nil, "t")) else {
                    throw ScriptError("unet is called as u(x, t), got \(args.count) arguments")
                }
                let x = try args.tensor(0, "x")
                let t = try timesteps(args)
                return .tensor(try diffusion { try unet.forward(x, t: t) })
            }
        case let ae as AutoencoderKL:
            object = ModelObject(ae)
            object.extraMethods = autoencoderMethods
            object.extraFields["scaling_factor"] = { .number(ae.scalingFactor) }
            object.extraFields["latent_channels"] = { .number(Double(ae.latentChannels)) }
        default:
            object = ModelObject(model)
        }
        object.extraFields["config"] = { configDict(model.config) }
        return .native(object)
    }

    /// `t` of `u(x, t)`: a number or a tensor (or list) of per-sample timesteps, any finite values.
    static func timesteps(_ a: Arguments) throws -> Tensor {
        let v = try a.value(1, "t")
        let t: Tensor
        switch v {
        case .number(let x): t = Tensor(Float(x))
        default: t = try a.tensor(1, "t")
        }
        guard t.count >= 1, t.scalars.allSatisfy(\.isFinite) else { throw a.error(1, "t", "timesteps must be finite numbers") }
        return t.detach()
    }

    /// `{mean, logvar, sample}`: `sample()` draws mean + exp(logvar / 2)·ε with the interpreter's generator.
    static func posterior(mean: Tensor, logvar: Tensor) -> Value {
        let sample = Builtin("sample()", "a draw mean + exp(logvar / 2)·ε from the posterior", example: "enc.sample()") { _, c in
            let eps = Tensor.randnLike(mean, generator: RandomState.of(c))
            return .tensor(try diffusion { try mean.add(logvar.mul(0.5).exp().mul(eps)) })
        }
        return .dict(DictObject(["mean": .tensor(mean), "logvar": .tensor(logvar), "sample": .builtin(BuiltinFunction(sample))]))
    }

    static let autoencoderMethods: [Builtin] = [
        Builtin("autoencoder_kl.encode(x)", "the posterior over latents: dict mean, logvar (clamped to [−30, 20]), sample()",
                example: "let enc = ae.encode(x)\nlet z = enc.sample() * ae.scaling_factor") { a, _ in
            let ae = try a.receiver(as: ModelObject.self).module as? AutoencoderKL
            guard let ae else { throw ScriptError("encode needs an autoencoder_kl") }
            let x = try a.tensor("x")
            let (mean, logvar) = try diffusion { try ae.encode(x) }
            return posterior(mean: mean, logvar: logvar)
        },
        Builtin("autoencoder_kl.decode(z)", "the image decoded from latents z [N, latent_channels, h, w]",
                example: "let img = ae.decode(z / ae.scaling_factor)") { a, _ in
            let ae = try a.receiver(as: ModelObject.self).module as? AutoencoderKL
            guard let ae else { throw ScriptError("decode needs an autoencoder_kl") }
            let z = try a.tensor("z")
            return .tensor(try diffusion { try ae.decode(z) })
        },
    ]

    static let vaeMethods: [Builtin] = [
        Builtin("vae.encode(x)", "the posterior over latents: dict mean, logvar, sample()", example: "v.encode(x).mean") { a, _ in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("encode needs a vae") }
            let x = try a.tensor("x")
            let (mean, logvar) = try diffusion { try v.encode(x) }
            return posterior(mean: mean, logvar: logvar)
        },
        Builtin("vae.decode(z)", "the decoder's output for latents [N, latent] (probabilities for bernoulli)",
                example: "v.decode(randn([16, 8]))") { a, _ in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("decode needs a vae") }
            let z = try a.tensor("z")
            return .tensor(try diffusion { try v.decode(z) })
        },
        Builtin("vae.loss(x)", "the negative ELBO averaged over the batch: dict loss = recon + kl, recon, kl, mean, logvar, z, x_hat",
                example: "let l = v.loss(batch)\nl.loss.backward()") { a, c in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("loss needs a vae") }
            let x = try a.tensor("x")
            let r = try diffusion { try v.loss(x, generator: RandomState.of(c)) }
            return .dict(DictObject(["loss": .tensor(r.loss), "recon": .tensor(r.recon), "kl": .tensor(r.kl),
                                     "mean": .tensor(r.mean), "logvar": .tensor(r.logvar), "z": .tensor(r.z),
                                     "x_hat": .tensor(r.xHat)]))
        },
    ]

    /// Method help for `:help`.
    static let methods: [Builtin] = autoencoderMethods + vaeMethods
}
