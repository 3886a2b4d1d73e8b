import DSDiffusion
import DSEngine
import XCTest

/// `sample()` against whole runs of diffusers' schedulers in float64 (`sampler_runs.json`, made by
/// `scripts/make-sampler-goldens.py`): every model call's timestep and input, and the final sample,
/// for each sampler × spacing × Karras σs, the three predictions, other schedules, zero terminal SNR,
/// steps_offset, thresholding, clipping, class labels and classifier-free guidance.
final class SamplerRunTests: XCTestCase {
    /// The fixture's model: out(x, t, y) = 0.5·tanh(x) + 0.1·t/T + 0.2·(y − 1)·cos(x), y = null without labels.
    static func toyModel(T: Int, null: Int, record: @escaping (Tensor, Double, [Int]?) -> Void) -> ConditionalModel {
        { x, t, labels in
            record(x, t, labels)
            let batch = x.shape[0], inner = x.count / batch
            let out = (0..<x.count).map { i -> Double in
                let v = Double(x.scalars[i]), y = Double(labels?[i / inner] ?? null)
                return 0.5 * tanh(v) + 0.1 * t / Double(T) + 0.2 * (y - 1) * cos(v)
            }
            return Tensor(shape: x.shape, scalars: out.map { Float($0) })
        }
    }

    static func schedule(_ entry: [String: Any]) throws -> Schedule {
        let kind = try entry.string("schedule"), rescale = try entry.bool("rescale")
        if kind == "scaled_linear" {
            return try Schedule(kind: kind, steps: 1000, betaStart: 0.00085, betaEnd: 0.012, rescaleZeroTerminalSNR: rescale)
        }
        return try Schedule(kind: kind, steps: 1000, rescaleZeroTerminalSNR: rescale)
    }

    static func options(_ entry: [String: Any]) throws -> SamplerOptions {
        var options = SamplerOptions()
        options.steps = try entry.int("steps")
        options.karras = try entry.bool("karras")
        options.eta = try entry.double("eta")
        var settings = SamplerSettings(prediction: try Prediction(name: entry.string("prediction")), clip: try entry.bool("clip"),
                                       spacing: try TimestepSpacing(name: entry.string("spacing")),
                                       stepsOffset: try entry.int("steps_offset"))
        if try entry.bool("threshold") { settings.threshold = try DynamicThreshold(ratio: 0.9, maxValue: 4) }
        options.settings = settings
        return options
    }

    func testEverySamplerMatchesDiffusersStepForStep() throws {
        let fixture = try Fixture.load("sampler_runs.json")
        let entries = try Fixture.entries("sampler_runs.json")
        let null = (fixture["null_label"] as? NSNumber)?.intValue ?? -1
        XCTAssertEqual(entries.count, 83)
        var seen = Set<String>()
        for entry in entries {
            let name = try entry.string("sampler"), shape = try entry.ints("shape")
            let what = "\(name) \(try entry.string("schedule")) \(try entry.string("spacing")) karras \(try entry.bool("karras")) "
                + "\(try entry.string("prediction")) steps \(try entry.int("steps"))"
            seen.insert(name)
            guard let inputs = entry["inputs"] as? [[NSNumber]] else { throw DiffusionTestError("\(what): no inputs") }
            let noises = try FixtureNoise(entry, from: 1, shape: shape, what: what)
            var calls: [Double] = [], seenInputs: [Tensor] = []
            let model = SamplerRunTests.toyModel(T: 1000, null: null) { x, t, labels in
                calls.append(t)
                if let labels, labels.count == 2 * shape[0] {
                    // guidance: one batched call of 2B samples, the conditional half first
                    XCTAssertEqual(Array(labels.suffix(shape[0])), [Int](repeating: null, count: shape[0]), what)
                    seenInputs.append(try! x.slice(axis: 0, stop: shape[0]))
                } else {
                    seenInputs.append(x)
                }
            }
            var guidance = Guidance()
            if let labels = entry["labels"] as? [NSNumber] {
                guidance.classLabels = labels.map(\.intValue)
                guidance.nullLabel = null
                guidance.scale = (entry["guidance"] as? NSNumber)?.doubleValue
            }
            let start = noises.tensor(0, shape: shape)
            let run = try sample(model, schedule: SamplerRunTests.schedule(entry), sampler: SamplerKind(name: name),
                                 shape: shape, noise: noises.source, initialNoise: start, options: SamplerRunTests.options(entry),
                                 guidance: guidance)
            XCTAssertEqual(noises.undrawn, 0, "\(what): every noise tensor is drawn once")
            let wantCalls = try entry.doubles("calls")
            XCTAssertEqual(calls.count, wantCalls.count, "\(what): model calls")
            assertClose(calls, wantCalls, rel: 1e-12, abs: 1e-9, "\(what) timesteps")
            assertClose(run.timesteps, wantCalls, rel: 1e-12, abs: 1e-9, "\(what) run.timesteps")
            for (i, (got, want)) in zip(seenInputs, inputs).enumerated() {
                assertClose(got.scalars.map(Double.init), want.map(\.doubleValue), rel: 1e-6, abs: 1e-7,
                            "\(what) input of call \(i)")
            }
            assertClose(run.sample, try entry.doubles("sample"), rel: 1e-6, abs: 1e-7, "\(what) sample")
        }
        XCTAssertEqual(seen, Set(SamplerKind.allCases.map(\.rawValue)))
    }
}

