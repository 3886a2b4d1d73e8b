import DSDiffusion
import DSEngine
import XCTest

/// DDPM and DDIM steps against diffusers' `DDPMScheduler.step` / `DDIMScheduler.step`
/// (`ddpm_steps.json`, `ddim_steps.json`). "64" values come from diffusers' own step code running on the
/// float64 schedule and float64 tensors, so dscript (float64 arithmetic, float32 results) must agree to
/// float32 rounding; "32" values are diffusers as shipped (float32 schedule), compared loosely.
final class StepTests: XCTestCase {
    static let tight = (rel: 2e-6, abs: 2e-6)
    /// Measured worst float32 deviation: 6.7e-5·(1 + |x|) (DDPM x_prev at t = 1, from 1 − ᾱ in float32).
    static let loose = (rel: 1e-4, abs: 1e-4)

    /// x_prev and x_0 of `result` against the entry's float64 values (tightly) and float32 ones (loosely).
    func assertMatches(_ result: StepResult, _ entry: [String: Any], _ name: String) throws {
        for (precision, tolerance) in [("64", Self.tight), ("32", Self.loose)] {
            assertClose(result.xPrev, try entry.doubles("x_prev" + precision), rel: tolerance.rel, abs: tolerance.abs,
                        "\(name) x_prev\(precision)")
            assertClose(result.x0, try entry.doubles("x0_" + precision), rel: tolerance.rel, abs: tolerance.abs,
                        "\(name) x0_\(precision)")
        }
    }

    func testDDPMStepMatchesDiffusers() throws {
        let entries = try Fixture.entries("ddpm_steps.json")
        XCTAssertEqual(entries.count, 81)
        var schedules: [String: Schedule] = [:]
        for entry in entries {
            let kind = try entry.string("schedule"), zsnr = try entry.bool("rescale_zero_snr")
            let key = "\(kind)/\(zsnr)"
            let schedule = try schedules[key] ?? Schedule(kind: kind, steps: entry.int("T"), rescaleZeroTerminalSNR: zsnr)
            schedules[key] = schedule
            let shape = try entry.ints("shape")
            let t = try entry.int("t"), tPrev = try entry.int("t_prev")
            let threshold = try entry.bool("threshold")
                ? DynamicThreshold(ratio: entry.double("threshold_ratio"), maxValue: entry.double("threshold_max")) : nil
            let result = try ddpmStep(
                schedule, modelOutput: entry.tensor("model_output", shape: entry.ints("model_shape")), t: t,
                xt: entry.tensor("xt", shape: shape), noise: entry.tensor("noise", shape: shape), tPrev: tPrev,
                settings: SamplerSettings(prediction: Prediction(name: entry.string("prediction")), clip: entry.bool("clip"),
                                          threshold: threshold, variance: VarianceType(name: entry.string("variance"))))
            let name = "ddpm \(key) \(try entry.string("prediction")) \(try entry.string("variance")) clip=\(try entry.bool("clip")) thr=\(threshold != nil) t=\(t)→\(tPrev)"
            try assertMatches(result, entry, name)
        }
    }

    func testDDIMStepMatchesDiffusers() throws {
        let entries = try Fixture.entries("ddim_steps.json")
        XCTAssertEqual(entries.count, 74)
        let schedule = try Schedule(kind: "linear")
        for entry in entries {
            let shape = try entry.ints("shape"), t = try entry.int("t"), tPrev = try entry.int("t_prev_diffusers")
            let result = try ddimStep(
                schedule, modelOutput: entry.tensor("model_output", shape: shape), t: t, tPrev: tPrev,
                xt: entry.tensor("xt", shape: shape), eta: entry.double("eta"), noise: entry.tensor("noise", shape: shape),
                settings: SamplerSettings(prediction: Prediction(name: entry.string("prediction")), clip: entry.bool("clip")),
                useClippedModelOutput: entry.bool("use_clipped_model_output"))
            let name = "ddim \(try entry.string("prediction")) eta=\(try entry.double("eta")) clip=\(try entry.bool("clip")) t=\(t)→\(tPrev)"
            XCTAssertEqual(try ddimVariance(schedule, t: t, tPrev: tPrev), try entry.double("variance64"),
                           accuracy: 1e-12, name)
            try assertMatches(result, entry, name)
        }
    }

    /// diffusers' `DDIMScheduler.step` uses prev = t − T // steps = 899 for linspace spacing, whose list
    /// says 888. dscript's samplers step to the list's next timestep; `ddimStep` with 899 reproduces diffusers.
    func testLinspaceDeliberateDifference() throws {
        let entry = try XCTUnwrap(try Fixture.entries("ddim_steps.json").first { ($0["spacing"] as? String) == "linspace" })
        XCTAssertEqual(try entry.int("t_prev_diffusers"), 899)
        XCTAssertEqual(try entry.int("t_prev_list"), 888)
        let schedule = try Schedule(kind: "linear")
        XCTAssertEqual(try ddimTimesteps(schedule, steps: 10, spacing: .linspace)[1], 888)
        let shape = try entry.ints("shape")
        let real = try ddimStep(schedule, modelOutput: entry.tensor("model_output", shape: shape), t: 999, tPrev: 888,
                                xt: entry.tensor("xt", shape: shape))
        let want = try entry.doubles("x_prev64")
        let gap = zip(real.xPrev.scalars, want).map { Swift.abs(Double($0) - $1) }.max() ?? 0
        XCTAssertGreaterThan(gap, 1e-3, "stepping to 888 must differ from diffusers' step to 899")
    }

    /// DDIM eq. 16: with η = 1 and consecutive timesteps the DDIM step is the DDPM step with σ² = β̃_t.
    func testDDIMWithEtaOneIsDDPMFixedSmall() throws {
        let s = try Schedule(kind: "cosine", steps: 100)
        let x = Tensor(shape: [2, 2], scalars: [0.3, -1.1, 0.8, 0.05])
        let eps = Tensor(shape: [2, 2], scalars: [0.5, 0.2, -0.9, 1.3])
        let z = Tensor(shape: [2, 2], scalars: [-0.4, 0.7, 0.1, -1.5])
        for t in [1, 37, 99] {
            for prediction in Prediction.allCases {
                let settings = SamplerSettings(prediction: prediction)
                let ddim = try ddimStep(s, modelOutput: eps, t: t, tPrev: t - 1, xt: x, eta: 1, noise: z, settings: settings)
                let ddpm = try ddpmStep(s, modelOutput: eps, t: t, xt: x, noise: z, settings: settings)
                assertClose(ddim.xPrev, ddpm.xPrev.scalars.map(Double.init), rel: 1e-5, abs: 1e-5, "t=\(t) \(prediction)")
            }
        }
    }

    func testStepErrors() throws {
        let s = try Schedule(kind: "linear", steps: 10)
        let x = Tensor(shape: [2, 3], scalars: [Float](repeating: 0.5, count: 6))
        let wrong = Tensor(shape: [3, 2], scalars: [Float](repeating: 0.5, count: 6))
        XCTAssertThrowsError(try ddpmStep(s, modelOutput: wrong, t: 5, xt: x, noise: x)) {
            XCTAssertEqual("\($0)", "model output has shape [3, 2] but x_t has shape [2, 3]")
        }
        XCTAssertThrowsError(try ddpmStep(s, modelOutput: x, t: 10, xt: x, noise: x)) {
            XCTAssertEqual("\($0)", "timestep 10 is outside [0, 10) for this 10-step schedule")
        }
        XCTAssertThrowsError(try ddpmStep(s, modelOutput: x, t: 5, xt: x, noise: nil)) {
            XCTAssertEqual("\($0)", "ddpm_step at t = 5 > 0 needs noise shaped like x_t")
        }
        XCTAssertThrowsError(try ddpmStep(s, modelOutput: x, t: 5, xt: x, noise: x, settings: SamplerSettings(variance: .learnedRange))) {
            XCTAssertTrue("\($0)".hasPrefix("a learned variance needs a model output with twice the channels"))
        }
        XCTAssertThrowsError(try ddimStep(s, modelOutput: x, t: 5, tPrev: 3, xt: x, eta: -0.5)) {
            XCTAssertEqual("\($0)", "eta must be a number ≥ 0, got -0.5")
        }
        XCTAssertThrowsError(try ddimStep(s, modelOutput: x, t: 5, tPrev: 7, xt: x)) {
            XCTAssertEqual("\($0)", "previous timestep 7 must be smaller than t = 5")
        }
        XCTAssertThrowsError(try ddimStep(s, modelOutput: x, t: 5, tPrev: 3, xt: x, eta: 1)) {
            XCTAssertEqual("\($0)", "ddim_step with eta > 0 needs noise shaped like x_t")
        }
        XCTAssertThrowsError(try ddimStep(s, modelOutput: x, t: 5, tPrev: 3, xt: x, settings: SamplerSettings(clip: true, clipRange: 0))) {
            XCTAssertEqual("\($0)", "clip range must be a positive number, got 0.0")
        }
        XCTAssertThrowsError(try DynamicThreshold(ratio: 1.5)) {
            XCTAssertEqual("\($0)", "threshold ratio must lie in (0, 1], got 1.5")
        }
        // Last DDPM step: no noise needed, and DDIM's last step (tPrev < 0) returns x̂_0.
        let last = try ddpmStep(s, modelOutput: x, t: 0, xt: x, noise: nil)
        XCTAssertEqual(last.xPrev.shape, [2, 3])
        let ddimLast = try ddimStep(s, modelOutput: x, t: 2, tPrev: -1, xt: x)
        XCTAssertEqual(ddimLast.xPrev.scalars, ddimLast.x0.scalars)
    }
}
