import DSEngine

/// diffusers' `UNet2DConditionModel` (`models/unets/unet_2d_condition.py`), the UNet of Stable
/// Diffusion and other text- or image-conditioned pipelines: same configuration keys and defaults,
/// same parameter names, same output for `model(x, t, encoder_hidden_states: context)` with the context
/// given as a tensor [N, M, cross_attention_dim].
///
/// Supported: `CrossAttnDownBlock2D` / `DownBlock2D`, `CrossAttnUpBlock2D` / `UpBlock2D`,
/// `UNetMidBlock2DCrossAttn` or no mid block, `Transformer2DModel` with GEGLU feed-forward (conv or
/// linear projections), per-block `layers_per_block`, `attention_head_dim`,
/// `cross_attention_dim` and `transformer_layers_per_block`, `default` / `scale_shift` time
/// conditioning, class labels as in `UNet2DModel`, any odd `conv_in_kernel` / `conv_out_kernel`.
/// Every other setting (added text-time embeddings, encoder projections, dual cross-attention, other
/// block types, ...) is refused at construction, naming its key. As in diffusers, `attention_head_dim`
/// gives the number of heads (diffusers refuses `num_attention_heads`). `upcast_attention` changes nothing
/// here (dscript computes in float32).
public final class UNet2DConditionModel: Module {
    public let config: ModelConfig
    public let inChannels: Int, sampleSize: [Int]?, crossAttentionDims: [Int]
    let convIn: Conv2d, timeEmbedding: TimestepEmbedding, downBlocks: [DownBlock2D], midBlock: UNetMidBlock2D?
    let upBlocks: [UpBlock2D], convNormOut: GroupNorm, convOut: Conv2d, classEmbedding: ClassEmbedding?
    let flipSinToCos: Bool, freqShift: Float, centerInput: Bool, act: ActivationFunction, downFactor: Int

    public override var typeName: String { "UNet2DConditionModel" }

    /// diffusers' defaults, in its order.
    public static let defaults: [(String, ConfigValue)] = [
        ("sample_size", .null), ("in_channels", .number(4)), ("out_channels", .number(4)), ("center_input_sample", .bool(false)),
        ("flip_sin_to_cos", .bool(true)), ("freq_shift", .number(0)),
        ("down_block_types", strings(["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])),
        ("mid_block_type", .string("UNetMidBlock2DCrossAttn")),
        ("up_block_types", strings(["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"])),
        ("only_cross_attention", .bool(false)), ("block_out_channels", .list([320, 640, 1280, 1280].map { .number($0) })),
        ("layers_per_block", .number(2)), ("downsample_padding", .number(1)), ("mid_block_scale_factor", .number(1)),
        ("dropout", .number(0)), ("act_fn", .string("silu")), ("norm_num_groups", .number(32)), ("norm_eps", .number(1e-5)),
        ("cross_attention_dim", .number(1280)), ("transformer_layers_per_block", .number(1)),
        ("reverse_transformer_layers_per_block", .null), ("encoder_hid_dim", .null), ("encoder_hid_dim_type", .null),
        ("attention_head_dim", .number(8)), ("num_attention_heads", .null), ("dual_cross_attention", .bool(false)),
        ("use_linear_projection", .bool(false)), ("class_embed_type", .null), ("addition_embed_type", .null),
        ("addition_time_embed_dim", .null), ("num_class_embeds", .null), ("upcast_attention", .bool(false)),
        ("resnet_time_scale_shift", .string("default")), ("resnet_skip_time_act", .bool(false)),
        ("resnet_out_scale_factor", .number(1)), ("time_embedding_type", .string("positional")), ("time_embedding_dim", .null),
        ("time_embedding_act_fn", .null), ("timestep_post_act", .null), ("time_cond_proj_dim", .null),
        ("conv_in_kernel", .number(3)), ("conv_out_kernel", .number(3)), ("projection_class_embeddings_input_dim", .null),
        ("attention_type", .string("default")), ("class_embeddings_concat", .bool(false)),
        ("mid_block_only_cross_attention", .null), ("cross_attention_norm", .null), ("addition_embed_type_num_heads", .number(64)),
    ]

    static func strings(_ items: [String]) -> ConfigValue { .list(items.map(ConfigValue.string)) }

    /// Keys that must keep the value dscript implements, with what the other values would need.
    static let fixedKeys: [(String, ConfigValue, String)] = [
        ("only_cross_attention", .bool(false), "self-attention layers replaced by cross-attention are not implemented"),
        ("dropout", .number(0), "dropout is not implemented"),
        ("reverse_transformer_layers_per_block", .null, "per-layer transformer depths are not implemented"),
        ("encoder_hid_dim", .null, "encoder projections are not implemented"),
        ("encoder_hid_dim_type", .null, "encoder projections are not implemented"),
        ("dual_cross_attention", .bool(false), "dual cross-attention is not implemented"),
        ("addition_embed_type", .null, "added text/time embeddings (SDXL's text_time) are not implemented"),
        ("resnet_skip_time_act", .bool(false), "skipping the time activation is not implemented"),
        ("time_embedding_type", .string("positional"), "fourier time embeddings are not implemented"),
        ("time_embedding_act_fn", .null, "a time-embedding activation is not implemented"),
        ("timestep_post_act", .null, "a post-activation of the time embedding is not implemented"),
        ("time_cond_proj_dim", .null, "timestep conditioning projections are not implemented"),
        ("projection_class_embeddings_input_dim", .null, "projected class embeddings are not implemented"),
        ("attention_type", .string("default"), "gated attention is not implemented"),
        ("num_attention_heads", .null, "diffusers refuses it too (a naming issue): attention_head_dim gives the number of heads"),
        ("class_embeddings_concat", .bool(false), "concatenated class embeddings are not implemented"),
        ("cross_attention_norm", .null, "a cross-attention norm is not implemented"),
    ]

    public convenience init(config given: [(String, ConfigValue)], generator: RandomGenerator) throws {
        try self.init(config: try ModelConfig(owner: "unet_2d_condition", defaults: UNet2DConditionModel.defaults, given: given),
                      generator: generator)
    }

    public init(config c: ModelConfig, generator: RandomGenerator) throws {
        config = c
        for (key, value, note) in UNet2DConditionModel.fixedKeys { try c.requireDefault(key, value, note) }
        if case .bool(true) = c["mid_block_only_cross_attention"] {
            throw c.fail("mid_block_only_cross_attention", "is true; only false or null is supported (cross-attention-only mid blocks are not implemented)")
        }
        inChannels = try c.int("in_channels", min: 1)
        let outChannels = try c.int("out_channels", min: 1)
        sampleSize = try UNet2DModel.sampleSize(c)
        centerInput = try c.bool("center_input_sample")
        flipSinToCos = try c.bool("flip_sin_to_cos")
        freqShift = Float(try c.number("freq_shift"))
        act = ActivationFunction(try c.choice("act_fn", ActivationFunction.names))
        let channels = try c.intList("block_out_channels"), n = channels.count
        let downTypes = try c.stringList("down_block_types"), upTypes = try c.stringList("up_block_types")
        for (key, types, allowed) in [("down_block_types", downTypes, ["CrossAttnDownBlock2D", "DownBlock2D"]),
                                      ("up_block_types", upTypes, ["CrossAttnUpBlock2D", "UpBlock2D"])] {
            guard types.count == n else { throw c.fail(key, "has \(types.count) entries but block_out_channels has \(n)") }
            for (i, t) in types.enumerated() where !allowed.contains(t) {
                throw c.fail(key, "entry \(i) '\(t)' is not supported (\(allowed.joined(separator: ", ")))")
            }
        }
        let midType = try c.optionalString("mid_block_type")
        if let midType, midType != "UNetMidBlock2DCrossAttn" {
            throw c.fail("mid_block_type", "is '\(midType)'; supported: 'UNetMidBlock2DCrossAttn' or nil")
        }
        let layers = try c.perBlock("layers_per_block", n)
        let heads = try c.perBlock("attention_head_dim", n)
        crossAttentionDims = try c.perBlock("cross_attention_dim", n)
        let depths = try c.perBlock("transformer_layers_per_block", n)
        for (i, ch) in channels.enumerated() where ch % heads[i] != 0 {
            throw c.fail("attention_head_dim", "(\(heads[i]) heads) does not divide block_out_channels entry \(ch)")
        }
        let groups = try c.int("norm_num_groups", min: 1)
        for ch in channels where ch % groups != 0 {
            throw c.fail("norm_num_groups", "(\(groups)) does not divide block_out_channels entry \(ch)")
        }
        let eps = Float(try c.number("norm_eps"))
        let scaleShift = try c.choice("resnet_time_scale_shift", ["default", "scale_shift"]) == "scale_shift"
        let timeDim = try c.optionalInt("time_embedding_dim") ?? 4 * channels[0]
        let padding = try c.int("downsample_padding")
        guard padding <= 1 else { throw c.fail("downsample_padding", "must be 0 or 1, got \(padding)") }
        let (kernelIn, kernelOut) = (try c.int("conv_in_kernel", min: 1), try c.int("conv_out_kernel", min: 1))
        for (key, k) in [("conv_in_kernel", kernelIn), ("conv_out_kernel", kernelOut)] where k % 2 == 0 {
            throw c.fail(key, "must be odd, got \(k)")
        }
        let linear = try c.bool("use_linear_projection")
        _ = try c.bool("upcast_attention")
        downFactor = 1 << (n - 1)

        let s = BlockSettings(eps: eps, groups: groups, act: act, scaleShift: scaleShift, tembChannels: timeDim, generator: generator)
        let contextDims = crossAttentionDims
        /// The Transformer2DModel after each resnet of a cross-attention block.
        func transformer(_ block: Int) -> AttentionFactory {
            { ch in
                try Transformer2DModel(channels: ch, heads: heads[block], dimHead: ch / heads[block], layers: depths[block],
                                       contextDim: contextDims[block], groups: groups, linearProjection: linear,
                                       generator: generator)
            }
        }
        convIn = try Conv2d(inChannels, channels[0], kernelSize: kernelIn, padding: (kernelIn - 1) / 2, generator: generator)
        timeEmbedding = try TimestepEmbedding(inDim: channels[0], dim: timeDim, act: act, generator: generator)
        classEmbedding = try ClassEmbedding(config: c, inDim: channels[0], dim: timeDim, act: act, generator: generator)
        var down: [DownBlock2D] = []
        var output = channels[0]
        for (i, type) in downTypes.enumerated() {
            let input = output
            output = channels[i]
            down.append(try DownBlock2D(kind: type, layers: layers[i], inChannels: input, outChannels: output,
                                        attention: type == "CrossAttnDownBlock2D" ? transformer(i) : nil,
                                        addDownsample: i < n - 1, downsamplePadding: padding, s))
        }
        downBlocks = down
        midBlock = try midType.map { _ in
            try UNetMidBlock2D(kind: "UNetMidBlock2DCrossAttn", channels: channels[n - 1], attention: transformer(n - 1),
                               outputScaleFactor: Float(try c.number("mid_block_scale_factor")), s)
        }
        var up: [UpBlock2D] = []
        output = channels[n - 1]
        for (i, type) in upTypes.enumerated() {
            let block = n - 1 - i
            let prev = output
            output = channels[block]
            let input = channels[max(block - 1, 0)]
            up.append(try UpBlock2D(kind: type, layers: layers[block] + 1, inChannels: input, prevOutputChannels: prev,
                                    outChannels: output, attention: type == "CrossAttnUpBlock2D" ? transformer(block) : nil,
                                    addUpsample: i < n - 1, s))
        }
        upBlocks = up
        convNormOut = try GroupNorm(groups, channels[0], eps: eps)
        convOut = try Conv2d(channels[0], outChannels, kernelSize: kernelOut, padding: (kernelOut - 1) / 2, generator: generator)
        super.init()
        registerBlocks(convIn: convIn, timeEmbedding: timeEmbedding, classEmbedding: classEmbedding?.module,
                       down: downBlocks, up: upBlocks, mid: midBlock, convNormOut: convNormOut, convOut: convOut)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("UNet2DConditionModel is called with a sample, timesteps and a context: model(x, t, encoder_hidden_states: c)")
    }

    /// The prediction for `x` [N, C, H, W] at timesteps `t` given `context` [N, M, cross_attention_dim]
    /// (diffusers' `encoder_hidden_states`), with `classLabels` for a class-conditional model.
    public func forward(_ x: Tensor, t: Tensor, context: Tensor, classLabels: Tensor? = nil) throws -> Tensor {
        let owner = "unet_2d_condition"
        guard x.rank == 4, x.shape[1] == inChannels else {
            throw DiffusionError("\(owner): input must be [N, \(inChannels), H, W], got shape \(x.shape)")
        }
        guard x.shape[2] > 0, x.shape[3] > 0, x.shape[2] % downFactor == 0, x.shape[3] % downFactor == 0 else {
            throw DiffusionError("\(owner): input size \(x.shape[2])×\(x.shape[3]) must be a multiple of \(downFactor) (one halving per block but the last)")
        }
        let n = x.shape[0]
        let widths = Set(crossAttentionDims)
        guard context.rank == 3, context.shape[0] == n, context.shape[1] >= 1, widths.count == 1, context.shape[2] == crossAttentionDims[0] else {
            throw DiffusionError("\(owner): encoder_hidden_states must be [\(n), tokens, \(crossAttentionDims[0])], got shape \(context.shape)")
        }
        let emb = try UNetTime(embedding: timeEmbedding, classes: classEmbedding, dim: convIn.outChannels, flipSinToCos: flipSinToCos,
                               freqShift: freqShift, owner: owner).embed(t, batch: n, classLabels: classLabels)
        var h = try convIn(centerInput ? x.mul(2).sub(1) : x)
        var skips = [h]
        for block in downBlocks {
            let (out, states) = try block.forward(h, temb: emb, context: context)
            h = out
            skips += states
        }
        if let midBlock { h = try midBlock.forward(h, temb: emb, context: context) }
        for block in upBlocks { h = try block.forward(h, skips: &skips, temb: emb, context: context) }
        return try convOut(act.normalized(h, by: convNormOut))
    }
}

extension ModelConfig {
    /// A key that holds one integer for every block, or a list of one per block.
    func perBlock(_ key: String, _ count: Int) throws -> [Int] {
        if case .list = self[key] {
            let values = try intList(key)
            guard values.count == count else { throw fail(key, "has \(values.count) entries for \(count) blocks") }
            return values
        }
        return [Int](repeating: try int(key, min: 1), count: count)
    }
}
