import DSEngine

/// Submodules named `0`, `1`, ... (torch's `nn.ModuleList`); holds, never calls.
public final class ModuleList: Module {
    public init(_ modules: [Module]) {
        super.init()
        for (i, m) in modules.enumerated() { registerModule(String(i), m) }
    }

    public var items: [Module] { children.map { $0.module } }
}

/// An activation chosen by diffusers' `act_fn` name (`get_activation`).
struct ActivationFunction {
    let apply: (Tensor) -> Tensor
    /// SiLU, which fuses into a preceding group norm.
    let isSiLU: Bool

    static let names = ["silu", "swish", "relu", "gelu"]

    init(_ name: String) {
        isSiLU = name == "silu" || name == "swish"
        switch name {
        case "relu": apply = { $0.relu() }
        case "gelu": apply = { $0.gelu() }
        default: apply = { $0.silu() }
        }
    }

    /// act(norm(x)): one fused pass when the activation is SiLU.
    func normalized(_ x: Tensor, by norm: GroupNorm) throws -> Tensor {
        isSiLU ? try norm.forward(x, silu: true) : apply(try norm(x))
    }
}

/// diffusers' `ResnetBlock2D` (`models/resnet.py`), pre-norm, no up/down-sampling:
/// `h = conv1(act(norm1(x)))`, `h += time_emb_proj(act(temb))` (or, with `scale_shift`,
/// `norm2(h)·(1 + scale) + shift`), `h = conv2(act(norm2(h)))`, output `(shortcut(x) + h) / factor`.
public final class ResnetBlock2D: Module {
    let norm1: GroupNorm, conv1: Conv2d, timeEmbProj: Linear?, norm2: GroupNorm, conv2: Conv2d
    let convShortcut: Conv2d?
    let scaleShift: Bool, outputScaleFactor: Float, act: ActivationFunction
    public let inChannels: Int, outChannels: Int

    init(inChannels: Int, outChannels: Int, tembChannels: Int?, groups: Int, eps: Float, scaleShift: Bool = false,
         outputScaleFactor: Float = 1, act: ActivationFunction, generator: RandomGenerator) throws {
        (self.inChannels, self.outChannels) = (inChannels, outChannels)
        (self.scaleShift, self.outputScaleFactor, self.act) = (scaleShift, outputScaleFactor, act)
        norm1 = try GroupNorm(groups, inChannels, eps: eps)
        conv1 = try Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, generator: generator)
        timeEmbProj = try tembChannels.map { try Linear($0, scaleShift ? 2 * outChannels : outChannels, generator: generator) }
        norm2 = try GroupNorm(groups, outChannels, eps: eps)
        conv2 = try Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, generator: generator)
        convShortcut = inChannels == outChannels ? nil
            : try Conv2d(inChannels, outChannels, kernelSize: 1, generator: generator)
        super.init()
        registerModule("norm1", norm1)
        registerModule("conv1", conv1)
        if let timeEmbProj { registerModule("time_emb_proj", timeEmbProj) }
        registerModule("norm2", norm2)
        registerModule("conv2", conv2)
        if let convShortcut { registerModule("conv_shortcut", convShortcut) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try forward(x, temb: nil) }

    func forward(_ x: Tensor, temb: Tensor?) throws -> Tensor {
        try Engine.checkInterrupt()   // a Ctrl-C stops a network within one block
        var h = try conv1(act.normalized(x, by: norm1))
        var scale: Tensor? = nil, shift: Tensor? = nil
        if let timeEmbProj, let temb {
            let e = try timeEmbProj(act.apply(temb))
            let n = e.shape[0]
            if scaleShift {
                scale = try e.slice(axis: 1, start: 0, stop: outChannels).reshape([n, outChannels, 1, 1])
                shift = try e.slice(axis: 1, start: outChannels, stop: 2 * outChannels).reshape([n, outChannels, 1, 1])
            } else {
                h = try h.add(e.reshape([n, outChannels, 1, 1]))
            }
        }
        if let scale, let shift {
            h = try conv2(act.apply(norm2(h).mul(scale.add(1)).add(shift)))
        } else {
            h = try conv2(act.normalized(h, by: norm2))
        }
        let skip = try convShortcut.map { try $0(x) } ?? x
        let out = try skip.add(h)
        return outputScaleFactor == 1 ? out : try out.div(outputScaleFactor)
    }
}

/// diffusers' `Downsample2D` with a convolution: 3×3, stride 2; with `padding: 0` the input is first
/// padded by one row and column at the bottom and right (`F.pad(x, (0, 1, 0, 1))`).
public final class Downsample2D: Module {
    let conv: Conv2d, padding: Int

    init(channels: Int, padding: Int, generator: RandomGenerator) throws {
        self.padding = padding
        conv = try Conv2d(channels, channels, kernelSize: 3, stride: 2, padding: padding, generator: generator)
        super.init()
        registerModule("conv", conv)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard padding == 0 else { return try conv(x) }
        return try conv(padBottomRight(x))
    }
}

/// `F.pad(x, (0, 1, 0, 1))` on [N, C, H, W], composed from `cat` so gradients flow.
func padBottomRight(_ x: Tensor) throws -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let wide = try Tensor.cat([x, Tensor.zeros([n, c, h, 1])], axis: 3)
    return try Tensor.cat([wide, Tensor.zeros([n, c, 1, w + 1])], axis: 2)
}

/// diffusers' `Upsample2D` with a convolution: nearest ×2, then 3×3 conv.
public final class Upsample2D: Module {
    let conv: Conv2d

    init(channels: Int, generator: RandomGenerator) throws {
        conv = try Conv2d(channels, channels, kernelSize: 3, padding: 1, generator: generator)
        super.init()
        registerModule("conv", conv)
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try conv(x.upsampleNearest(scale: 2)) }
}

/// diffusers' `Attention` over the pixels of a feature map, as built from the old `AttentionBlock`
/// (`_from_deprecated_attn_block`): optional `group_norm`, `to_q/to_k/to_v` (with bias), scaled
/// dot-product attention with `heads` heads of `dimHead`, `to_out.0`, residual, `/ rescale`.
public final class SpatialAttention: Module {
    let groupNorm: GroupNorm?, toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    let heads: Int, dimHead: Int, rescale: Float

    init(channels: Int, heads: Int, dimHead: Int, groups: Int?, eps: Float, rescale: Float = 1,
         generator: RandomGenerator) throws {
        (self.heads, self.dimHead, self.rescale) = (heads, dimHead, rescale)
        let inner = heads * dimHead
        groupNorm = try groups.map { try GroupNorm($0, channels, eps: eps) }
        toQ = try Linear(channels, inner, generator: generator)
        toK = try Linear(channels, inner, generator: generator)
        toV = try Linear(channels, inner, generator: generator)
        toOut = try Linear(inner, channels, generator: generator)
        super.init()
        if let groupNorm { registerModule("group_norm", groupNorm) }
        registerModule("to_q", toQ)
        registerModule("to_k", toK)
        registerModule("to_v", toV)
        registerModule("to_out", ModuleList([toOut]))
    }

    public override var typeName: String { "Attention" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Engine.checkInterrupt()
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let l = h * w
        var seq = try x.reshape([n, c, l])
        if let groupNorm { seq = try groupNorm(seq) }
        seq = try seq.transpose(1, 2)                                   // [N, L, C]
        var q = try toQ(seq), k = try toK(seq), v = try toV(seq)        // [N, L, heads·d]
        if heads > 1 {
            q = try q.reshape([n, l, heads, dimHead]).transpose(1, 2)
            k = try k.reshape([n, l, heads, dimHead]).transpose(1, 2)
            v = try v.reshape([n, l, heads, dimHead]).transpose(1, 2)
        }
        var o = try Tensor.scaledDotProductAttention(q, k, v, scale: 1 / Float(dimHead).squareRoot())
        if heads > 1 { o = try o.transpose(1, 2).reshape([n, l, heads * dimHead]) }
        let out = try toOut(o).transpose(1, 2).reshape([n, c, h, w]).add(x)
        return rescale == 1 ? out : try out.div(rescale)
    }
}
