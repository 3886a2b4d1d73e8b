import DSDiffusion
@testable import DSEngine
import Foundation
import XCTest

/// Which steps a pipeline's loop runs (its scheduler's class, as in diffusers) and `sample(sampler:)`, a
/// sampler chosen for a pipeline as diffusers users swap its scheduler. Fixtures `ddpm_ddim/`, `ldm_ddpm/`
/// and `swapped/` in `Tests/Fixtures/pipelines/`, made by
/// `/work/venv-ref/bin/python scripts/make-pipeline-goldens.py --scheduler-classes`.
///
/// The swapped schedulers have no float64 run in diffusers: dscript (float64 schedule and steps) is
/// compared with diffusers' float32 images within 1e-5 (measured: DPM-Solver++ with Karras σs 4.4e-6, Euler
/// on the LDM 5.4e-7; diffusers' own float32 error on these folders' DDPM and DDIM loops reaches 2.7e-6).
final class PipelineSchedulerTests: XCTestCase {
    let none: NoiseSource = { _ in throw DiffusionTestError("this loop draws no noise") }

    /// A DDPMPipeline over a DDIMScheduler runs DDIM steps with η = 0 (diffusers' DDPMPipeline passes no
    /// eta), with the DDIM config's trailing spacing (no offset there), clipping and final ᾱ = ᾱ_0.
    func testDDPMPipelineRunsItsDDIMScheduler() throws {
        let (p, io) = try PipelineGoldenTests.fixture("ddpm_ddim")
        XCTAssertEqual(p.kind, .ddpm)
        XCTAssertEqual(p.schedulerClass, "DDIMScheduler")
        XCTAssertEqual(try p.loopSampler(.ddpm), .ddim)
        let images = try p.sample(steps: 20, initialNoise: io["x_T"], noise: none)
        // This loop (trailing: from t = 999) amplifies the float32 rounding of the unet: diffusers' own float32
        // run is 1.9e-5 from its float64 one, dscript's 2.2e-5 (and 2.4e-5 from diffusers as shipped).
        let own = try PipelineGoldenTests.maxDiff(XCTUnwrap(io["images"]), io["images64"])
        try PipelineGoldenTests.check(images, io, tight: Swift.max(2e-6, 2 * own), "DDPMPipeline with DDIM steps")
        XCTAssertThrowsError(try p.sample(steps: 20, eta: 0.5, initialNoise: io["x_T"], noise: none)) {
            XCTAssertEqual("\($0)", "DDPMPipeline: DDPM sampling has no eta (DDIMPipeline and LDMPipeline take one)")
        }
    }

    /// An LDMPipeline over a DDPMScheduler runs DDPM steps, one stored noise per step with t > 0.
    func testLDMPipelineRunsItsDDPMScheduler() throws {
        let (p, io) = try PipelineGoldenTests.fixture("ldm_ddpm")
        XCTAssertEqual(p.kind, .ldm)
        XCTAssertEqual(try p.loopSampler(.ldm), .ddpm)
        let (noise, drawn) = PipelineGoldenTests.noises(io, prefix: "noise.")
        let images = try p.sample(steps: 10, initialNoise: io["x_T"], noise: noise)
        XCTAssertEqual(drawn().0, drawn().1, "every stored step noise is drawn once")
        try PipelineGoldenTests.check(images, io, "LDMPipeline with DDPM steps")
        XCTAssertThrowsError(try p.sample(steps: 10, eta: 0.5, noise: none)) {
            XCTAssertTrue("\($0)".hasPrefix("LDMPipeline: its DDPMScheduler's step takes no eta"), "\($0)")
        }
        // DDIMPipeline converts any scheduler to DDIM, whatever the folder holds
        let ddim = Pipeline(className: "DDIMPipeline", kind: .ddim, components: p.components.filter { $0.name != "vqvae" })
        XCTAssertEqual(try ddim.loopSampler(.ddim), .ddim)
    }

    /// `pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config, use_karras_sigmas=True)`
    /// on the DDPM folder, and EulerDiscreteScheduler on the LDM folder (leading spacing: LDMPipeline scales
    /// x_T by the training σ_max's init_noise_sigma, see `Pipeline.ldmStart`; the latents decoded by the VQ model).
    func testSwappedSchedulersMatchDiffusers() throws {
        let io = try Safetensors.read(path: PipelineGoldenTests.folder.appendingPathComponent("swapped/io.safetensors").path)
        let (ddpm, _) = try PipelineGoldenTests.fixture("ddpm")
        let dpm = try ddpm.sample(steps: 12, initialNoise: io["dpm.x_T"], noise: none, sampler: .dpmpp2m, karras: true)
        XCTAssertLessThan(try PipelineGoldenTests.maxDiff(dpm, io["dpm.images"]), 1e-5, "dpmpp_2m, karras")
        let (ldm, _) = try PipelineGoldenTests.fixture("ldm")
        let euler = try ldm.sample(steps: 10, initialNoise: io["euler.x_T"], noise: none, sampler: .euler)
        XCTAssertLessThan(try PipelineGoldenTests.maxDiff(euler, io["euler.images"]), 1e-5, "euler on the LDM")
        // the same call without karras walks other σs: the comparison can fail
        let plain = try ddpm.sample(steps: 12, initialNoise: io["dpm.x_T"], noise: none, sampler: .dpmpp2m)
        XCTAssertGreaterThan(try PipelineGoldenTests.maxDiff(plain, io["dpm.images"]), 1e-3)
    }

    /// A pipeline whose folder holds the swapped scheduler runs it in its own loop, as diffusers'
    /// DDPMPipeline and LDMPipeline do: the same images as `sampler:` gives (DPM-Solver++ with Karras σs,
    /// from its class's config, in the DDPM loop; Euler in the LDM loop).
    func testOwnLoopRunsTheOtherSchedulerClasses() throws {
        let io = try Safetensors.read(path: PipelineGoldenTests.folder.appendingPathComponent("swapped/io.safetensors").path)
        let (ddpm, _) = try PipelineGoldenTests.fixture("ddpm")
        let config = [("_class_name", ConfigValue.string("DPMSolverMultistepScheduler")), ("use_karras_sigmas", .bool(true))]
            + SchedulerConfig.entries(for: try XCTUnwrap(ddpm.schedule)).filter { $0.0 != "use_karras_sigmas" }
        let p = Self.swapping(ddpm, to: try SchedulerConfig.parse(config, source: "test"))
        XCTAssertEqual(try p.loopSampler(.ddpm), .dpmpp2m)
        let dpm = try p.sample(steps: 12, initialNoise: io["dpm.x_T"], noise: none)
        XCTAssertLessThan(try PipelineGoldenTests.maxDiff(dpm, io["dpm.images"]), 1e-5, "DDPMPipeline over DPM-Solver++")
        XCTAssertThrowsError(try p.sample(steps: 12, eta: 0.5, noise: none)) {
            XCTAssertEqual("\($0)", "DDPMPipeline: DDPM sampling has no eta (DDIMPipeline and LDMPipeline take one)")
        }
        let (ldm, _) = try PipelineGoldenTests.fixture("ldm")
        let euler = Self.swapping(ldm, to: try SchedulerConfig.parse(
            [("_class_name", .string("EulerDiscreteScheduler"))] + SchedulerConfig.entries(for: try XCTUnwrap(ldm.schedule)),
            source: "test"))
        XCTAssertEqual(try euler.loopSampler(.ldm), .euler)
        let images = try euler.sample(steps: 10, initialNoise: io["euler.x_T"], noise: none)
        XCTAssertLessThan(try PipelineGoldenTests.maxDiff(images, io["euler.images"]), 1e-5, "LDMPipeline over Euler")
        XCTAssertThrowsError(try euler.sample(steps: 10, eta: 0.5, noise: none)) {
            XCTAssertTrue("\($0)".hasPrefix("LDMPipeline: its EulerDiscreteScheduler's step takes no eta"), "\($0)")
        }
        // DPM-Solver's algorithm_type picks the sampler; one dscript does not run is refused by name
        let sde = Self.swapping(ddpm, to: try SchedulerConfig.parse(config + [("algorithm_type", .string("sde-dpmsolver++"))], source: "test"))
        XCTAssertEqual(try sde.loopSampler(.ddpm), .dpmpp2mSDE)
        for (key, value) in [("algorithm_type", ConfigValue.string("dpmsolver")), ("solver_order", .number(3))] {
            let other = Self.swapping(ddpm, to: try SchedulerConfig.parse(config + [(key, value)], source: "test"))
            XCTAssertThrowsError(try other.sample(steps: 4, noise: none)) {
                XCTAssertTrue("\($0)".hasPrefix("DDPMPipeline: its scheduler is DPMSolverMultistepScheduler with \(key) \(value.json), "
                                                + "which dscript does not run; choose a sampler instead: p.sample(sampler: \"dpmpp_2m\")"), "\($0)")
            }
        }
    }

    /// `p` with its scheduler replaced by `config` (schedule, class and values), as a folder holding it loads.
    static func swapping(_ p: Pipeline, to config: SchedulerConfig) -> Pipeline {
        let parts = p.components.map { part -> (name: String, value: PipelineComponent) in
            guard case .scheduler = part.value else { return part }
            return (part.name, .scheduler(config.schedule, className: config.className ?? ""))
        }
        return Pipeline(className: p.className, kind: p.kind, components: parts, schedulerConfig: config.values)
    }

    /// A scheduler class the loop cannot run is refused by name, pointing to `sampler:`; with it the pipeline samples.
    func testOtherSchedulerClassesAreRefusedInTheLoop() throws {
        let (ddpm, _) = try PipelineGoldenTests.fixture("ddpm")
        let pndm = try SchedulerConfig.parse([("_class_name", .string("PNDMScheduler"))], source: "test")
        let p = Self.swapping(ddpm, to: pndm)
        XCTAssertThrowsError(try p.sample(steps: 4, noise: none)) {
            XCTAssertEqual("\($0)", "DDPMPipeline: its scheduler is PNDMScheduler; choose a sampler instead: "
                           + "p.sample(sampler: \"ddim\") (one of ddpm, ddim, dpmpp_2m, dpmpp_2m_sde, euler, euler_a, heun, unipc)")
        }
        let g = RandomGenerator(seed: 5)
        let images = try p.sample(steps: 4, noise: { try Tensor.randn($0, generator: g) }, sampler: .euler)
        XCTAssertEqual(images.shape, [1, 3, 8, 8])
        XCTAssertThrowsError(try ddpm.sample(steps: 4, noise: none, karras: true)) {
            XCTAssertTrue("\($0)".hasPrefix("DDPMPipeline: karras applies with sampler:"), "\($0)")
        }
    }

    /// The class model_index.json names is the one read (diffusers builds it from the file, whatever its
    /// `_class_name`): a DDPMPipeline naming DDPMScheduler over a DDIMScheduler file runs DDPM steps.
    func testModelIndexNamesTheSchedulerClass() throws {
        let dir = try Fixture.copy(PipelineGoldenTests.folder.appendingPathComponent("ddpm_ddim"), label: "index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent(Pipeline.indexName)
        let text = try String(contentsOf: index, encoding: .utf8)
        XCTAssertTrue(text.contains("\"DDIMScheduler\""))
        try Data(text.replacingOccurrences(of: "\"DDIMScheduler\"", with: "\"DDPMScheduler\"").utf8).write(to: index)
        let (p, warnings) = try Pipeline.load(from: dir.path, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(p.schedulerClass, "DDPMScheduler")
        XCTAssertEqual(try p.loopSampler(.ddpm), .ddpm)
        XCTAssertTrue(warnings.contains { $0.hasSuffix("_class_name is \"DDIMScheduler\" but the pipeline names DDPMScheduler; "
                                                       + "read as DDPMScheduler, as diffusers does") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("key 'set_alpha_to_one' is not a setting of DDPMScheduler") }, "\(warnings)")
    }

    /// `Cls.from_config(config)`: keys the class does not take are dropped (DPM-Solver does not clip),
    /// the others kept (Heun clips when the config says so); spacing, offset and prediction carry over.
    func testSettingsOfASwappedClass() throws {
        let settings = SamplerSettings(prediction: .v, clip: true, spacing: .trailing, stepsOffset: 1, variance: .fixedLarge)
        let s = try Schedule(kind: "linear", steps: 1000, betaStart: 0.0001, betaEnd: 0.02, settings: settings)
        XCTAssertEqual(try SchedulerConfig.settings(of: s, as: "DPMSolverMultistepScheduler"),
                       SamplerSettings(prediction: .v, spacing: .trailing, stepsOffset: 1, variance: .fixedLarge))
        XCTAssertEqual(try SchedulerConfig.settings(of: s, as: "HeunDiscreteScheduler"),
                       SamplerSettings(prediction: .v, clip: true, spacing: .trailing, stepsOffset: 1))
        XCTAssertEqual(try SchedulerConfig.settings(of: s, as: "DDPMScheduler"), settings)
    }
}
