import DSEngine

/// What diffusers' autoencoders (`AutoencoderKL`, `VQModel`) share: the block checks and settings of
/// their configs and the input checks.
enum Autoencoder {
    /// The configuration keys that come first in both of diffusers' autoencoders (`AutoencoderKL`,
    /// `VQModel`), with their defaults: the encoder's and decoder's shape.
    static let coderDefaults: [(String, ConfigValue)] = [
        ("in_channels", .number(3)), ("out_channels", .number(3)),
        ("down_block_types", .list([.string("DownEncoderBlock2D")])), ("up_block_types", .list([.string("UpDecoderBlock2D")])),
        ("block_out_channels", .list([.number(64)])), ("layers_per_block", .number(1)), ("act_fn", .string("silu")),
    ]

    /// `block_out_channels`, `layers_per_block`, `mid_block_add_attention` and the block settings, after
    /// checking the block types (`DownEncoderBlock2D` / `UpDecoderBlock2D`) and the group count.
    static func blocks(_ c: ModelConfig, generator: RandomGenerator) throws
        -> (channels: [Int], layers: Int, attention: Bool, settings: BlockSettings) {
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
        return (channels, try c.int("layers_per_block", min: 1), try c.bool("mid_block_add_attention"), s)
    }

    /// The single-head spatial attention of the encoder's and decoder's mid block, when it has one.
    static func midAttention(_ present: Bool, _ s: BlockSettings) -> AttentionFactory? {
        present ? { channels in
            try SpatialAttention(channels: channels, heads: 1, dimHead: channels, groups: s.groups, eps: s.eps, generator: s.generator)
        } : nil
    }

    /// Throws unless `x` is [N, channels, H, W] with H and W positive multiples of `factor`.
    static func check(_ x: Tensor, channels: Int, what: String, factor: Int, owner: String) throws {
        guard x.rank == 4 else { throw DiffusionError("\(owner): \(what) must be [N, C, H, W], got shape \(x.shape)") }
        guard x.shape[1] == channels else {
            throw DiffusionError("\(owner): \(what) has \(x.shape[1]) channels, the model expects \(channels)")
        }
        guard x.shape[2] > 0, x.shape[3] > 0, x.shape[2] % factor == 0, x.shape[3] % factor == 0 else {
            throw DiffusionError("\(owner): \(what) size \(x.shape[2])×\(x.shape[3]) must be a positive multiple of \(factor)")
        }
    }
}

/// diffusers' VAE `Encoder`: `conv_in`, down blocks (downsampling with bottom-right padding), mid
/// block, `conv_norm_out` → SiLU → `conv_out` to `outChannels` (twice the latent channels).
final class VAEEncoder: Module {
    let convIn: Conv2d, downBlocks: [DownBlock2D], midBlock: UNetMidBlock2D, convNormOut: GroupNorm, convOut: Conv2d

    init(inChannels: Int, outChannels: Int, channels: [Int], layers: Int, attention: Bool, _ s: BlockSettings) throws {
        convIn = try Conv2d(inChannels, channels[0], kernelSize: 3, padding: 1, generator: s.generator)
        var blocks: [DownBlock2D] = []
        var output = channels[0]
        for i in channels.indices {
            let input = output
            output = channels[i]
            blocks.append(try DownBlock2D(kind: "DownEncoderBlock2D", layers: layers, inChannels: input, outChannels: output,
                                          attention: nil, addDownsample: i < channels.count - 1, downsamplePadding: 0, s))
        }
        downBlocks = blocks
        let last = channels[channels.count - 1]
        midBlock = try UNetMidBlock2D(channels: last, attention: Autoencoder.midAttention(attention, s), outputScaleFactor: 1, s)
        convNormOut = try GroupNorm(s.groups, last, eps: 1e-6)
        convOut = try Conv2d(last, outChannels, kernelSize: 3, padding: 1, generator: s.generator)
        super.init()
        registerBlocks(convIn: convIn, down: downBlocks, mid: midBlock, convNormOut: convNormOut, convOut: convOut)
    }

    override var typeName: String { "Encoder" }

    override func forward(_ x: Tensor) throws -> Tensor {
        var h = try convIn(x)
        for block in downBlocks { h = try block.forward(h, temb: nil).0 }
        h = try midBlock.forward(h, temb: nil)
        return try convOut(convNormOut.forward(h, silu: true))   // SiLU whatever act_fn says, as in diffusers
    }
}

/// diffusers' VAE `Decoder`: `conv_in` from the latents, mid block, up blocks (`layers + 1` resnets,
/// nearest ×2 upsampling), `conv_norm_out` → SiLU → `conv_out`.
final class VAEDecoder: Module {
    let convIn: Conv2d, midBlock: UNetMidBlock2D, upBlocks: [UpBlock2D], convNormOut: GroupNorm, convOut: Conv2d

    init(inChannels: Int, outChannels: Int, channels: [Int], layers: Int, attention: Bool, _ s: BlockSettings) throws {
        let reversed = Array(channels.reversed())
        convIn = try Conv2d(inChannels, reversed[0], kernelSize: 3, padding: 1, generator: s.generator)
        midBlock = try UNetMidBlock2D(channels: reversed[0], attention: Autoencoder.midAttention(attention, s),
                                      outputScaleFactor: 1, s)
        var blocks: [UpBlock2D] = []
        var output = reversed[0]
        for i in reversed.indices {
            let prev = output
            output = reversed[i]
            blocks.append(try UpBlock2D(kind: "UpDecoderBlock2D", layers: layers + 1, inChannels: prev, prevOutputChannels: nil,
                                        outChannels: output, attention: nil, addUpsample: i < channels.count - 1, s))
        }
        upBlocks = blocks
        convNormOut = try GroupNorm(s.groups, channels[0], eps: 1e-6)
        convOut = try Conv2d(channels[0], outChannels, kernelSize: 3, padding: 1, generator: s.generator)
        super.init()
        registerBlocks(convIn: convIn, up: upBlocks, mid: midBlock, convNormOut: convNormOut, convOut: convOut)
    }

    override var typeName: String { "Decoder" }

    override func forward(_ z: Tensor) throws -> Tensor {
        var h = try midBlock.forward(convIn(z), temb: nil)
        var none: [Tensor] = []
        for block in upBlocks { h = try block.forward(h, skips: &none, temb: nil) }
        return try convOut(convNormOut.forward(h, silu: true))   // SiLU whatever act_fn says, as in diffusers
    }
}
