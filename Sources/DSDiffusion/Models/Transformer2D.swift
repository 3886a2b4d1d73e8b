import DSEngine

/// diffusers' `Attention` as `BasicTransformerBlock` builds it (`models/attention_processor.py`):
/// `to_q` from the queries' features, `to_k` / `to_v` from the context's (`cross_attention_dim`, the
/// queries' own features for self-attention), no bias on the three, `to_out.0` with bias; heads of
/// `dimHead`, scale 1/√dimHead. Self- and cross-attention both run the fused attention primitive.
final class CrossAttention: Module {
    let toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    let heads: Int, dimHead: Int

    init(queryDim: Int, contextDim: Int?, heads: Int, dimHead: Int, generator: RandomGenerator) throws {
        (self.heads, self.dimHead) = (heads, dimHead)
        let inner = heads * dimHead
        toQ = try Linear(queryDim, inner, bias: false, generator: generator)
        toK = try Linear(contextDim ?? queryDim, inner, bias: false, generator: generator)
        toV = try Linear(contextDim ?? queryDim, inner, bias: false, generator: generator)
        toOut = try Linear(inner, queryDim, generator: generator)
        super.init()
        registerModule("to_q", toQ)
        registerModule("to_k", toK)
        registerModule("to_v", toV)
        registerModule("to_out", ModuleList([toOut]))
    }

    override var typeName: String { "Attention" }

    override func forward(_ x: Tensor) throws -> Tensor { try forward(x, context: nil) }

    /// `x` [N, L, C] attends to `context` [N, M, C'] (to itself when nil).
    func forward(_ x: Tensor, context: Tensor?) throws -> Tensor {
        let source = context ?? x
        let (n, l, m) = (x.shape[0], x.shape[1], source.shape[1])
        let q = try toQ(x).reshape([n, l, heads, dimHead]).transpose(1, 2)
        let k = try toK(source).reshape([n, m, heads, dimHead]).transpose(1, 2)
        let v = try toV(source).reshape([n, m, heads, dimHead]).transpose(1, 2)
        let o = try Tensor.scaledDotProductAttention(q, k, v, scale: 1 / Float(dimHead).squareRoot())
        return try toOut(o.transpose(1, 2).reshape([n, l, heads * dimHead]))
    }
}

/// diffusers' `GEGLU`: `proj` doubles the width; the first half is gated by GELU of the second.
final class GEGLU: Module {
    let proj: Linear
    let inner: Int

    init(dim: Int, inner: Int, generator: RandomGenerator) throws {
        self.inner = inner
        proj = try Linear(dim, 2 * inner, generator: generator)
        super.init()
        registerModule("proj", proj)
    }

    override var typeName: String { "GEGLU" }

    override func forward(_ x: Tensor) throws -> Tensor {
        let h = try proj(x)
        return try h.slice(axis: -1, start: 0, stop: inner).mul(h.slice(axis: -1, start: inner, stop: 2 * inner).gelu())
    }
}

/// diffusers' `FeedForward` with `activation_fn="geglu"`: `net.0` a GEGLU to 4·dim, `net.1` dropout
/// (no weights), `net.2` a linear layer back to dim.
final class GEGLUFeedForward: Module {
    let geglu: GEGLU, out: Linear

    init(dim: Int, generator: RandomGenerator) throws {
        geglu = try GEGLU(dim: dim, inner: 4 * dim, generator: generator)
        out = try Linear(4 * dim, dim, generator: generator)
        super.init()
        registerModule("net", ModuleList([geglu, Activation("Dropout") { $0 }, out]))
    }

    override var typeName: String { "FeedForward" }

    override func forward(_ x: Tensor) throws -> Tensor { try out(geglu(x)) }
}

/// diffusers' `BasicTransformerBlock` (layer norms, `norm_type="layer_norm"`): self-attention, cross-
/// attention to the context, GEGLU feed-forward, each pre-normed and added to its input.
final class BasicTransformerBlock: Module {
    let norm1: LayerNorm, attn1: CrossAttention, norm2: LayerNorm, attn2: CrossAttention, norm3: LayerNorm
    let ff: GEGLUFeedForward

    init(dim: Int, heads: Int, dimHead: Int, contextDim: Int, generator: RandomGenerator) throws {
        norm1 = try LayerNorm(dim)
        attn1 = try CrossAttention(queryDim: dim, contextDim: nil, heads: heads, dimHead: dimHead, generator: generator)
        norm2 = try LayerNorm(dim)
        attn2 = try CrossAttention(queryDim: dim, contextDim: contextDim, heads: heads, dimHead: dimHead, generator: generator)
        norm3 = try LayerNorm(dim)
        ff = try GEGLUFeedForward(dim: dim, generator: generator)
        super.init()
        registerModule("norm1", norm1)
        registerModule("attn1", attn1)
        registerModule("norm2", norm2)
        registerModule("attn2", attn2)
        registerModule("norm3", norm3)
        registerModule("ff", ff)
    }

    override func forward(_ x: Tensor) throws -> Tensor { try forward(x, context: nil) }

    func forward(_ x: Tensor, context: Tensor?) throws -> Tensor {
        var h = try attn1(norm1(x)).add(x)
        h = try attn2.forward(norm2(h), context: context).add(h)
        return try ff(norm3(h)).add(h)
    }
}

/// diffusers' `Transformer2DModel` on a feature map (continuous input): group norm (ε 1e-6), `proj_in`
/// (1×1 conv, or linear with `use_linear_projection`), `layers` transformer blocks over the pixels,
/// `proj_out`, plus the input.
final class Transformer2DModel: Module, BlockAttention {
    let norm: GroupNorm, projIn: Module, blocks: [BasicTransformerBlock], projOut: Module
    let linear: Bool, inner: Int

    init(channels: Int, heads: Int, dimHead: Int, layers: Int, contextDim: Int, groups: Int, linearProjection: Bool,
         generator: RandomGenerator) throws {
        linear = linearProjection
        let inner = heads * dimHead
        self.inner = inner
        norm = try GroupNorm(groups, channels, eps: 1e-6)
        projIn = linearProjection ? try Linear(channels, inner, generator: generator)
                                  : try Conv2d(channels, inner, kernelSize: 1, generator: generator)
        blocks = try (0..<layers).map { _ in
            try BasicTransformerBlock(dim: inner, heads: heads, dimHead: dimHead, contextDim: contextDim, generator: generator)
        }
        projOut = linearProjection ? try Linear(inner, channels, generator: generator)
                                   : try Conv2d(inner, channels, kernelSize: 1, generator: generator)
        super.init()
        registerModule("norm", norm)
        registerModule("proj_in", projIn)
        registerModule("transformer_blocks", ModuleList(blocks))
        registerModule("proj_out", projOut)
    }

    override func forward(_ x: Tensor) throws -> Tensor { try forward(x, context: nil) }

    func forward(_ x: Tensor, context: Tensor?) throws -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var hidden = try norm(x)
        if linear {
            hidden = try projIn(hidden.reshape([n, c, h * w]).transpose(1, 2))
        } else {
            hidden = try projIn(hidden).reshape([n, inner, h * w]).transpose(1, 2)
        }
        for block in blocks { hidden = try block.forward(hidden, context: context) }
        let out: Tensor
        if linear {
            out = try projOut(hidden).transpose(1, 2).reshape([n, c, h, w])
        } else {
            out = try projOut(hidden.transpose(1, 2).reshape([n, inner, h, w]))
        }
        return try out.add(x)
    }
}
