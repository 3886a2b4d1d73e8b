import DSDiffusion
@testable import DSEngine
import Foundation
import XCTest

/// diffusers checkpoints in `Tests/Fixtures/models/` (made by
/// `/work/venv-ref/bin/python scripts/make-model-goldens.py`) load with `Pretrained.load` and give
/// diffusers' outputs and gradients (float32 compute on float16-rounded weights, tolerance 1e-4).
final class ModelGoldenTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    static func fixture(_ name: String) throws -> (any PretrainedModel, SafetensorsFile) {
        let dir = folder.appendingPathComponent(name).path
        let model = try Pretrained.load(from: dir, generator: RandomGenerator(seed: 0))
        return (model, try Safetensors.read(path: dir + "/io.safetensors"))
    }

    static func maxDiff(_ a: Tensor, _ b: Tensor?) throws -> Float {
        guard let b, a.shape == b.shape else { throw DiffusionTestError("shape \(a.shape) vs \(b?.shape ?? [])") }
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    func checkUNet(_ name: String, grads: [String]) throws {
        let (loaded, io) = try Self.fixture(name)
        let unet = try XCTUnwrap(loaded as? UNet2DModel)
        let x = try XCTUnwrap(io["x"]), t = try XCTUnwrap(io["t"]), labels = io["class_labels"]
        let out = try unet.forward(x, t: t, classLabels: labels)
        XCTAssertLessThan(try Self.maxDiff(out, io["out"]), 1e-4, "\(name) output")
        XCTAssertLessThan(try Self.maxDiff(try unet.forward(x, t: Tensor(37), classLabels: labels), io["out_t37"]), 1e-4,
                          "\(name) scalar t")
        let loss = try out.square().mean()
        XCTAssertEqual(try loss.item(), try XCTUnwrap(io["loss"]).scalars[0], accuracy: 1e-5)
        try loss.backward()
        let params = Dictionary(unet.namedParameters(), uniquingKeysWith: { a, _ in a })
        for key in grads {
            let g = try XCTUnwrap(params[key]?.grad, "no gradient for \(key)")
            let want = try XCTUnwrap(io["grad." + key])
            let scale = want.scalars.map(Swift.abs).max() ?? 1
            XCTAssertLessThan(try Self.maxDiff(g, want) / Swift.max(scale, 1e-6), 1e-3, "\(name) gradient of \(key)")
        }
    }

    /// Runs `body` with every 3×3 convolution through Winograd, then through im2col products over
    /// the whole batch, then per sample: the fixtures are small, so the size rules alone would pick
    /// the batched im2col products for all of them.
    func withEveryConvolutionPath(_ body: () throws -> Void) rethrows {
        let saved = (Winograd.minimumOutputs, ConvColumns.maximumSpatial)
        defer { (Winograd.minimumOutputs, ConvColumns.maximumSpatial) = saved }
        for paths in [(0, Int.max), (Int.max, Int.max), (Int.max, 0)] {
            (Winograd.minimumOutputs, ConvColumns.maximumSpatial) = paths
            try body()
        }
    }

    func testUNetWithAttentionMatchesDiffusers() throws {
        try withEveryConvolutionPath {
            try checkUNet("unet_attn", grads: ["conv_in.weight", "down_blocks.1.attentions.0.to_q.weight",
                                               "up_blocks.1.resnets.0.time_emb_proj.weight"])
        }
    }

    func testUNetScaleShiftMatchesDiffusers() throws {
        try withEveryConvolutionPath {
            try checkUNet("unet_shift", grads: ["mid_block.attentions.0.to_k.weight", "down_blocks.0.resnets.1.time_emb_proj.bias"])
        }
    }

    /// `num_class_embeds` (an embedding table), `class_embed_type` "timestep" and "identity".
    func testClassConditionalUNetsMatchDiffusers() throws {
        try checkUNet("unet_class", grads: ["conv_in.weight", "class_embedding.weight"])
        try checkUNet("unet_class_timestep", grads: ["conv_in.weight", "class_embedding.linear_1.weight"])
        try checkUNet("unet_class_identity", grads: ["conv_in.weight"])
        let (loaded, io) = try Self.fixture("unet_class")
        let unet = try XCTUnwrap(loaded as? UNet2DModel)
        XCTAssertThrowsError(try unet.forward(XCTUnwrap(io["x"]), t: Tensor(3))) {
            XCTAssertEqual("\($0)", "unet: this model is class-conditional (num_class_embeds = 5); call it as model(x, t, class_labels: y)")
        }
    }

    /// act_fn "gelu" / "relu": diffusers applies it in the resnets only; UNet2DModel's embeddings and
    /// output activation and the VAE coders' output activation stay SiLU.
    func testOtherActivationsMatchDiffusers() throws {
        try checkUNet("unet_gelu", grads: ["conv_in.weight", "class_embedding.linear_1.weight"])
        let (loaded, io) = try Self.fixture("vae_relu")
        let vae = try XCTUnwrap(loaded as? AutoencoderKL)
        let (mean, logvar) = try vae.encode(XCTUnwrap(io["x"]))
        XCTAssertLessThan(try Self.maxDiff(mean, io["mean"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(logvar, io["logvar"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(try vae.decode(XCTUnwrap(io["z"])), io["decoded"]), 1e-4)
    }

    func testAutoencoderKLMatchesDiffusers() throws {
        try withEveryConvolutionPath { try checkAutoencoderKL() }
    }

    func checkAutoencoderKL() throws {
        let (loaded, io) = try Self.fixture("vae_kl")
        let vae = try XCTUnwrap(loaded as? AutoencoderKL)
        let x = try XCTUnwrap(io["x"]), z = try XCTUnwrap(io["z"])
        let (mean, logvar) = try vae.encode(x)
        XCTAssertLessThan(try Self.maxDiff(mean, io["mean"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(logvar, io["logvar"]), 1e-4)
        let decoded = try vae.decode(z)
        XCTAssertLessThan(try Self.maxDiff(decoded, io["decoded"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(try vae.forward(x), io["forward"]), 1e-4)
        let kl = try mean.square().add(logvar.exp()).sub(1).sub(logvar).mul(0.5).sum(axes: [1, 2, 3]).mean()
        let loss = try decoded.square().mean().add(kl)
        XCTAssertEqual(try loss.item(), try XCTUnwrap(io["loss"]).scalars[0], accuracy: 1e-3)
        try loss.backward()
        let params = Dictionary(vae.namedParameters(), uniquingKeysWith: { a, _ in a })
        for key in ["decoder.conv_in.weight", "encoder.mid_block.attentions.0.to_v.weight", "quant_conv.bias"] {
            let g = try XCTUnwrap(params[key]?.grad, "no gradient for \(key)")
            let want = try XCTUnwrap(io["grad." + key])
            let scale = want.scalars.map(Swift.abs).max() ?? 1
            XCTAssertLessThan(try Self.maxDiff(g, want) / Swift.max(scale, 1e-6), 1e-3, "gradient of \(key)")
        }
    }

    /// VQModel: latents, nearest codes, decoding with and without quantization, the codebook loss and
    /// gradients through the straight-through estimator.
    func testVQModelMatchesDiffusers() throws {
        let (loaded, io) = try Self.fixture("vq")
        let vq = try XCTUnwrap(loaded as? VQModel)
        XCTAssertEqual(vq.scalingFactor, 0.5)
        let x = try XCTUnwrap(io["x"])
        let h = try vq.encode(x)
        XCTAssertLessThan(try Self.maxDiff(h, io["latents"]), 1e-4)
        let q = try vq.quantize(try XCTUnwrap(io["latents"]))
        XCTAssertEqual(q.indices.scalars, try XCTUnwrap(io["indices"]).scalars)
        XCTAssertLessThan(try Self.maxDiff(q.quantized, io["quantized"]), 1e-6)
        XCTAssertEqual(try q.loss.item(), try XCTUnwrap(io["codebook_loss"]).scalars[0], accuracy: 1e-5)
        let decoded = try vq.decode(h)
        XCTAssertLessThan(try Self.maxDiff(decoded, io["decoded"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(try vq.decode(h, quantize: false), io["decoded_unquantized"]), 1e-4)
        XCTAssertLessThan(try Self.maxDiff(try vq.forward(x), io["decoded"]), 1e-4)
        let loss = try decoded.square().mean().add(vq.quantize(h).loss)
        XCTAssertEqual(try loss.item(), try XCTUnwrap(io["loss"]).scalars[0], accuracy: 1e-4)
        try loss.backward()
        let params = Dictionary(vq.namedParameters(), uniquingKeysWith: { a, _ in a })
        for key in ["encoder.conv_in.weight", "decoder.conv_out.weight", "quantize.embedding.weight", "quant_conv.bias"] {
            let g = try XCTUnwrap(params[key]?.grad, "no gradient for \(key)")
            let want = try XCTUnwrap(io["grad." + key])
            let scale = want.scalars.map(Swift.abs).max() ?? 1
            XCTAssertLessThan(try Self.maxDiff(g, want) / Swift.max(scale, 1e-6), 1e-3, "gradient of \(key)")
        }
    }

    /// One UNet written by diffusers as .bin (a torch.save zip), as the fp16 variant, as safetensors
    /// shards and as .bin shards: every folder loads to the same weights and output.
    func testWeightFormatsLoad() throws {
        let root = Self.folder.appendingPathComponent("formats")
        let io = try Safetensors.read(path: root.appendingPathComponent("io.safetensors").path)
        let x = try XCTUnwrap(io["x"]), t = try XCTUnwrap(io["t"])
        var reference: [String: [Float]]? = nil
        for (folder, variant) in [("bin", nil), ("variant", "fp16"), ("sharded", nil), ("sharded_bin", nil)] as [(String, String?)] {
            let model = try Pretrained.load(from: root.appendingPathComponent(folder).path, generator: RandomGenerator(seed: 1),
                                            variant: variant)
            let unet = try XCTUnwrap(model as? UNet2DModel)
            XCTAssertLessThan(try Self.maxDiff(try unet.forward(x, t: t), io["out"]), 1e-4, folder)
            let weights = Dictionary(unet.stateDict().map { ($0.0, $0.1.scalars) }, uniquingKeysWith: { a, _ in a })
            if let reference { XCTAssertTrue(weights == reference, "\(folder): the same weights as bin/") } else { reference = weights }
        }
        XCTAssertThrowsError(try Pretrained.load(from: root.appendingPathComponent("variant").path, generator: RandomGenerator())) {
            XCTAssertTrue("\($0)".contains("no weights in"), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("; the folder has diffusion_pytorch_model.fp16.safetensors"), "\($0)")
        }
        XCTAssertThrowsError(try Pretrained.load(from: root.appendingPathComponent("bin").path, generator: RandomGenerator(),
                                                 variant: "../x")) {
            XCTAssertTrue("\($0)".contains("must be a plain name"), "\($0)")
        }
    }

    /// A shard index may only name files of its own folder, and every key it lists must be in its shard.
    func testHostileShardIndexes() throws {
        let dir = try Fixture.copy(Self.folder.appendingPathComponent("formats/sharded"), label: "shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("diffusion_pytorch_model.safetensors.index.json")
        for (map, fragment) in [("{\"conv_in.weight\": \"../../etc/passwd\"}", "not a file of this folder"),
                                ("{\"no.such.key\": \"diffusion_pytorch_model-00001-of-00002.safetensors\"}", "lacks 'no.such.key'"),
                                ("[]", "not a shard index")] {
            try Data("{\"metadata\": {}, \"weight_map\": \(map)}".utf8).write(to: index)
            XCTAssertThrowsError(try Pretrained.load(from: dir.path, generator: RandomGenerator())) {
                XCTAssertTrue("\($0)".contains(fragment), "\($0)")
            }
        }
    }

    /// UNet2DConditionModel: CrossAttn blocks, Transformer2DModel (conv and linear projections, two
    /// layers), GEGLU, encoder_hidden_states as a tensor, per-block heads, class labels; outputs and
    /// gradients as diffusers.
    func checkConditionUNet(_ name: String) throws {
        let (loaded, io) = try Self.fixture(name)
        let unet = try XCTUnwrap(loaded as? UNet2DConditionModel)
        let x = try XCTUnwrap(io["x"]), t = try XCTUnwrap(io["t"]), context = try XCTUnwrap(io["context"])
        let labels = io["class_labels"]
        let out = try unet.forward(x, t: t, context: context, classLabels: labels)
        XCTAssertLessThan(try Self.maxDiff(out, io["out"]), 1e-4, "\(name) output")
        XCTAssertLessThan(try Self.maxDiff(try unet.forward(x, t: Tensor(37), context: context, classLabels: labels), io["out_t37"]),
                          1e-4, "\(name) scalar t")
        let loss = try out.square().mean()
        XCTAssertEqual(try loss.item(), try XCTUnwrap(io["loss"]).scalars[0], accuracy: 1e-5)
        try loss.backward()
        let params = Dictionary(unet.namedParameters(), uniquingKeysWith: { a, _ in a })
        for key in ["conv_in.weight", "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", "up_blocks.1.attentions.0.proj_in.weight",
                    "mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight"] {
            let g = try XCTUnwrap(params[key]?.grad, "no gradient for \(key)")
            let want = try XCTUnwrap(io["grad." + key])
            let scale = want.scalars.map(Swift.abs).max() ?? 1
            XCTAssertLessThan(try Self.maxDiff(g, want) / Swift.max(scale, 1e-6), 1e-3, "\(name) gradient of \(key)")
        }
    }

    func testConditionUNetsMatchDiffusers() throws {
        try withEveryConvolutionPath {
            try checkConditionUNet("unet_cond")
            try checkConditionUNet("unet_cond_linear")
        }
    }
}
