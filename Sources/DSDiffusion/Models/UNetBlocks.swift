import DSEngine

/// Settings shared by every block of one model (diffusers passes them to each `get_*_block`).
struct BlockSettings {
    var eps: Float
    var groups: Int
    var act: ActivationFunction
    var scaleShift: Bool = false
    var tembChannels: Int?
    var generator: RandomGenerator
}

/// An attention layer inside a UNet block: `SpatialAttention` (self-attention over the pixels) or a
/// `Transformer2DModel`, which also attends to a context (`encoder_hidden_states`).
protocol BlockAttention: Module {
    func forward(_ x: Tensor, context: Tensor?) throws -> Tensor
}

extension SpatialAttention: BlockAttention {
    func forward(_ x: Tensor, context: Tensor?) throws -> Tensor { try forward(x) }
}

extension Module {
    /// Registers the parts of a diffusers UNet or VAE coder under diffusers' names and in its order;
    /// the parts a model lacks are nil.
    func registerBlocks(convIn: Conv2d, timeEmbedding: Module? = nil, classEmbedding: Module? = nil,
                        down: [DownBlock2D]? = nil, up: [UpBlock2D]? = nil, mid: UNetMidBlock2D?,
                        convNormOut: GroupNorm, convOut: Conv2d) {
        registerModule("conv_in", convIn)
        if let timeEmbedding { registerModule("time_embedding", timeEmbedding) }
        if let classEmbedding { registerModule("class_embedding", classEmbedding) }
        if let down { registerModule("down_blocks", ModuleList(down)) }
        if let up { registerModule("up_blocks", ModuleList(up)) }
        if let mid { registerModule("mid_block", mid) }
        registerModule("conv_norm_out", convNormOut)
        registerModule("conv_out", convOut)
    }
}

/// Makes the attention layer that follows a resnet of `channels` output channels.
typealias AttentionFactory = (_ channels: Int) throws -> any BlockAttention

/// diffusers' `DownBlock2D` / `AttnDownBlock2D` / `CrossAttnDownBlock2D` / `DownEncoderBlock2D`:
/// `layers` resnets (each followed by an attention layer when `attention` makes one), then a stride-2
/// downsampler unless it is the last block. Returns the output and every intermediate state, for the
/// UNet's skip connections.
final class DownBlock2D: Module {
    let kind: String
    let resnets: [ResnetBlock2D], attentions: [any BlockAttention], downsampler: Downsample2D?

    init(kind: String, layers: Int, inChannels: Int, outChannels: Int, attention: AttentionFactory?,
         addDownsample: Bool, downsamplePadding: Int, _ s: BlockSettings) throws {
        self.kind = kind
        resnets = try (0..<layers).map { i in
            try ResnetBlock2D(inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels,
                              tembChannels: s.tembChannels, groups: s.groups, eps: s.eps, scaleShift: s.scaleShift,
                              act: s.act, generator: s.generator)
        }
        attentions = try attention.map { make in try (0..<layers).map { _ in try make(outChannels) } } ?? []
        downsampler = addDownsample ? try Downsample2D(channels: outChannels, padding: downsamplePadding, generator: s.generator) : nil
        super.init()
        if !attentions.isEmpty { registerModule("attentions", ModuleList(attentions)) }
        registerModule("resnets", ModuleList(resnets))
        if let downsampler { registerModule("downsamplers", ModuleList([downsampler])) }
    }

    override var typeName: String { kind }

    func forward(_ x: Tensor, temb: Tensor?, context: Tensor? = nil) throws -> (Tensor, [Tensor]) {
        var h = x
        var states: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = try resnet.forward(h, temb: temb)
            if !attentions.isEmpty { h = try attentions[i].forward(h, context: context) }
            states.append(h)
        }
        if let downsampler {
            h = try downsampler(h)
            states.append(h)
        }
        return (h, states)
    }
}

/// diffusers' `UpBlock2D` / `AttnUpBlock2D` / `CrossAttnUpBlock2D` (with skip connections: resnet i
/// takes the previous output concatenated with a stored state) and `UpDecoderBlock2D` (no skips,
/// `prevOutputChannels` nil); nearest ×2 upsampler unless it is the last block.
final class UpBlock2D: Module {
    let kind: String
    let resnets: [ResnetBlock2D], attentions: [any BlockAttention], upsampler: Upsample2D?
    let usesSkips: Bool

    init(kind: String, layers: Int, inChannels: Int, prevOutputChannels: Int?, outChannels: Int, attention: AttentionFactory?,
         addUpsample: Bool, _ s: BlockSettings) throws {
        self.kind = kind
        usesSkips = prevOutputChannels != nil
        resnets = try (0..<layers).map { i in
            let input: Int
            if let prev = prevOutputChannels {
                input = (i == 0 ? prev : outChannels) + (i == layers - 1 ? inChannels : outChannels)
            } else {
                input = i == 0 ? inChannels : outChannels
            }
            return try ResnetBlock2D(inChannels: input, outChannels: outChannels, tembChannels: s.tembChannels,
                                     groups: s.groups, eps: s.eps, scaleShift: s.scaleShift, act: s.act, generator: s.generator)
        }
        attentions = try attention.map { make in try (0..<layers).map { _ in try make(outChannels) } } ?? []
        upsampler = addUpsample ? try Upsample2D(channels: outChannels, generator: s.generator) : nil
        super.init()
        if !attentions.isEmpty { registerModule("attentions", ModuleList(attentions)) }
        registerModule("resnets", ModuleList(resnets))
        if let upsampler { registerModule("upsamplers", ModuleList([upsampler])) }
    }

    override var typeName: String { kind }

    /// Consumes one state per resnet from the end of `skips` (UNet) or none (decoder).
    func forward(_ x: Tensor, skips: inout [Tensor], temb: Tensor?, context: Tensor? = nil) throws -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            if usesSkips, let skip = skips.popLast() { h = try Tensor.cat([h, skip], axis: 1) }
            h = try resnet.forward(h, temb: temb)
            if !attentions.isEmpty { h = try attentions[i].forward(h, context: context) }
        }
        if let upsampler { h = try upsampler(h) }
        return h
    }
}

/// diffusers' `UNetMidBlock2D` and `UNetMidBlock2DCrossAttn`: resnet, attention (optional), resnet,
/// at constant channels (the attention is made after the resnets, as diffusers initialises them).
final class UNetMidBlock2D: Module {
    let kind: String
    let resnets: [ResnetBlock2D], attention: (any BlockAttention)?

    init(kind: String = "UNetMidBlock2D", channels: Int, attention: AttentionFactory?, outputScaleFactor: Float,
         _ s: BlockSettings) throws {
        self.kind = kind
        resnets = try (0..<2).map { _ in
            try ResnetBlock2D(inChannels: channels, outChannels: channels, tembChannels: s.tembChannels, groups: s.groups,
                              eps: s.eps, scaleShift: s.scaleShift, outputScaleFactor: outputScaleFactor, act: s.act,
                              generator: s.generator)
        }
        self.attention = try attention?(channels)
        super.init()
        if let attention = self.attention { registerModule("attentions", ModuleList([attention])) }
        registerModule("resnets", ModuleList(resnets))
    }

    override var typeName: String { kind }

    func forward(_ x: Tensor, temb: Tensor?, context: Tensor? = nil) throws -> Tensor {
        var h = try resnets[0].forward(x, temb: temb)
        if let attention { h = try attention.forward(h, context: context) }
        return try resnets[1].forward(h, temb: temb)
    }
}
