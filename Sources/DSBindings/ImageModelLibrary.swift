import DSDiffusion
import DSEngine
import DSLanguage
import OrderedCollections

/// Image models (docs/builtins.md § Models): `unet(config)` and `autoencoder_kl(config)` with diffusers'
/// configuration keys and parameter names, and the small MLP `vae(...)`. Models are `ModelObject`s (params,
/// state_dict, load_state, num_params) with their own calls, methods and a `config` field.
enum ImageModelLibrary {
    static let table: [Builtin] = [
        Builtin("unet(config = {}) -> model",
                "diffusers' UNet2DModel from a dict of its config keys (missing keys take diffusers' defaults); call u(x, t)",
                example: "let u = unet({sample_size: 16, in_channels: 1, out_channels: 1, block_out_channels: [32, 64],\n    down_block_types: [\"DownBlock2D\", \"AttnDownBlock2D\"], up_block_types: [\"AttnUpBlock2D\", \"UpBlock2D\"],\n    layers_per_block: 1, norm_num_groups: 8})\nu(randn([4, 1, 16, 16]), 500).shape   # [4, 1, 16, 16]",
                body: fromConfig { try UNet2DModel(config: $0, generator: $1) }),
        Builtin("unet_2d_condition(config = {}) -> model",
                "diffusers' UNet2DConditionModel (Stable Diffusion's UNet: cross-attention transformer blocks) from a dict of its "
                    + "config keys; call u(x, t, encoder_hidden_states: context) with context [N, tokens, cross_attention_dim]",
                example: "let u = unet_2d_condition({sample_size: 8, block_out_channels: [32, 64], down_block_types: [\"CrossAttnDownBlock2D\", \"DownBlock2D\"],\n    up_block_types: [\"UpBlock2D\", \"CrossAttnUpBlock2D\"], cross_attention_dim: 16, attention_head_dim: 4, norm_num_groups: 8})\nu(randn([1, 4, 8, 8]), 500, encoder_hidden_states: randn([1, 7, 16])).shape   # [1, 4, 8, 8]",
                body: fromConfig { try UNet2DConditionModel(config: $0, generator: $1) }),
        Builtin("autoencoder_kl(config = {}) -> model",
                "diffusers' AutoencoderKL from a dict of its config keys; vae.encode(x) → {mean, logvar, sample}, vae.decode(z)",
                example: "let ae = autoencoder_kl({block_out_channels: [32, 64], down_block_types: [\"DownEncoderBlock2D\", \"DownEncoderBlock2D\"],\n    up_block_types: [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\"], norm_num_groups: 8, latent_channels: 4})\nae.encode(randn([1, 3, 16, 16])).mean.shape   # [1, 4, 8, 8]",
                body: fromConfig { try AutoencoderKL(config: $0, generator: $1) }),
        Builtin("vq_model(config = {}) -> model",
                "diffusers' VQModel (the LDM autoencoder) from a dict of its config keys; vq.encode(x) → latents, "
                    + "vq.quantize(h) → {quantized, indices, loss}, vq.decode(h, quantize: true)",
                example: "let vq = vq_model({block_out_channels: [32, 64], down_block_types: [\"DownEncoderBlock2D\", \"DownEncoderBlock2D\"],\n    up_block_types: [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\"], norm_num_groups: 8, num_vq_embeddings: 64})\nvq.decode(vq.encode(randn([1, 3, 16, 16]))).shape   # [1, 3, 16, 16]",
                body: fromConfig { try VQModel(config: $0, generator: $1) }),
        Builtin("vae(in_dim, hidden = 256, latent = 8, likelihood = \"gaussian\") -> model",
                "a small MLP VAE for vectors or flattened images: .encode(x), .decode(z), .loss(x) → {loss, recon, kl, ...}",
                example: "let v = vae(in_dim: 784, hidden: 256, latent: 8, likelihood: \"bernoulli\")\nv.loss(rand([16, 784])).loss") { a, c in
            let model = try MLPVAE(inDim: try a.int("in_dim"), hidden: try a.int("hidden"),
                                   latent: try a.int("latent"), likelihood: try a.string("likelihood"),
                                   generator: RandomState.of(c))
            let object = ModelObject(model)
            object.extraMethods = vaeMethods
            return .native(object)
        },
    ]

    /// The `config` dict as (key, value) pairs.
    /// The body of a model built from its `config` dict: `make(config, the script's generator)`, wrapped.
    static func fromConfig(_ make: @escaping ([(String, ConfigValue)], RandomGenerator) throws -> any PretrainedModel)
        -> (Arguments, CallContext) throws -> Value {
        { a, c in wrap(try make(try configPairs(a), RandomState.of(c))) }
    }

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
                let a = try modelCall(args, unetCall)
                return .tensor(try unet.forward(try a.tensor("x"), t: try timesteps(a), classLabels: try a.optionalTensor("class_labels")))
            }
        case let unet as UNet2DConditionModel:
            object = ModelObject(unet) { args, _ in
                let a = try modelCall(args, conditionUNetCall)
                return .tensor(try unet.forward(try a.tensor("x"), t: try timesteps(a), context: try a.tensor("encoder_hidden_states"),
                                                classLabels: try a.optionalTensor("class_labels")))
            }
        case let ae as AutoencoderKL:
            object = ModelObject(ae)
            object.extraMethods = autoencoderMethods
            object.extraFields["scaling_factor"] = { .number(ae.scalingFactor) }
            object.extraFields["latent_channels"] = { .number(Double(ae.latentChannels)) }
        case let vq as VQModel:
            object = ModelObject(vq)
            object.extraMethods = vqMethods
            object.extraFields["scaling_factor"] = { .number(vq.scalingFactor) }
            object.extraFields["latent_channels"] = { .number(Double(vq.latentChannels)) }
        default:
            object = ModelObject(model)
        }
        object.extraFields["config"] = { configDict(model.config) }
        return .native(object)
    }

    static let unetCall = ParameterList(parsing: "unet(x, t, class_labels = nil)")
    static let conditionUNetCall = ParameterList(parsing: "unet_2d_condition(x, t, encoder_hidden_states, class_labels = nil)")

    /// The arguments of a model call read by the names of `call`: too many positional arguments and
    /// keywords the call does not take are refused, naming the call.
    static func modelCall(_ args: Arguments, _ call: ParameterList) throws -> Arguments {
        var a = args
        a.functionName = call.name
        a.parameters = call
        let usage = call.name + "(" + call.parameters.map { $0.defaultText == nil ? $0.name : "\($0.name): ..." }.joined(separator: ", ") + ")"
        if let bad = a.keywords.first(where: { !call.names.contains($0.name) }) {
            throw ScriptError("\(call.name) has no argument '\(bad.name)' (it is called as \(usage))")
        }
        guard a.count <= call.parameters.count else {
            throw ScriptError("\(call.name) takes at most \(call.parameters.count) arguments, got \(a.count) (it is called as \(usage))")
        }
        return a
    }

    /// `t` of `u(x, t)`: a number or a tensor (or list) of per-sample timesteps, any finite values.
    static func timesteps(_ a: Arguments) throws -> Tensor {
        let v = try a.value("t")
        let t: Tensor
        switch v {
        case .number(let x): t = Tensor(Float(x))
        default: t = try a.tensor("t")
        }
        guard t.count >= 1, t.scalars.allSatisfy(\.isFinite) else { throw a.error("t", "timesteps must be finite numbers") }
        return t.detach()
    }

    /// `{mean, logvar, sample}`: `sample()` draws mean + exp(logvar / 2)·ε with the interpreter's generator.
    static func posterior(mean: Tensor, logvar: Tensor) -> Value {
        let sample = Builtin("sample()", "a draw mean + exp(logvar / 2)·ε from the posterior", example: "enc.sample()") { _, c in
            let eps = Tensor.randnLike(mean, generator: RandomState.of(c))
            return .tensor(try mean.add(logvar.mul(0.5).exp().mul(eps)))
        }
        return .dict(DictObject(["mean": .tensor(mean), "logvar": .tensor(logvar), "sample": .builtin(BuiltinFunction(sample))]))
    }

    static let autoencoderMethods: [Builtin] = [
        Builtin("autoencoder_kl.encode(x)", "the posterior over latents: dict mean, logvar (clamped to [−30, 20]), sample()",
                example: "let enc = ae.encode(x)\nlet z = enc.sample() * ae.scaling_factor") { a, _ in
            let ae = try a.receiver(as: ModelObject.self).module as? AutoencoderKL
            guard let ae else { throw ScriptError("encode needs an autoencoder_kl") }
            let x = try a.tensor("x")
            let (mean, logvar) = try ae.encode(x)
            return posterior(mean: mean, logvar: logvar)
        },
        Builtin("autoencoder_kl.decode(z) -> tensor", "the image decoded from latents z [N, latent_channels, h, w]",
                example: "let img = ae.decode(z / ae.scaling_factor)") { a, _ in
            let ae = try a.receiver(as: ModelObject.self).module as? AutoencoderKL
            guard let ae else { throw ScriptError("decode needs an autoencoder_kl") }
            let z = try a.tensor("z")
            return .tensor(try ae.decode(z))
        },
    ]

    static func vq(_ a: Arguments) throws -> VQModel {
        guard let vq = try a.receiver(as: ModelObject.self).module as? VQModel else { throw ScriptError("\(a.functionName) needs a vq_model") }
        return vq
    }

    static let vqMethods: [Builtin] = [
        Builtin("vq_model.encode(x) -> tensor", "the latents before quantization, [N, vq_embed_dim, H/f, W/f]",
                example: "let h = vq.encode(x)") { a, _ in
            let vq = try vq(a), x = try a.tensor("x")
            return .tensor(try vq.encode(x))
        },
        Builtin("vq_model.quantize(h)", "the nearest codebook vectors: dict quantized (straight-through gradient), indices [N, h, w], loss",
                example: "vq.quantize(vq.encode(x)).indices") { a, _ in
            let vq = try vq(a), h = try a.tensor("h")
            let q = try vq.quantize(h)
            return .dict(DictObject(["quantized": .tensor(q.quantized), "indices": .tensor(q.indices), "loss": .tensor(q.loss)]))
        },
        Builtin("vq_model.decode(h, quantize = true) -> tensor", "the image decoded from latents (quantized first, as diffusers' decode)",
                example: "let img = vq.decode(h)") { a, _ in
            let vq = try vq(a), h = try a.tensor("h"), quantize = try a.bool("quantize")
            return .tensor(try vq.decode(h, quantize: quantize))
        },
    ]

    static let vaeMethods: [Builtin] = [
        Builtin("vae.encode(x)", "the posterior over latents: dict mean, logvar, sample()", example: "v.encode(x).mean") { a, _ in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("encode needs a vae") }
            let x = try a.tensor("x")
            let (mean, logvar) = try v.encode(x)
            return posterior(mean: mean, logvar: logvar)
        },
        Builtin("vae.decode(z) -> tensor", "the decoder's output for latents [N, latent] (probabilities for bernoulli)",
                example: "v.decode(randn([16, 8]))") { a, _ in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("decode needs a vae") }
            let z = try a.tensor("z")
            return .tensor(try v.decode(z))
        },
        Builtin("vae.loss(x)", "the negative ELBO averaged over the batch: dict loss = recon + kl, recon, kl, mean, logvar, z, x_hat",
                example: "let l = v.loss(batch)\nl.loss.backward()") { a, c in
            let v = try a.receiver(as: ModelObject.self).module as? MLPVAE
            guard let v else { throw ScriptError("loss needs a vae") }
            let x = try a.tensor("x")
            let r = try v.loss(x, generator: RandomState.of(c))
            return .dict(DictObject(["loss": .tensor(r.loss), "recon": .tensor(r.recon), "kl": .tensor(r.kl),
                                     "mean": .tensor(r.mean), "logvar": .tensor(r.logvar), "z": .tensor(r.z),
                                     "x_hat": .tensor(r.xHat)]))
        },
    ]

    /// Method help for `:help`.
    static let methods: [Builtin] = autoencoderMethods + vqMethods + vaeMethods
}
