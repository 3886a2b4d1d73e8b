import DSEngine

/// diffusers' `AutoencoderKL` (`models/autoencoders/autoencoder_kl.py`, `vae.py`): encoder to a
/// diagonal Gaussian over latents (`quant_conv`, log-variance clamped to [−30, 20]), decoder back
/// (`post_quant_conv`). Same configuration keys, parameter names and outputs.
/// Limitations: `DownEncoderBlock2D` / `UpDecoderBlock2D` only, group norm (no spatial norm).
public final class AutoencoderKL: Module {
    public let config: ModelConfig
    public let inChannels: Int, latentChannels: Int, scalingFactor: Double, downFactor: Int
    let encoder: VAEEncoder, decoder: VAEDecoder, quantConv: Conv2d?, postQuantConv: Conv2d?

    public override var typeName: String { "AutoencoderKL" }

    /// Legacy diffusers attention keys (`attentions.0.query.weight`) load under today's names.
    public override func renamedStateKey(_ name: String) -> String? { Pretrained.modernAttentionKey(name) }

    public static let defaults: [(String, ConfigValue)] = Autoencoder.coderDefaults + [
        ("latent_channels", .number(4)), ("norm_num_groups", .number(32)), ("sample_size", .number(32)),
        ("scaling_factor", .number(0.18215)), ("shift_factor", .null), ("latents_mean", .null), ("latents_std", .null),
        ("force_upcast", .bool(true)), ("use_quant_conv", .bool(true)), ("use_post_quant_conv", .bool(true)),
        ("mid_block_add_attention", .bool(true)),
    ]

    public convenience init(config given: [(String, ConfigValue)], generator: RandomGenerator) throws {
        try self.init(config: try ModelConfig(owner: "autoencoder_kl", defaults: AutoencoderKL.defaults, given: given),
                      generator: generator)
    }

    public init(config c: ModelConfig, generator: RandomGenerator) throws {
        config = c
        inChannels = try c.int("in_channels", min: 1)
        let outChannels = try c.int("out_channels", min: 1)
        latentChannels = try c.int("latent_channels", min: 1)
        scalingFactor = try c.number("scaling_factor")
        let (channels, layers, attention, s) = try Autoencoder.blocks(c, generator: generator)
        downFactor = 1 << (channels.count - 1)
        encoder = try VAEEncoder(inChannels: inChannels, outChannels: 2 * latentChannels, channels: channels, layers: layers,
                                 attention: attention, s)
        decoder = try VAEDecoder(inChannels: latentChannels, outChannels: outChannels, channels: channels, layers: layers,
                                 attention: attention, s)
        quantConv = try c.bool("use_quant_conv")
            ? try Conv2d(2 * latentChannels, 2 * latentChannels, kernelSize: 1, generator: generator) : nil
        postQuantConv = try c.bool("use_post_quant_conv")
            ? try Conv2d(latentChannels, latentChannels, kernelSize: 1, generator: generator) : nil
        super.init()
        registerModule("encoder", encoder)
        registerModule("decoder", decoder)
        if let quantConv { registerModule("quant_conv", quantConv) }
        if let postQuantConv { registerModule("post_quant_conv", postQuantConv) }
    }

    /// The posterior's mean and log-variance (clamped to [−30, 20]), each [N, latent, H/f, W/f].
    public func encode(_ x: Tensor) throws -> (mean: Tensor, logvar: Tensor) {
        try Autoencoder.check(x, channels: inChannels, what: "input", factor: downFactor, owner: "autoencoder_kl")
        var moments = try encoder(x)
        if let quantConv { moments = try quantConv(moments) }
        let l = latentChannels
        let mean = try moments.slice(axis: 1, start: 0, stop: l)
        let logvar = try moments.slice(axis: 1, start: l, stop: 2 * l).clamp(min: -30, max: 20)
        return (mean, logvar)
    }

    /// The image decoded from latents `z` [N, latent, h, w].
    public func decode(_ z: Tensor) throws -> Tensor {
        try Autoencoder.check(z, channels: latentChannels, what: "latent", factor: 1, owner: "autoencoder_kl")
        return try decoder(postQuantConv.map { try $0(z) } ?? z)
    }

    /// `decode(mean)` (diffusers' `forward` without sampling).
    public override func forward(_ x: Tensor) throws -> Tensor { try decode(encode(x).mean) }
}
