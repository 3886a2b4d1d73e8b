import DSDiffusion
import DSEngine
import XCTest

/// Whole samplers against diffusers' step loops (`samplers.json`: DDPM with T = 20 and DDIM with
/// 10 leading steps, model ε(x, t) = 0.5·tanh(x) + 0.1·t/T, noise taken from the fixture in order).
final class SamplerTests: XCTestCase {
    /// The fixture's closed-form model.
    func toyModel(T: Int) -> DenoiserModel {
        { x, t in
            let inner = x.count / x.shape[0]
            let out = x.scalars.indices.map { i in 0.5 * tanh(x.scalars[i]) + 0.1 * Float(t[i / inner]) / Float(T) }
            return Tensor(shape: x.shape, scalars: out)
        }
    }

    func testSamplersMatchDiffusersLoops() throws {
        let entries = try Fixture.entries("samplers.json")
        XCTAssertEqual(entries.count, 4)
        for entry in entries {
            let shape = try entry.ints("shape"), T = try entry.int("T")
            let fixtureNoise = try FixtureNoise(entry, shape: shape, what: "the sampler"), noise = fixtureNoise.source
            let result: SampleResult
            if try entry.string("sampler") == "ddpm" {
                let s = try Schedule(kind: "linear", steps: T, betaStart: entry.double("beta_start"),
                                     betaEnd: entry.double("beta_end"))
                result = try ddpmSample(toyModel(T: T), schedule: s, shape: shape, noise: noise,
                                        settings: SamplerSettings(variance: VarianceType(name: entry.string("variance"))))
            } else {
                let s = try Schedule(kind: "linear", steps: T)
                result = try ddimSample(toyModel(T: T), schedule: s, shape: shape, noise: noise, steps: entry.int("steps"),
                                        eta: entry.double("eta"), settings: SamplerSettings(spacing: .leading))
            }
            XCTAssertEqual(fixtureNoise.undrawn, 0, "every fixture noise tensor is drawn exactly once")
            assertClose(result.sample, try entry.doubles("sample64"), rel: 1e-5, abs: 1e-5, "\(try entry.string("sampler")) sample")
        }
    }

    func testDDIMSamplerStepsToTheListsNextTimestep() throws {
        let s = try Schedule(kind: "linear")
        var seen: [Int] = []
        let model: DenoiserModel = { x, t in seen.append(t[0]); return Tensor(shape: x.shape, scalars: x.scalars.map { $0 * 0.3 }) }
        let start = Tensor(shape: [2, 2], scalars: [0.5, -1, 1.5, 0.25])
        let result = try ddimSample(model, schedule: s, shape: [2, 2], noise: { _ in XCTFail("no noise at eta 0"); return start },
                                    steps: 10, settings: SamplerSettings(spacing: .linspace), trajectory: true, initialNoise: start)
        XCTAssertEqual(seen, [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        XCTAssertEqual(result.timesteps, seen)
        XCTAssertEqual(result.trajectory.count, 11)
        XCTAssertEqual(result.predictedX0.count, 10)
        let first = try ddimStep(s, modelOutput: Tensor(shape: [2, 2], scalars: start.scalars.map { $0 * 0.3 }),
                                 t: 999, tPrev: 888, xt: start)
        XCTAssertEqual(result.trajectory[1].scalars, first.xPrev.scalars)
    }

    func testDDPMTrajectoryProgressAndInterrupt() throws {
        let s = try Schedule(kind: "linear", steps: 5)
        var reports: [[Int]] = []
        var draws = 0
        let noise: NoiseSource = { shape in draws += 1; return Tensor(shape: shape, scalars: [Float](repeating: 0.1, count: shape.reduce(1, *))) }
        let result = try ddpmSample(toyModel(T: 5), schedule: s, shape: [1, 2], noise: noise, trajectory: true,
                                    hooks: SamplerHooks(progress: { reports.append([$0, $1]) }))
        XCTAssertEqual(reports, [[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]])
        XCTAssertEqual(draws, 5)  // x_T and t = 4, 3, 2, 1
        XCTAssertEqual(result.timesteps, [4, 3, 2, 1, 0])
        XCTAssertEqual(result.trajectory.count, 6)
        var calls = 0
        let hooks = SamplerHooks(checkInterrupt: { calls += 1; if calls == 3 { throw DiffusionError.interrupted } })
        XCTAssertThrowsError(try ddpmSample(toyModel(T: 5), schedule: s, shape: [1, 2], noise: noise, hooks: hooks)) {
            XCTAssertEqual($0 as? DiffusionError, .interrupted)
        }
    }

    /// Strided DDPM (diffusers' DDPMScheduler after set_timesteps): the model sees the list's timesteps
    /// and each step uses the effective β between consecutive entries.
    func testStridedDDPM() throws {
        let s = try Schedule(kind: "linear", steps: 20, betaEnd: 0.2)
        var seen: [Int] = []
        let start = Tensor(shape: [1, 2], scalars: [0.4, -0.9])
        let z = Tensor(shape: [1, 2], scalars: [0.25, 0.5])
        let model: DenoiserModel = { x, t in seen.append(t[0]); return try self.toyModel(T: 20)(x, t) }
        let r = try ddpmSample(model, schedule: s, shape: [1, 2], noise: { _ in z }, steps: 5, trajectory: true,
                               initialNoise: start)
        XCTAssertEqual(seen, [16, 12, 8, 4, 0])
        let first = try ddpmStep(s, modelOutput: toyModel(T: 20)(start, [16]), t: 16, xt: start, noise: z, tPrev: 12)
        XCTAssertEqual(r.trajectory[1].scalars, first.xPrev.scalars)
        let full = try ddpmSample(toyModel(T: 20), schedule: s, shape: [1, 2], noise: { _ in z }, initialNoise: start)
        let explicit = try ddpmSample(toyModel(T: 20), schedule: s, shape: [1, 2], noise: { _ in z }, steps: 20, initialNoise: start)
        XCTAssertEqual(full.sample.scalars, explicit.sample.scalars)
    }

    func testSamplerErrors() throws {
        let s = try Schedule(kind: "linear", steps: 10)
        let noise: NoiseSource = { Tensor(shape: $0, scalars: [Float](repeating: 0, count: $0.reduce(1, *))) }
        let bad: DenoiserModel = { _, _ in Tensor(shape: [3], scalars: [0, 0, 0]) }
        XCTAssertThrowsError(try ddpmSample(bad, schedule: s, shape: [2, 2], noise: noise)) {
            XCTAssertEqual("\($0)", "the model returned shape [3] for x_t of shape [2, 2] at t = 9")
        }
        XCTAssertThrowsError(try ddimSample(toyModel(T: 10), schedule: s, shape: [2, 2], noise: noise, steps: 11)) {
            XCTAssertEqual("\($0)", "cannot sample with 11 steps from a schedule of 10 timesteps (steps must be ≤ T)")
        }
        XCTAssertThrowsError(try ddimSample(toyModel(T: 10), schedule: s, shape: [2, 2], noise: noise, steps: 5, eta: -1)) {
            XCTAssertEqual("\($0)", "eta must be a number ≥ 0, got -1.0")
        }
        XCTAssertThrowsError(try ddimSample(toyModel(T: 10), schedule: s, shape: [2, 0], noise: noise, steps: 5)) {
            XCTAssertEqual("\($0)", "sample shape must be a non-empty list of positive sizes, got [2, 0]")
        }
        let wrongNoise: NoiseSource = { _ in Tensor(shape: [1], scalars: [0]) }
        XCTAssertThrowsError(try ddimSample(toyModel(T: 10), schedule: s, shape: [2, 2], noise: wrongNoise, steps: 5)) {
            XCTAssertEqual("\($0)", "the noise source returned shape [1], expected [2, 2]")
        }
    }

    /// For data x_0 ~ N(0, σ²I) the exact ε-predictor is ε̂(x_t) = √(1−ᾱ_t)·x_t / (ᾱ_t σ² + 1 − ᾱ_t), and the
    /// DDIM ODE maps N(0, σ²) onto N(0, 1): x_T ≈ x_0/σ. Sampling back from x_T must recover x_0.
    func testInversionReconstructs() throws {
        let s = try Schedule(kind: "linear")
        let sigma2 = 0.25
        let model: DenoiserModel = { x, t in
            let a = s.alphaBar[t[0]]
            return Tensor(shape: x.shape, scalars: x.scalars.map { Float(Double($0) * (1 - a).squareRoot() / (a * sigma2 + 1 - a)) })
        }
        let x0 = Tensor(shape: [2, 3], scalars: [0.8, -0.3, 1.2, -1.1, 0.05, 0.6])
        // Inversion evaluates the model one level early (as diffusers does), a first-order error:
        // measured mse 4.6e-2 / 1.8e-3 / 1.1e-4 / 4.4e-6 for 10 / 50 / 200 / 1000 steps.
        let r50 = try ddimReconstruction(model, schedule: s, x0: x0, steps: 50)
        let r200 = try ddimReconstruction(model, schedule: s, x0: x0, steps: 200)
        XCTAssertLessThan(r50.mse, 3e-3)
        XCTAssertLessThan(r200.mse, r50.mse / 10)
        assertClose(r200.xT, x0.scalars.map { Double($0) * 2 }, rel: 0.05, abs: 1e-3, "x_T ≈ x_0 / σ")
    }
}
