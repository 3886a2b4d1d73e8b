import DSEngine

/// diffusers' `UNet2DModel` (`models/unets/unet_2d.py`): same configuration keys and defaults, same
/// parameter names (`conv_in.weight`, `down_blocks.1.attentions.0.to_q.weight`, ...), same output.
///
/// Supported: positional time embedding, `DownBlock2D` / `AttnDownBlock2D` / `UpBlock2D` /
/// `AttnUpBlock2D`, `UNetMidBlock2D` or no mid block, `default` and `scale_shift` time conditioning,
/// conv down/upsamplers, dropout 0, class conditioning (`num_class_embeds` with `class_embed_type`
/// none, `"timestep"` or `"identity"`). Limitations: fourier/learned time embeddings, skip or
/// resnet-sampler blocks (the config is refused, naming the key).
public final class UNet2DModel: Module {
    public let config: ModelConfig
    /// `sample_size` as [height, width] (nil when the config leaves it out).
    public let inChannels: Int, outChannels: Int, sampleSize: [Int]?
    let convIn: Conv2d, timeEmbedding: TimestepEmbedding, downBlocks: [DownBlock2D], midBlock: UNetMidBlock2D?
    let upBlocks: [UpBlock2D], convNormOut: GroupNorm, convOut: Conv2d
    /// How class labels join the time embedding; nil for an unconditional model.
    public let classEmbedding: ClassEmbedding?
    let flipSinToCos: Bool, freqShift: Float, centerInput: Bool, downFactor: Int

    public override var typeName: String { "UNet2DModel" }

    /// Legacy diffusers attention keys (`attentions.0.query.weight`) load under today's names.
    public override func renamedStateKey(_ name: String) -> String? { Pretrained.modernAttentionKey(name) }

    /// diffusers' defaults, in its order.
    public static let defaults: [(String, ConfigValue)] = [
        ("sample_size", .null), ("in_channels", .number(3)), ("out_channels", .number(3)),
        ("center_input_sample", .bool(false)), ("time_embedding_type", .string("positional")),
        ("time_embedding_dim", .null), ("freq_shift", .number(0)), ("flip_sin_to_cos", .bool(true)),
        ("down_block_types", .list(["DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"].map(ConfigValue.string))),
        ("mid_block_type", .string("UNetMidBlock2D")),
        ("up_block_types", .list(["AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"].map(ConfigValue.string))),
        ("block_out_channels", .list([224, 448, 672, 896].map { .number($0) })), ("layers_per_block", .number(2)),
        ("mid_block_scale_factor", .number(1)), ("downsample_padding", .number(1)), ("downsample_type", .string("conv")),
        ("upsample_type", .string("conv")), ("dropout", .number(0)), ("act_fn", .string("silu")),
        ("attention_head_dim", .number(8)), ("norm_num_groups", .number(32)), ("attn_norm_num_groups", .null),
        ("norm_eps", .number(1e-5)), ("resnet_time_scale_shift", .string("default")), ("add_attention", .bool(true)),
        ("class_embed_type", .null), ("num_class_embeds", .null), ("num_train_timesteps", .null),
    ]

    /// Builds the model from (key, value) pairs; missing keys take diffusers' defaults.
    public convenience init(config given: [(String, ConfigValue)], generator: RandomGenerator) throws {
        try self.init(config: try ModelConfig(owner: "unet", defaults: UNet2DModel.defaults, given: given), generator: generator)
    }

    public init(config c: ModelConfig, generator: RandomGenerator) throws {
        config = c
        try c.requireDefault("time_embedding_type", .string("positional"), "fourier and learned embeddings are not implemented")
        try c.requireDefault("downsample_type", .string("conv"), "resnet downsamplers are not implemented")
        try c.requireDefault("upsample_type", .string("conv"), "resnet upsamplers are not implemented")
        guard try c.number("dropout") == 0 else { throw c.fail("dropout", "must be 0 (dropout is not implemented)") }
        inChannels = try c.int("in_channels", min: 1)
        outChannels = try c.int("out_channels", min: 1)
        sampleSize = try UNet2DModel.sampleSize(c)
        centerInput = try c.bool("center_input_sample")
        flipSinToCos = try c.bool("flip_sin_to_cos")
        freqShift = Float(try c.number("freq_shift"))
        // act_fn is the resnets' activation; the embeddings and the output keep SiLU, as in diffusers.
        let act = ActivationFunction(try c.choice("act_fn", ActivationFunction.names))
        let channels = try c.intList("block_out_channels")
        let downTypes = try c.stringList("down_block_types"), upTypes = try c.stringList("up_block_types")
        for (key, types) in [("down_block_types", downTypes), ("up_block_types", upTypes)] where types.count != channels.count {
            throw c.fail(key, "has \(types.count) entries but block_out_channels has \(channels.count)")
        }
        for (i, t) in downTypes.enumerated() where !["DownBlock2D", "AttnDownBlock2D"].contains(t) {
            throw c.fail("down_block_types", "entry \(i) '\(t)' is not supported (DownBlock2D, AttnDownBlock2D)")
        }
        for (i, t) in upTypes.enumerated() where !["UpBlock2D", "AttnUpBlock2D"].contains(t) {
            throw c.fail("up_block_types", "entry \(i) '\(t)' is not supported (UpBlock2D, AttnUpBlock2D)")
        }
        let midType = try c.optionalString("mid_block_type")
        if let midType, midType != "UNetMidBlock2D" {
            throw c.fail("mid_block_type", "is '\(midType)'; supported: 'UNetMidBlock2D' or nil")
        }
        let layers = try c.int("layers_per_block", min: 1)
        let groups = try c.int("norm_num_groups", min: 1)
        let attnGroups = try c.optionalInt("attn_norm_num_groups")
        for ch in channels where ch % groups != 0 {
            throw c.fail("norm_num_groups", "(\(groups)) does not divide block_out_channels entry \(ch)")
        }
        // Only the blocks with attention split their channels into heads (the up blocks run over the
        // channels in reverse; the mid block, at the last entry, has attention unless add_attention is false).
        let headDim = try c.optionalInt("attention_head_dim")
        if let headDim {
            let upChannels = Array(channels.reversed())
            let midAttention = try midType != nil && c.bool("add_attention")
            let attended = downTypes.indices.filter { downTypes[$0] == "AttnDownBlock2D" }.map { channels[$0] }
                + upTypes.indices.filter { upTypes[$0] == "AttnUpBlock2D" }.map { upChannels[$0] }
                + (midAttention ? Array(channels.suffix(1)) : [])
            for ch in attended where ch % headDim != 0 {
                throw c.fail("attention_head_dim", "(\(headDim)) does not divide block_out_channels entry \(ch) of a block with attention")
            }
        }
        let scaleShift = try c.choice("resnet_time_scale_shift", ["default", "scale_shift"]) == "scale_shift"
        let eps = Float(try c.number("norm_eps"))
        let timeDim = try c.optionalInt("time_embedding_dim") ?? 4 * channels[0]
        classEmbedding = try ClassEmbedding(config: c, inDim: channels[0], dim: timeDim, generator: generator)
        let padding = try c.int("downsample_padding")
        guard padding <= 1 else { throw c.fail("downsample_padding", "must be 0 or 1, got \(padding)") }
        downFactor = 1 << (channels.count - 1)

        let s = BlockSettings(eps: eps, groups: groups, act: act, scaleShift: scaleShift, tembChannels: timeDim, generator: generator)
        convIn = try Conv2d(inChannels, channels[0], kernelSize: 3, padding: 1, generator: generator)
        timeEmbedding = try TimestepEmbedding(inDim: channels[0], dim: timeDim, generator: generator)
        var down: [DownBlock2D] = []
        var output = channels[0]
        for (i, type) in downTypes.enumerated() {
            let input = output
            output = channels[i]
            down.append(try DownBlock2D(kind: type, layers: layers, inChannels: input, outChannels: output,
                                        attention: type == "AttnDownBlock2D" ? UNet2DModel.attention(headDim, s) : nil,
                                        addDownsample: i < channels.count - 1, downsamplePadding: padding, s))
        }
        downBlocks = down
        let midScale = Float(try c.number("mid_block_scale_factor"))
        let midChannels = channels[channels.count - 1]
        midBlock = try midType.map { _ in
            // diffusers' rule: the mid attention's group norm follows attn_norm_num_groups, else the resnets'
            // groups, and is absent with scale_shift.
            let dim = headDim ?? midChannels, attnNorm = attnGroups ?? (scaleShift ? nil : groups)
            let attention: AttentionFactory? = try c.bool("add_attention") ? { ch in
                try SpatialAttention(channels: ch, heads: ch / dim, dimHead: dim, groups: attnNorm, eps: eps, rescale: midScale,
                                     generator: generator)
            } : nil
            return try UNetMidBlock2D(channels: midChannels, attention: attention, outputScaleFactor: midScale, s)
        }
        let reversed = Array(channels.reversed())
        var up: [UpBlock2D] = []
        output = reversed[0]
        for (i, type) in upTypes.enumerated() {
            let prev = output
            output = reversed[i]
            let input = reversed[min(i + 1, channels.count - 1)]
            up.append(try UpBlock2D(kind: type, layers: layers + 1, inChannels: input, prevOutputChannels: prev,
                                    outChannels: output, attention: type == "AttnUpBlock2D" ? UNet2DModel.attention(headDim, s) : nil,
                                    addUpsample: i < channels.count - 1, s))
        }
        upBlocks = up
        convNormOut = try GroupNorm(groups, channels[0], eps: eps)
        convOut = try Conv2d(channels[0], outChannels, kernelSize: 3, padding: 1, generator: generator)
        super.init()
        registerBlocks(convIn: convIn, timeEmbedding: timeEmbedding, classEmbedding: classEmbedding?.module,
                       down: downBlocks, up: upBlocks, mid: midBlock, convNormOut: convNormOut, convOut: convOut)
    }

    /// The attention of `AttnDownBlock2D` / `AttnUpBlock2D`: heads of `headDim` (one head when nil).
    static func attention(_ headDim: Int?, _ s: BlockSettings) -> AttentionFactory {
        { channels in
            let dim = headDim ?? channels
            return try SpatialAttention(channels: channels, heads: channels / dim, dimHead: dim, groups: s.groups, eps: s.eps,
                                        generator: s.generator)
        }
    }

    /// `sample_size`: nil, one size, or [height, width], as [height, width] (the size pipelines sample;
    /// the model itself takes inputs of any fitting size).
    static func sampleSize(_ c: ModelConfig) throws -> [Int]? {
        switch c["sample_size"] {
        case .null: return nil
        case .list(let items):
            guard items.count == 2 else { throw c.fail("sample_size", "must be a size or [height, width]") }
            return try c.intList("sample_size")
        default:
            let size = try c.int("sample_size", min: 1)
            return [size, size]
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("UNet2DModel is called with a sample and timesteps: model(x, t)")
    }

    /// The noise prediction for `x` [N, C, H, W] at timesteps `t` (one value, or one per sample), with
    /// `classLabels` for a class-conditional model (one per sample, or one for all).
    public func forward(_ x: Tensor, t: Tensor, classLabels: Tensor? = nil) throws -> Tensor {
        guard x.rank == 4 else { throw DiffusionError("unet: input must be [N, C, H, W], got shape \(x.shape)") }
        guard x.shape[1] == inChannels else {
            throw DiffusionError("unet: input has \(x.shape[1]) channels, the model expects in_channels = \(inChannels)")
        }
        guard x.shape[2] % downFactor == 0, x.shape[3] % downFactor == 0, x.shape[2] > 0, x.shape[3] > 0 else {
            throw DiffusionError("unet: input size \(x.shape[2])×\(x.shape[3]) must be a multiple of \(downFactor) (one halving per block but the last)")
        }
        let emb = try UNetTime(embedding: timeEmbedding, classes: classEmbedding, dim: convIn.outChannels, flipSinToCos: flipSinToCos,
                               freqShift: freqShift, owner: "unet").embed(t, batch: x.shape[0], classLabels: classLabels)
        var h = try convIn(centerInput ? x.mul(2).sub(1) : x)
        var skips = [h]
        for block in downBlocks {
            let (out, states) = try block.forward(h, temb: emb)
            h = out
            skips += states
        }
        if let midBlock { h = try midBlock.forward(h, temb: emb) }
        for block in upBlocks { h = try block.forward(h, skips: &skips, temb: emb) }
        return try convOut(convNormOut.forward(h, silu: true))
    }
}
