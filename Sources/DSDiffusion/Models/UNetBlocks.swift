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

/// diffusers' `DownBlock2D` / `AttnDownBlock2D` / `DownEncoderBlock2D`: `layers` resnets (each
/// followed by attention in the `Attn` kind), then a stride-2 downsampler unless it is the last block.
/// Returns the output and every intermediate state, for the UNet's skip connections.
final class DownBlock2D: Module {
    let kind: String
    let resnets: [ResnetBlock2D], attentions: [SpatialAttention], downsampler: Downsample2D?

    init(kind: String, layers: Int, inChannels: Int, outChannels: Int, attention: Bool, attentionHeadDim: Int,
         addDownsample: Bool, downsamplePadding: Int, _ s: BlockSettings) throws {
        self.kind = kind
        resnets = try (0..<layers).map { i in
            try ResnetBlock2D(inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels,
                              tembChannels: s.tembChannels, groups: s.groups, eps: s.eps, scaleShift: s.scaleShift,
                              act: s.act, generator: s.generator)
        }
        attentions = attention ? try (0..<layers).map { _ in
            try SpatialAttention(channels: outChannels, heads: outChannels / attentionHeadDim, dimHead: attentionHeadDim,
                                 groups: s.groups, eps: s.eps, generator: s.generator)
        } : []
        downsampler = addDownsample ? try Downsample2D(channels: outChannels, padding: downsamplePadding, generator: s.generator) : nil
        super.init()
        if !attentions.isEmpty { registerModule("attentions", ModuleList(attentions)) }
        registerModule("resnets", ModuleList(resnets))
        if let downsampler { registerModule("downsamplers", ModuleList([downsampler])) }
    }

    override var typeName: String { kind }

    func forward(_ x: Tensor, temb: Tensor?) throws -> (Tensor, [Tensor]) {
        var h = x
        var states: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = try resnet.forward(h, temb: temb)
            if !attentions.isEmpty { h = try attentions[i](h) }
            states.append(h)
        }
        if let downsampler {
            h = try downsampler(h)
            states.append(h)
        }
        return (h, states)
    }
}

/// diffusers' `UpBlock2D` / `AttnUpBlock2D` (with skip connections: resnet i takes the previous
/// output concatenated with a stored state) and `UpDecoderBlock2D` (no skips, `prevOutputChannels` nil);
/// nearest ×2 upsampler unless it is the last block.
final class UpBlock2D: Module {
    let kind: String
    let resnets: [ResnetBlock2D], attentions: [SpatialAttention], upsampler: Upsample2D?
    let usesSkips: Bool

    init(kind: String, layers: Int, inChannels: Int, prevOutputChannels: Int?, outChannels: Int, attention: Bool,
         attentionHeadDim: Int, addUpsample: Bool, _ s: BlockSettings) throws {
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
        attentions = attention ? try (0..<layers).map { _ in
            try SpatialAttention(channels: outChannels, heads: outChannels / attentionHeadDim, dimHead: attentionHeadDim,
                                 groups: s.groups, eps: s.eps, generator: s.generator)
        } : []
        upsampler = addUpsample ? try Upsample2D(channels: outChannels, generator: s.generator) : nil
        super.init()
        if !attentions.isEmpty { registerModule("attentions", ModuleList(attentions)) }
        registerModule("resnets", ModuleList(resnets))
        if let upsampler { registerModule("upsamplers", ModuleList([upsampler])) }
    }

    override var typeName: String { kind }

    /// Consumes one state per resnet from the end of `skips` (UNet) or none (decoder).
    func forward(_ x: Tensor, skips: inout [Tensor], temb: Tensor?) throws -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            if usesSkips, let skip = skips.popLast() { h = try Tensor.cat([h, skip], axis: 1) }
            h = try resnet.forward(h, temb: temb)
            if !attentions.isEmpty { h = try attentions[i](h) }
        }
        if let upsampler { h = try upsampler(h) }
        return h
    }
}

/// diffusers' `UNetMidBlock2D`: resnet, attention (optional), resnet, at constant channels.
/// The attention's group norm is absent when `attnGroups` is nil (diffusers' rule for `scale_shift`).
final class UNetMidBlock2D: Module {
    let resnets: [ResnetBlock2D], attention: SpatialAttention?

    init(channels: Int, attentionHeadDim: Int, attnGroups: Int?, addAttention: Bool, outputScaleFactor: Float,
         _ s: BlockSettings) throws {
        resnets = try (0..<2).map { _ in
            try ResnetBlock2D(inChannels: channels, outChannels: channels, tembChannels: s.tembChannels, groups: s.groups,
                              eps: s.eps, scaleShift: s.scaleShift, outputScaleFactor: outputScaleFactor, act: s.act,
                              generator: s.generator)
        }
        attention = addAttention ? try SpatialAttention(channels: channels, heads: channels / attentionHeadDim,
                                                        dimHead: attentionHeadDim, groups: attnGroups, eps: s.eps,
                                                        rescale: outputScaleFactor, generator: s.generator) : nil
        super.init()
        if let attention { registerModule("attentions", ModuleList([attention])) }
        registerModule("resnets", ModuleList(resnets))
    }

    override var typeName: String { "UNetMidBlock2D" }

    func forward(_ x: Tensor, temb: Tensor?) throws -> Tensor {
        var h = try resnets[0].forward(x, temb: temb)
        if let attention { h = try attention(h) }
        return try resnets[1].forward(h, temb: temb)
    }
}
