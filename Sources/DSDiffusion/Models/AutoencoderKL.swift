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

    public static let defaults: [(String, ConfigValue)] = [
        ("in_channels", .number(3)), ("out_channels", .number(3)),
        ("down_block_types", .list([.string("DownEncoderBlock2D")])), ("up_block_types", .list([.string("UpDecoderBlock2D")])),
        ("block_out_channels", .list([.number(64)])), ("layers_per_block", .number(1)), ("act_fn", .string("silu")),
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
        let channels = try c.intList("block_out_channels")
        let downTypes = try c.stringList("down_block_types"), upTypes = try c.stringList("up_block_types")
        for (key, types, name) in [("down_block_types", downTypes, "DownEncoderBlock2D"), ("up_block_types", upTypes, "UpDecoderBlock2D")] {
            guard types.count == channels.count else {
                throw c.fail(key, "has \(types.count) entries but block_out_channels has \(channels.count)")
            }
            for (i, t) in types.enumerated() where t != name { throw c.fail(key, "entry \(i) '\(t)' is not supported (\(name))") }
        }
        let groups = try c.int("norm_num_groups", min: 1)
        for ch in channels where ch % groups != 0 {
            throw c.fail("norm_num_groups", "(\(groups)) does not divide block_out_channels entry \(ch)")
        }
        let s = BlockSettings(eps: 1e-6, groups: groups, act: ActivationFunction(try c.choice("act_fn", ActivationFunction.names)),
                              tembChannels: nil, generator: generator)
        let layers = try c.int("layers_per_block", min: 1), attention = try c.bool("mid_block_add_attention")
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
        try check(x, channels: inChannels, what: "input", factor: downFactor)
        var moments = try encoder(x)
        if let quantConv { moments = try quantConv(moments) }
        let l = latentChannels
        let mean = try moments.slice(axis: 1, start: 0, stop: l)
        let logvar = try moments.slice(axis: 1, start: l, stop: 2 * l).clamp(min: -30, max: 20)
        return (mean, logvar)
    }

    /// The image decoded from latents `z` [N, latent, h, w].
    public func decode(_ z: Tensor) throws -> Tensor {
        try check(z, channels: latentChannels, what: "latent", factor: 1)
        return try decoder(postQuantConv.map { try $0(z) } ?? z)
    }

    /// `decode(mean)` (diffusers' `forward` without sampling).
    public override func forward(_ x: Tensor) throws -> Tensor { try decode(encode(x).mean) }

    func check(_ x: Tensor, channels: Int, what: String, factor: Int) throws {
        guard x.rank == 4 else { throw DiffusionError("autoencoder_kl: \(what) must be [N, C, H, W], got shape \(x.shape)") }
        guard x.shape[1] == channels else {
            throw DiffusionError("autoencoder_kl: \(what) has \(x.shape[1]) channels, the model expects \(channels)")
        }
        guard x.shape[2] > 0, x.shape[3] > 0, x.shape[2] % factor == 0, x.shape[3] % factor == 0 else {
            throw DiffusionError("autoencoder_kl: \(what) size \(x.shape[2])×\(x.shape[3]) must be a positive multiple of \(factor)")
        }
    }
}

/// diffusers' VAE `Encoder`: `conv_in`, down blocks (downsampling with bottom-right padding), mid
/// block, `conv_norm_out` → SiLU → `conv_out` to `outChannels` (twice the latent channels).
final class VAEEncoder: Module {
    let convIn: Conv2d, downBlocks: [DownBlock2D], midBlock: UNetMidBlock2D, convNormOut: GroupNorm, convOut: Conv2d
    let act: ActivationFunction

    init(inChannels: Int, outChannels: Int, channels: [Int], layers: Int, attention: Bool, _ s: BlockSettings) throws {
        act = s.act
        convIn = try Conv2d(inChannels, channels[0], kernelSize: 3, padding: 1, generator: s.generator)
        var blocks: [DownBlock2D] = []
        var output = channels[0]
        for i in channels.indices {
            let input = output
            output = channels[i]
            blocks.append(try DownBlock2D(kind: "DownEncoderBlock2D", layers: layers, inChannels: input, outChannels: output,
                                          attention: false, attentionHeadDim: output, addDownsample: i < channels.count - 1,
                                          downsamplePadding: 0, s))
        }
        downBlocks = blocks
        let last = channels[channels.count - 1]
        midBlock = try UNetMidBlock2D(channels: last, attentionHeadDim: last, attnGroups: s.groups, addAttention: attention,
                                      outputScaleFactor: 1, s)
        convNormOut = try GroupNorm(s.groups, last, eps: 1e-6)
        convOut = try Conv2d(last, outChannels, kernelSize: 3, padding: 1, generator: s.generator)
        super.init()
        registerModule("conv_in", convIn)
        registerModule("down_blocks", ModuleList(downBlocks))
        registerModule("mid_block", midBlock)
        registerModule("conv_norm_out", convNormOut)
        registerModule("conv_out", convOut)
    }

    override var typeName: String { "Encoder" }

    override func forward(_ x: Tensor) throws -> Tensor {
        var h = try convIn(x)
        for block in downBlocks { h = try block.forward(h, temb: nil).0 }
        h = try midBlock.forward(h, temb: nil)
        return try convOut(act.normalized(h, by: convNormOut))
    }
}

/// diffusers' VAE `Decoder`: `conv_in` from the latents, mid block, up blocks (`layers + 1` resnets,
/// nearest ×2 upsampling), `conv_norm_out` → SiLU → `conv_out`.
final class VAEDecoder: Module {
    let convIn: Conv2d, midBlock: UNetMidBlock2D, upBlocks: [UpBlock2D], convNormOut: GroupNorm, convOut: Conv2d
    let act: ActivationFunction

    init(inChannels: Int, outChannels: Int, channels: [Int], layers: Int, attention: Bool, _ s: BlockSettings) throws {
        act = s.act
        let reversed = Array(channels.reversed())
        convIn = try Conv2d(inChannels, reversed[0], kernelSize: 3, padding: 1, generator: s.generator)
        midBlock = try UNetMidBlock2D(channels: reversed[0], attentionHeadDim: reversed[0], attnGroups: s.groups,
                                      addAttention: attention, outputScaleFactor: 1, s)
        var blocks: [UpBlock2D] = []
        var output = reversed[0]
        for i in reversed.indices {
            let prev = output
            output = reversed[i]
            blocks.append(try UpBlock2D(kind: "UpDecoderBlock2D", layers: layers + 1, inChannels: prev, prevOutputChannels: nil,
                                        outChannels: output, attention: false, attentionHeadDim: output,
                                        addUpsample: i < channels.count - 1, s))
        }
        upBlocks = blocks
        convNormOut = try GroupNorm(s.groups, channels[0], eps: 1e-6)
        convOut = try Conv2d(channels[0], outChannels, kernelSize: 3, padding: 1, generator: s.generator)
        super.init()
        registerModule("conv_in", convIn)
        registerModule("up_blocks", ModuleList(upBlocks))
        registerModule("mid_block", midBlock)
        registerModule("conv_norm_out", convNormOut)
        registerModule("conv_out", convOut)
    }

    override var typeName: String { "Decoder" }

    override func forward(_ z: Tensor) throws -> Tensor {
        var h = try midBlock.forward(convIn(z), temb: nil)
        var none: [Tensor] = []
        for block in upBlocks { h = try block.forward(h, skips: &none, temb: nil) }
        return try convOut(act.normalized(h, by: convNormOut))
    }
}
