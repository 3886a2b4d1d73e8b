import DSDiffusion
import DSEngine
import XCTest

/// A schedule's `SamplerSettings` reach every step and sampler, and an explicit `settings:` wins.
final class SamplerSettingsTests: XCTestCase {
    let x = Tensor(shape: [2, 2], scalars: [0.3, -1.1, 0.8, 0.05])
    let out = Tensor(shape: [2, 2], scalars: [0.5, 0.2, -0.9, 1.3])

    func testSamplersReadTheScheduleSettings() throws {
        let plain = try Schedule(kind: "linear", steps: 100)
        let settings = SamplerSettings(prediction: .v, clip: true, clipRange: 0.5, spacing: .trailing)
        let carried = try plain.with(settings)
        XCTAssertEqual(carried.settings, settings)
        XCTAssertEqual(plain.settings, SamplerSettings())
        XCTAssertEqual(carried.alphaBar, plain.alphaBar)
        let model: DenoiserModel = { x, t in try x.mul(0.3).add(Float(t[0]) / 100) }
        let noUse: NoiseSource = { _ in throw DiffusionError("no noise at eta 0") }
        let fromSchedule = try ddimSample(model, schedule: carried, shape: [2, 2], noise: noUse, steps: 7, initialNoise: x)
        let explicit = try ddimSample(model, schedule: plain, shape: [2, 2], noise: noUse, steps: 7, settings: settings,
                                      initialNoise: x)
        let defaults = try ddimSample(model, schedule: plain, shape: [2, 2], noise: noUse, steps: 7, initialNoise: x)
        XCTAssertEqual(fromSchedule.timesteps, [99, 85, 70, 56, 42, 28, 13])   // numpy: round(arange(100, 0, -100/7)) - 1
        XCTAssertEqual(fromSchedule.sample.scalars, explicit.sample.scalars)
        XCTAssertNotEqual(fromSchedule.sample.scalars, defaults.sample.scalars)
        XCTAssertLessThanOrEqual(fromSchedule.sample.scalars.map(Swift.abs).max() ?? 1, 0.5, "x̂_0 clipped to ±0.5")
        // DDIMScheduler(num_train_timesteps=100, timestep_spacing="trailing" / steps_offset=1).set_timesteps(4)
        XCTAssertEqual(try ddimTimesteps(carried, steps: 4), [99, 74, 49, 24])
        let offset = try plain.with(SamplerSettings(stepsOffset: 1))
        XCTAssertEqual(try ddimTimesteps(offset, steps: 4), [76, 51, 26, 1])
    }

    /// `set_alpha_to_one = false`: the step after the last uses ᾱ_0, i.e. the same numbers as a step to t = 0.
    func testFinalAlphaBar() throws {
        let s = try Schedule(kind: "linear", steps: 50).with(SamplerSettings(setAlphaToOne: false))
        let z = Tensor(shape: [2, 2], scalars: [1, -1, 0.5, 0.25])
        let toEnd = try ddimStep(s, modelOutput: out, t: 10, tPrev: -1, xt: x, eta: 0.5, noise: z)
        let toZero = try ddimStep(s, modelOutput: out, t: 10, tPrev: 0, xt: x, eta: 0.5, noise: z)
        XCTAssertEqual(toEnd.xPrev.scalars, toZero.xPrev.scalars)
        let one = try ddimStep(s, modelOutput: out, t: 10, tPrev: -1, xt: x, settings: SamplerSettings())
        XCTAssertEqual(one.xPrev.scalars, one.x0.scalars, "with ᾱ = 1 the last step returns x̂_0")
    }

    /// The `_log` variances sample with the variance their names mean; `learned` reads a raw variance.
    func testVarianceTypes() throws {
        let s = try Schedule(kind: "linear", steps: 100)
        let z = Tensor(shape: [2, 2], scalars: [1, -1, 0.5, 0.25])
        func step(_ v: VarianceType, _ output: Tensor? = nil) throws -> [Float] {
            try ddpmStep(s, modelOutput: output ?? out, t: 40, xt: x, noise: z, settings: SamplerSettings(variance: v)).xPrev.scalars
        }
        let small = try step(.fixedSmall), large = try step(.fixedLarge)
        XCTAssertEqual(try step(.fixedSmallLog), small)
        XCTAssertEqual(try step(.fixedLargeLog), large)
        XCTAssertNotEqual(small, large)
        // learned: [prediction | variance] on axis 1; a variance of β_t gives fixed_large's numbers.
        let beta = Float(s.betas[40])
        let twoHeaded = Tensor(shape: [2, 4], scalars: [0.5, 0.2, beta, beta, -0.9, 1.3, beta, beta])
        let learned = try step(.learned, twoHeaded)
        for (a, b) in zip(learned, large) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testInvalidSettingsAreRefused() throws {
        let s = try Schedule(kind: "linear", steps: 10)
        XCTAssertThrowsError(try s.with(SamplerSettings(stepsOffset: -1))) {
            XCTAssertEqual("\($0)", "steps_offset must be ≥ 0, got -1")
        }
        XCTAssertThrowsError(try Schedule(kind: "linear", settings: SamplerSettings(clipRange: .nan))) {
            XCTAssertEqual("\($0)", "clip range must be a positive number, got nan")
        }
    }
}
