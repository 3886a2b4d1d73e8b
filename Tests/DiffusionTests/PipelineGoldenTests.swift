import DSDiffusion
@testable import DSEngine
import Foundation
import XCTest

/// Pipeline folders written by diffusers (`Tests/Fixtures/pipelines/`, made by
/// `/work/venv-ref/bin/python scripts/make-pipeline-goldens.py`) load with `Pipeline.load` and sample
/// diffusers' images from the same x_T and step noises.
///
/// Each fixture holds diffusers' images as shipped (float32 schedule, `images`) and from diffusers' step
/// code on the float64 schedule (`images64`). dscript computes its schedules in float64, so it must
/// match `images64` to float32 rounding (2e-6), and `images` within twice diffusers' own float32 error
/// |images − images64| (measured: DDPM 2.7e-6, DDIM 2.7e-7 and 6.0e-7 with η = 0.5, LDM 0), at least 2e-6.
final class PipelineGoldenTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pipelines")

    static func fixture(_ name: String) throws -> (Pipeline, SafetensorsFile) {
        let dir = folder.appendingPathComponent(name).path
        let pipeline = try Pipeline.load(from: dir, generator: RandomGenerator(seed: 0)).pipeline
        return (pipeline, try Safetensors.read(path: dir + "/io.safetensors"))
    }

    /// The stored noises `prefix0`, `prefix1`, … handed out in order; the second value counts the draws.
    static func noises(_ io: SafetensorsFile, prefix: String) -> (NoiseSource, () -> (Int, Int)) {
        var stored: [Tensor] = []
        while let z = io[prefix + String(stored.count)] { stored.append(z) }
        var next = 0
        let source: NoiseSource = { shape in
            guard next < stored.count else { throw DiffusionTestError("the pipeline drew more noise than diffusers") }
            defer { next += 1 }
            XCTAssertEqual(stored[next].shape, shape)
            return stored[next]
        }
        return (source, { (next, stored.count) })
    }

    static func maxDiff(_ a: Tensor, _ b: Tensor?) throws -> Float {
        guard let b, a.shape == b.shape else { throw DiffusionTestError("shape \(a.shape) vs \(b?.shape ?? [])") }
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    /// `images` against the float64 reference (tight) and against diffusers as shipped (the two
    /// float32 errors add up: within twice diffusers' own, at least 2e-6).
    static func check(_ images: Tensor, _ io: SafetensorsFile, prefix: String = "", tight: Float = 2e-6, _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let want64 = try XCTUnwrap(io[prefix + "images64"]), want32 = try XCTUnwrap(io[prefix + "images"])
        XCTAssertLessThan(try Self.maxDiff(images, want64), tight, "\(what) against diffusers on the float64 schedule",
                          file: file, line: line)
        let float32Error = try Self.maxDiff(want32, want64)
        XCTAssertLessThanOrEqual(try Self.maxDiff(images, want32), Swift.max(2 * float32Error, 2e-6),
                                 "\(what) against diffusers as shipped (its own float32 error: \(float32Error))",
                                 file: file, line: line)
    }

    func testDDPMPipelineMatchesDiffusers() throws {
        let (p, io) = try Self.fixture("ddpm")
        XCTAssertEqual(p.kind, .ddpm)
        XCTAssertEqual(p.schedule?.settings.variance, .fixedLarge)
        let (noise, drawn) = Self.noises(io, prefix: "noise.")
        let images = try p.sample(steps: 50, initialNoise: io["x_T"], noise: noise)
        XCTAssertEqual(drawn().0, drawn().1, "every stored step noise is drawn once")
        try Self.check(images, io, "DDPM")
    }

    /// η = 0 needs x_T alone; η = 0.5 draws one noise per step. The folder holds a DDPMScheduler config
    /// (v-prediction, steps_offset 1) that DDIMPipeline converts to DDIM.
    func testDDIMPipelineMatchesDiffusers() throws {
        let (p, io) = try Self.fixture("ddim")
        XCTAssertEqual(p.kind, .ddim)
        XCTAssertEqual(p.schedule?.settings.prediction, .v)
        let none: NoiseSource = { _ in throw DiffusionTestError("η = 0 draws no noise") }
        let images = try p.sample(steps: 20, initialNoise: io["x_T"], noise: none)
        try Self.check(images, io, "DDIM η = 0")
        let (noise, drawn) = Self.noises(io, prefix: "eta.noise.")
        let noisy = try p.sample(steps: 20, eta: 0.5, initialNoise: io["eta.x_T"], noise: noise)
        XCTAssertEqual(drawn().0, drawn().1)
        try Self.check(noisy, io, prefix: "eta.", "DDIM η = 0.5")
    }

    func testLDMPipelineMatchesDiffusers() throws {
        let (p, io) = try Self.fixture("ldm")
        XCTAssertEqual(p.kind, .ldm)
        XCTAssertEqual(p.vqvae?.scalingFactor, 0.8)
        let none: NoiseSource = { _ in throw DiffusionTestError("η = 0 draws no noise") }
        let images = try p.sample(steps: 10, initialNoise: io["x_T"], noise: none)
        try Self.check(images, io, "LDM")
    }

    /// The first draw is x_T of the unet's sample_size; images lie in [0, 1].
    func testSamplingDrawsItsOwnNoise() throws {
        let (p, _) = try Self.fixture("ddim")
        let g = RandomGenerator(seed: 3)
        let images = try p.sample(batch: 3, steps: 4, noise: { try Tensor.randn($0, generator: g) })
        XCTAssertEqual(images.shape, [3, 3, 8, 8])
        XCTAssertTrue(images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// A Stable-Diffusion-style folder: the unet (UNet2DConditionModel), the vae and the scheduler load;
    /// the tokenizer and text encoder are named as not loaded; sampling is refused with the reason.
    func testOtherPipelinesLoadTheirParts() throws {
        let models = ModelGoldenTests.folder
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-sd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: models.appendingPathComponent("unet_cond"), to: dir.appendingPathComponent("unet"))
        try FileManager.default.copyItem(at: models.appendingPathComponent("vae_kl"), to: dir.appendingPathComponent("vae"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scheduler"), withIntermediateDirectories: true)
        try Data("""
            {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
             "num_train_timesteps": 1000, "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1}
            """.utf8).write(to: dir.appendingPathComponent("scheduler/scheduler_config.json"))
        try Data("""
            {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.6.0", "feature_extractor": [null, null],
             "requires_safety_checker": false, "safety_checker": [null, null], "scheduler": ["diffusers", "PNDMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}
            """.utf8).write(to: dir.appendingPathComponent("model_index.json"))
        let (p, warnings) = try Pipeline.load(from: dir.path, generator: RandomGenerator(seed: 0))
        XCTAssertNil(p.kind)
        XCTAssertEqual(p.components.map(\.name), ["scheduler", "text_encoder", "tokenizer", "unet", "vae"])
        XCTAssertTrue(p.model("unet") is UNet2DConditionModel)
        XCTAssertTrue(p.model("vae") is AutoencoderKL)
        XCTAssertEqual(p.schedule?.settings, SamplerSettings(stepsOffset: 1, setAlphaToOne: false))
        XCTAssertEqual(warnings.filter { $0.contains("is not loaded by dscript") }.count, 2)
        XCTAssertTrue(warnings.contains { $0.contains("'skip_prk_steps'") })
        XCTAssertTrue(p.options.contains { $0.0 == "requires_safety_checker" })
        XCTAssertThrowsError(try p.sample(noise: { _ in Tensor(0) })) {
            XCTAssertTrue("\($0)".hasPrefix("StableDiffusionPipeline: dscript loads this pipeline's parts but does not sample it"), "\($0)")
        }
        // a component named with a path ("../x") is refused: parts are folders of the pipeline, and
        // save_pretrained would write outside the folder it is given
        try Data(#"{"_class_name": "DDIMPipeline", "../unet_elsewhere": ["diffusers", "UNet2DModel"]}"#.utf8)
            .write(to: dir.appendingPathComponent("model_index.json"))
        XCTAssertThrowsError(try Pipeline.load(from: dir.path, generator: RandomGenerator(seed: 0))) {
            XCTAssertTrue("\($0)".hasSuffix("model_index.json: component '../unet_elsewhere' is not a folder name"), "\($0)")
        }
        let (_, io) = try ModelGoldenTests.fixture("unet_cond")
        let unet = try XCTUnwrap(p.model("unet") as? UNet2DConditionModel)
        let out = try unet.forward(XCTUnwrap(io["x"]), t: XCTUnwrap(io["t"]), context: XCTUnwrap(io["context"]))
        XCTAssertLessThan(try Self.maxDiff(out, io["out"]), 1e-4)
    }
}
