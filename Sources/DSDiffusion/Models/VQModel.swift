import DSEngine

/// diffusers' `VQModel` (`models/autoencoders/vq_model.py`), the autoencoder of the LDM pipelines:
/// encoder → `quant_conv` → nearest codebook vector (`quantize.embedding`, a `VectorQuantizer`) →
/// `post_quant_conv` → decoder. Same configuration keys, parameter names and outputs.
/// Limitations: group norm only (`norm_type` "spatial" is refused), no index remapping.
public final class VQModel: Module {
    public let config: ModelConfig
    public let inChannels: Int, latentChannels: Int, embedDim: Int, scalingFactor: Double, downFactor: Int
    let encoder: VAEEncoder, decoder: VAEDecoder, quantConv: Conv2d, postQuantConv: Conv2d
    let quantizer: VectorQuantizer

    public override var typeName: String { "VQModel" }

    public override func renamedStateKey(_ name: String) -> String? { Pretrained.modernAttentionKey(name) }

    public static let defaults: [(String, ConfigValue)] = Autoencoder.coderDefaults + [
        ("latent_channels", .number(3)), ("sample_size", .number(32)), ("num_vq_embeddings", .number(256)),
        ("norm_num_groups", .number(32)), ("vq_embed_dim", .null), ("scaling_factor", .number(0.18215)),
        ("norm_type", .string("group")), ("mid_block_add_attention", .bool(true)), ("lookup_from_codebook", .bool(false)),
        ("force_upcast", .bool(false)),
    ]

    public convenience init(config given: [(String, ConfigValue)], generator: RandomGenerator) throws {
        try self.init(config: try ModelConfig(owner: "vq_model", defaults: VQModel.defaults, given: given), generator: generator)
    }

    public init(config c: ModelConfig, generator: RandomGenerator) throws {
        config = c
        try c.requireDefault("norm_type", .string("group"), "spatial norm is not implemented")
        inChannels = try c.int("in_channels", min: 1)
        latentChannels = try c.int("latent_channels", min: 1)
        embedDim = try c.optionalInt("vq_embed_dim") ?? latentChannels
        scalingFactor = try c.number("scaling_factor")
        let (channels, layers, attention, s) = try Autoencoder.blocks(c, generator: generator)
        downFactor = 1 << (channels.count - 1)
        encoder = try VAEEncoder(inChannels: inChannels, outChannels: latentChannels, channels: channels, layers: layers,
                                 attention: attention, s)
        decoder = try VAEDecoder(inChannels: latentChannels, outChannels: try c.int("out_channels", min: 1), channels: channels,
                                 layers: layers, attention: attention, s)
        quantConv = try Conv2d(latentChannels, embedDim, kernelSize: 1, generator: generator)
        quantizer = try VectorQuantizer(count: try c.int("num_vq_embeddings", min: 1), dim: embedDim, generator: generator)
        postQuantConv = try Conv2d(embedDim, latentChannels, kernelSize: 1, generator: generator)
        super.init()
        registerModule("encoder", encoder)
        registerModule("quant_conv", quantConv)
        registerModule("quantize", quantizer)
        registerModule("post_quant_conv", postQuantConv)
        registerModule("decoder", decoder)
    }

    /// The latents before quantization, [N, vq_embed_dim, H/f, W/f] (diffusers' `encode(x).latents`).
    public func encode(_ x: Tensor) throws -> Tensor {
        try Autoencoder.check(x, channels: inChannels, what: "input", factor: downFactor, owner: "vq_model")
        return try quantConv(encoder(x))
    }

    /// The nearest codebook vectors of `h` (straight-through: the gradient flows to `h`), their indices
    /// [N, H, W] and the codebook loss (diffusers' legacy VQ loss, β = 0.25).
    public func quantize(_ h: Tensor) throws -> (quantized: Tensor, indices: Tensor, loss: Tensor) {
        try Autoencoder.check(h, channels: embedDim, what: "latent", factor: 1, owner: "vq_model")
        return try quantizer.quantize(h)
    }

    /// The image decoded from latents `h` [N, vq_embed_dim, h, w], quantized first unless `quantize` is false.
    public func decode(_ h: Tensor, quantize: Bool = true) throws -> Tensor {
        try Autoencoder.check(h, channels: embedDim, what: "latent", factor: 1, owner: "vq_model")
        let codes = quantize ? try quantizer.quantize(h).quantized : h
        return try decoder(postQuantConv(codes))
    }

    /// `decode(encode(x))`, diffusers' `forward`.
    public override func forward(_ x: Tensor) throws -> Tensor { try decode(encode(x)) }
}

/// diffusers' `VectorQuantizer`: a codebook `embedding` of `count` vectors of `dim` (drawn from
/// U(−1/count, 1/count)); each pixel's vector is replaced by its nearest code.
final class VectorQuantizer: Module {
    let table: Embedding

    init(count: Int, dim: Int, generator: RandomGenerator) throws {
        let bound = 1 / Float(count)
        table = try Embedding(weight: Tensor.uniform([count, dim], low: -bound, high: bound, generator: generator))
        super.init()
        registerModule("embedding", table)
    }

    override var typeName: String { "VectorQuantizer" }

    override func forward(_ x: Tensor) throws -> Tensor { try quantize(x).quantized }

    /// For each pixel of z [N, D, H, W] the nearest codebook row (`Tensor.nearestRows`, the first of
    /// equals as `torch.argmin`), returned as z + (e − z).detach() so that gradients reach z; the loss is
    /// diffusers' legacy one, mean((e.detach − z)²) + 0.25·mean((e − z.detach)²).
    func quantize(_ z: Tensor) throws -> (quantized: Tensor, indices: Tensor, loss: Tensor) {
        let (n, c, h, w) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3])
        let rows = try z.permute([0, 2, 3, 1]).reshape([n * h * w, c])
        let nearest = try rows.nearestRows(in: table.weight)
        let index = Tensor(shape: [n * h * w], scalars: nearest.map(Float.init))
        let codes = try table.weight.gather(index)
        let loss = try codes.detach().sub(rows).square().mean().add(codes.sub(rows.detach()).square().mean().mul(0.25))
        let straight = try rows.add(codes.sub(rows).detach())
        return (try straight.reshape([n, h, w, c]).permute([0, 3, 1, 2]), try index.reshape([n, h, w]), loss)
    }
}
