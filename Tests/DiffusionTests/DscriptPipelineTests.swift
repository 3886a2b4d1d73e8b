import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// Pipelines written by dscript, as diffusers loads them. `Tests/Fixtures/pipelines/from_dscript/`
/// holds the folders `save_pretrained(pipeline(...))` wrote (`.build/debug/dscript
/// scripts/make-dscript-pipelines.dscript`) and, in each, `io.safetensors` with the images diffusers'
/// `DDPMPipeline` / `DDIMPipeline` / `LDMPipeline.from_pretrained` made from them (`/work/venv-ref/bin/python
/// scripts/make-pipeline-goldens.py --from-dscript`, which fails on any missing, unexpected or
/// mismatched key and on any config key the classes do not take). Here, without Python: (a) dscript,
/// rebuilding the pipelines with the script's configs and seeds, writes exactly those folders, and
/// (b) sampling them in dscript from the stored noises gives diffusers' images.
final class DscriptPipelineTests: XCTestCase {
    static let root = PipelineGoldenTests.folder.appendingPathComponent("from_dscript")

    static func tinyUNet(channels: Int, size: Int, seed: UInt64) throws -> UNet2DModel {
        try UNet2DModel(config: [
            ("sample_size", .number(Double(size))), ("in_channels", .number(Double(channels))),
            ("out_channels", .number(Double(channels))), ("block_out_channels", DscriptFixtureTests.numbers([4, 8])),
            ("down_block_types", DscriptFixtureTests.strings(["DownBlock2D", "AttnDownBlock2D"])),
            ("up_block_types", DscriptFixtureTests.strings(["AttnUpBlock2D", "UpBlock2D"])),
            ("layers_per_block", .number(1)), ("norm_num_groups", .number(4)), ("attention_head_dim", .number(4)),
        ], generator: RandomGenerator(seed: seed))
    }

    /// The three pipelines of scripts/make-dscript-pipelines.dscript.
    static func pipelines() throws -> [(String, Pipeline)] {
        let ddpm = try Pipeline(kind: .ddpm, unet: tinyUNet(channels: 3, size: 8, seed: 31),
                                schedule: Schedule(kind: "linear", settings: SamplerSettings(clip: true, variance: .fixedLarge)))
        let ddim = try Pipeline(kind: .ddim, unet: tinyUNet(channels: 3, size: 8, seed: 32),
                                schedule: Schedule(kind: "sigmoid", settings: SamplerSettings(prediction: .v, stepsOffset: 1,
                                                                                               setAlphaToOne: false)))
        let vq = try VQModel(config: [
            ("block_out_channels", DscriptFixtureTests.numbers([4, 8])),
            ("down_block_types", DscriptFixtureTests.strings(["DownEncoderBlock2D", "DownEncoderBlock2D"])),
            ("up_block_types", DscriptFixtureTests.strings(["UpDecoderBlock2D", "UpDecoderBlock2D"])),
            ("norm_num_groups", .number(4)), ("num_vq_embeddings", .number(16)), ("scaling_factor", .number(0.7)),
        ], generator: RandomGenerator(seed: 33))
        let ldm = try Pipeline(kind: .ldm, unet: tinyUNet(channels: 3, size: 4, seed: 34),
                               schedule: Schedule(kind: "scaled_linear", betaStart: 0.0015, betaEnd: 0.0195), vqvae: vq)
        return [("ddpm", ddpm), ("ddim", ddim), ("ldm", ldm)]
    }

    /// (a) `model_index.json` and the scheduler config as text, every model folder file for file.
    func testWritesCommittedFolders() throws {
        for (name, pipeline) in try Self.pipelines() {
            let want = Self.root.appendingPathComponent(name)
            let temp = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-pipeline-\(name)-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: temp) }
            try pipeline.save(to: temp.path)
            for file in [Pipeline.indexName, "scheduler/" + SchedulerConfig.fileName] {
                XCTAssertEqual(try String(contentsOf: temp.appendingPathComponent(file), encoding: .utf8),
                               try String(contentsOf: want.appendingPathComponent(file), encoding: .utf8), "\(name)/\(file)")
            }
            for (part, value) in pipeline.components {
                guard case .model(let m) = value else { continue }
                try DscriptFixtureTests.checkWrites(m, folder: want.appendingPathComponent(part), "\(name)/\(part)")
            }
        }
    }

    /// (b) dscript samples its own folders as diffusers did.
    func testSamplesAsDiffusers() throws {
        let steps = ["ddpm": 40, "ddim": 25, "ldm": 15]
        for (name, _) in try Self.pipelines() {
            let dir = Self.root.appendingPathComponent(name).path
            let p = try Pipeline.load(from: dir, generator: RandomGenerator(seed: 0)).pipeline
            let io = try Safetensors.read(path: dir + "/io.safetensors")
            let (noise, drawn) = PipelineGoldenTests.noises(io, prefix: "noise.")
            let images = try p.sample(steps: steps[name], initialNoise: io["x_T"], noise: noise)
            XCTAssertEqual(drawn().0, drawn().1, "\(name): every stored noise drawn once")
            try PipelineGoldenTests.check(images, io, name)
        }
    }
}
