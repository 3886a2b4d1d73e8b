import DSDiffusion
import DSEngine
import XCTest

/// `sample()` reads the schedule's settings and handles models with a learned variance.
final class SampleSettingsTests: XCTestCase {
    let start = Tensor(shape: [2, 1, 1, 2], scalars: [0.4, -1.1, 0.9, 0.2])

    /// out = 0.3·x + 0.001·t per channel; with `learned`, a second channel of 0.5 is appended.
    func model(learned: Bool) -> ConditionalModel {
        { x, t, _ in
            let prediction = x.scalars.map { 0.3 * $0 + Float(0.001 * t) }
            guard learned else { return Tensor(shape: x.shape, scalars: prediction) }
            let b = x.shape[0], inner = x.count / b
            var out: [Float] = []
            for i in 0..<b { out += prediction[(i * inner)..<((i + 1) * inner)] + [Float](repeating: 0.5, count: inner) }
            return Tensor(shape: [b, 2 * x.shape[1]] + x.shape.dropFirst(2), scalars: out)
        }
    }

    func run(_ s: Schedule, _ sampler: SamplerKind, learned: Bool, settings: SamplerSettings? = nil) throws -> SamplerRun {
        var options = SamplerOptions()
        options.steps = 6
        options.settings = settings
        return try sample(model(learned: learned), schedule: s, sampler: sampler, shape: start.shape,
                          noise: { _ in self.start }, initialNoise: start,
                          options: options)
    }

    func testSpacingAndPredictionComeFromTheSchedulesSettings() throws {
        var settings = SamplerSettings(prediction: .v, spacing: .trailing)
        let s = try Schedule(kind: "linear", steps: 1000, settings: settings)
        let given = try run(try Schedule(kind: "linear", steps: 1000), .dpmpp2m, learned: false, settings: settings)
        let carried = try run(s, .dpmpp2m, learned: false)
        XCTAssertEqual(carried.timesteps, [999, 832, 666, 499, 332, 166])
        XCTAssertEqual(carried.sample.scalars, given.sample.scalars)
        settings.prediction = .eps
        XCTAssertNotEqual(try run(s, .dpmpp2m, learned: false, settings: settings).sample.scalars, given.sample.scalars)
    }

    func testLearnedVarianceModelsAreReadThroughTheirFirstChannels() throws {
        let s = try Schedule(kind: "linear", steps: 1000)
        let learned = SamplerSettings(variance: .learnedRange)
        for sampler in SamplerKind.allCases where sampler != .ddpm {
            let plain = try run(s, sampler, learned: false)
            let split = try run(s, sampler, learned: true, settings: learned)
            XCTAssertEqual(split.sample.scalars, plain.sample.scalars, sampler.rawValue)
        }
        XCTAssertThrowsError(try run(s, .euler, learned: false, settings: learned)) { error in
            XCTAssertEqual("\(error)", "the model returned shape [2, 1, 1, 2] for x_t of shape [2, 1, 1, 2] at t = 830 "
                           + "(a learned variance needs twice the channels: [2, 2, 1, 2])")
        }
    }
}
