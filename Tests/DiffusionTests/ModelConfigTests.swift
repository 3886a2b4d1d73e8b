import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// Configuration checks, checkpoint key handling and the folder round trip of the image models.
final class ModelConfigTests: XCTestCase {
    static let tiny: [(String, ConfigValue)] = [
        ("sample_size", .number(8)), ("in_channels", .number(1)), ("out_channels", .number(1)),
        ("block_out_channels", .list([.number(16), .number(32)])), ("layers_per_block", .number(1)),
        ("down_block_types", .list([.string("DownBlock2D"), .string("AttnDownBlock2D")])),
        ("up_block_types", .list([.string("AttnUpBlock2D"), .string("UpBlock2D")])), ("norm_num_groups", .number(4)),
    ]

    func unet(_ changes: [(String, ConfigValue)] = []) throws -> UNet2DModel {
        var config = Self.tiny
        for (k, v) in changes {
            if let i = config.firstIndex(where: { $0.0 == k }) { config[i].1 = v } else { config.append((k, v)) }
        }
        return try UNet2DModel(config: config, generator: RandomGenerator(seed: 1))
    }

    func assertError(_ fragments: [String], _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            let text = "\(error)"
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", line: line) }
        }
    }

    func testDiffusersParameterCountsAndKeys() throws {
        // Counts measured with diffusers 0.42.1 (reference notes §1.3 / §1.4).
        let u = try unet([("block_out_channels", .list([.number(32), .number(64)])), ("norm_num_groups", .number(8)),
                          ("sample_size", .number(16))])
        XCTAssertEqual(u.numParams, 701_345)
        let names = Set(u.namedParameters().map(\.0))
        for key in ["conv_in.weight", "time_embedding.linear_1.weight", "down_blocks.0.resnets.0.norm1.weight",
                    "down_blocks.1.attentions.0.to_q.weight", "up_blocks.0.attentions.1.to_out.0.weight",
                    "mid_block.attentions.0.group_norm.bias", "up_blocks.0.upsamplers.0.conv.weight",
                    "down_blocks.0.downsamplers.0.conv.bias", "up_blocks.1.resnets.1.conv_shortcut.weight",
                    "conv_norm_out.weight", "conv_out.bias"] {
            XCTAssertTrue(names.contains(key), key)
        }
        XCTAssertFalse(names.contains("up_blocks.1.upsamplers.0.conv.weight"))
        let ae = try AutoencoderKL(config: [("block_out_channels", .list([.number(32), .number(64)])),
                                            ("down_block_types", .list([.string("DownEncoderBlock2D"), .string("DownEncoderBlock2D")])),
                                            ("up_block_types", .list([.string("UpDecoderBlock2D"), .string("UpDecoderBlock2D")])),
                                            ("norm_num_groups", .number(8))], generator: RandomGenerator(seed: 0))
        XCTAssertEqual(ae.numParams, 658_375)
    }

    func testConfigErrorsNameTheKey() {
        assertError(["unknown config key 'chanels'"]) { _ = try self.unet([("chanels", .number(3))]) }
        assertError(["'up_block_types' has 1 entries but block_out_channels has 2"]) {
            _ = try self.unet([("up_block_types", .list([.string("UpBlock2D")]))])
        }
        assertError(["'norm_num_groups'", "does not divide", "16"]) { _ = try self.unet([("norm_num_groups", .number(32))]) }
        assertError(["'down_block_types' entry 1 'CrossAttnDownBlock2D' is not supported"]) {
            _ = try self.unet([("down_block_types", .list([.string("DownBlock2D"), .string("CrossAttnDownBlock2D")]))])
        }
        assertError(["'layers_per_block' must be an integer, got a string"]) { _ = try self.unet([("layers_per_block", .string("2"))]) }
        assertError(["'resnet_time_scale_shift' is 'spatial'"]) { _ = try self.unet([("resnet_time_scale_shift", .string("spatial"))]) }
        assertError(["'time_embedding_type'", "\"positional\""]) { _ = try self.unet([("time_embedding_type", .string("fourier"))]) }
        assertError(["'dropout' must be 0"]) { _ = try self.unet([("dropout", .number(0.1))]) }
    }

    func testInputChecks() throws {
        let u = try unet()
        assertError(["3 channels", "in_channels = 1"]) { _ = try u.forward(Tensor.zeros([1, 3, 8, 8]), t: Tensor(1)) }
        assertError(["multiple of 2"]) { _ = try u.forward(Tensor.zeros([1, 1, 7, 8]), t: Tensor(1)) }
        assertError(["3 timesteps for a batch of 2"]) { _ = try u.forward(Tensor.zeros([2, 1, 8, 8]), t: Tensor.zeros([3])) }
    }

    func testMidBlockNoneAndNoAttention() throws {
        let u = try unet([("mid_block_type", .null)])
        XCTAssertFalse(u.namedParameters().contains { $0.0.hasPrefix("mid_block") })
        let v = try unet([("add_attention", .bool(false))])
        XCTAssertFalse(v.namedParameters().contains { $0.0.hasPrefix("mid_block.attentions") })
        XCTAssertEqual(try v.forward(Tensor.zeros([1, 1, 8, 8]), t: Tensor(3)).shape, [1, 1, 8, 8])
    }

    func testLegacyAttentionNamesLoad() throws {
        let dir = ModelGoldenTests.folder.appendingPathComponent("unet_attn/diffusion_pytorch_model.safetensors").path
        let state = try Safetensors.read(path: dir).tensors.map { ($0.name, $0.tensor) }
        let legacy = state.map { name, t in
            (name.replacingOccurrences(of: ".to_q.", with: ".query.").replacingOccurrences(of: ".to_k.", with: ".key.")
                .replacingOccurrences(of: ".to_v.", with: ".value.").replacingOccurrences(of: ".to_out.0.", with: ".proj_attn."), t)
        }
        XCTAssertTrue(legacy.contains { $0.0 == "down_blocks.1.attentions.0.proj_attn.weight" })
        let a = try unet(), b = try unet()
        try a.loadState(state)
        try b.loadState(legacy)
        let x = try Tensor.randn([1, 1, 8, 8], generator: RandomGenerator(seed: 3))
        XCTAssertEqual(try a.forward(x, t: Tensor(5)).scalars, try b.forward(x, t: Tensor(5)).scalars)
    }

    func testCheckpointProblemsAreListed() throws {
        let u = try unet()
        var state = u.stateDict().filter { $0.0 != "conv_out.bias" }
        state.append(("extra.weight", Tensor(1)))
        if let i = state.firstIndex(where: { $0.0 == "conv_in.weight" }) { state[i].1 = try Tensor.zeros([16, 2, 3, 3]) }
        assertError(["missing keys: conv_out.bias", "unexpected keys: extra.weight", "conv_in.weight: expected [16, 1, 3, 3], got [16, 2, 3, 3]"]) {
            try u.loadState(state)
        }
    }

    func testSavePretrainedRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-unet-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let u = try unet([("resnet_time_scale_shift", .string("scale_shift"))])
        try Pretrained.save(u, to: dir)
        let back = try XCTUnwrap(try Pretrained.load(from: dir, generator: RandomGenerator(seed: 9)) as? UNet2DModel)
        XCTAssertEqual(back.config, u.config)
        let x = try Tensor.randn([2, 1, 8, 8], generator: RandomGenerator(seed: 4))
        XCTAssertEqual(try back.forward(x, t: Tensor(7)).scalars, try u.forward(x, t: Tensor(7)).scalars)
        // config.json has diffusers' keys: the same set as a folder written by diffusers.
        func keys(_ path: String) throws -> Set<String> {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return Set((try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]).keys)
        }
        XCTAssertEqual(try keys(dir + "/config.json"),
                       try keys(ModelGoldenTests.folder.appendingPathComponent("unet_attn/config.json").path))
        let file = try Safetensors.read(path: dir + "/" + Pretrained.weightsName)
        XCTAssertEqual(file.metadata["format"], "pt")
    }

    func testFromPretrainedRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-bad-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        assertError(["no folder"]) { _ = try Pretrained.load(from: dir + "/nowhere", generator: RandomGenerator()) }
        assertError(["no config.json (a model) or model_index.json (a pipeline)"]) {
            _ = try Pretrained.load(from: dir, generator: RandomGenerator())
        }
        try Data("{\"_class_name\": \"UNet3DConditionModel\"}".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        assertError(["'UNet3DConditionModel'", "supported"]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
        try Data("{\"_class_name\": \"AutoencoderKL\", \"block_out_channels\": [8]}".utf8)
            .write(to: URL(fileURLWithPath: dir + "/config.json"))
        assertError(["'norm_num_groups' (32) does not divide"]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
        try Data("{\"_class_name\": \"AutoencoderKL\", \"block_out_channels\": [8], \"norm_num_groups\": 4}".utf8)
            .write(to: URL(fileURLWithPath: dir + "/config.json"))
        assertError(["no weights in", "diffusion_pytorch_model.safetensors"]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/" + Pretrained.weightsName))
        assertError(["from_pretrained:", Pretrained.weightsName]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
        try Data("[1, 2".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        assertError(["not valid JSON"]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
        try Data(("{\"a\": " + String(repeating: "[", count: 100_000)).utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        assertError(["nested too deeply (more than 512 levels)"]) { _ = try Pretrained.load(from: dir, generator: RandomGenerator()) }
    }

    /// A folder that cannot be made says why, as the system does ("Not a directory"), not Foundation's
    /// "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
    func testSavePretrainedSaysWhyItCannotWrite() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-file-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let (model, _) = try ModelGoldenTests.fixture("unet_attn")
        assertError(["save_pretrained: cannot write \(file)/unet/config.json: Not a directory"]) {
            try Pretrained.save(model, to: file + "/unet")
        }
    }

    func testUNetTrainingStepReducesLoss() throws {
        let g = RandomGenerator(seed: 5)
        let u = try unet()
        let x = try Tensor.randn([4, 1, 8, 8], generator: g), t = Tensor(shape: [4], scalars: [1, 50, 300, 900])
        let opt = try Adam(u.parameters(), lr: 2e-3)
        var losses: [Float] = []
        for _ in 0..<5 {
            opt.zeroGrad()
            let loss = try Tensor.mse(u.forward(x, t: t), x)
            try loss.backward()
            try opt.step()
            losses.append(try loss.item())
        }
        XCTAssertLessThan(losses[4], losses[0] * 0.8, "\(losses)")
    }

    func testMLPVAELossPieces() throws {
        let g = RandomGenerator(seed: 2)
        let v = try MLPVAE(inDim: 6, hidden: 16, latent: 2, generator: g)
        let x = try Tensor.randn([5, 6], generator: g)
        let r = try v.loss(x, generator: RandomGenerator(seed: 3))
        // kl: closed form ½Σ(μ² + σ² − 1 − log σ²) per sample, averaged
        var kl = 0.0
        for i in 0..<r.mean.count {
            let m = Double(r.mean.scalars[i]), lv = Double(r.logvar.scalars[i])
            kl += 0.5 * (m * m + Foundation.exp(lv) - 1 - lv)
        }
        XCTAssertEqual(Double(try r.kl.item()), kl / 5, accuracy: 1e-5)
        var sq = 0.0
        for i in 0..<x.count { sq += 0.5 * Double((x.scalars[i] - r.xHat.scalars[i]) * (x.scalars[i] - r.xHat.scalars[i])) }
        XCTAssertEqual(Double(try r.recon.item()), sq / 5, accuracy: 1e-4)
        XCTAssertEqual(try r.loss.item(), try r.recon.item() + r.kl.item(), accuracy: 1e-5)
        try r.loss.backward()
        XCTAssertNotNil(v.namedParameters().first { $0.0 == "to_logvar.weight" }?.1.grad)
        assertError(["in_dim = 6"]) { _ = try v.encode(Tensor.zeros([2, 5])) }
    }
}
