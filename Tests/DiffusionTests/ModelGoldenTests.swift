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
        let x = try XCTUnwrap(io["x"]), t = try XCTUnwrap(io["t"])
        let out = try unet.forward(x, t: t)
        XCTAssertLessThan(try Self.maxDiff(out, io["out"]), 1e-4, "\(name) output")
        XCTAssertLessThan(try Self.maxDiff(try unet.forward(x, t: Tensor(37)), io["out_t37"]), 1e-4, "\(name) scalar t")
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
}
