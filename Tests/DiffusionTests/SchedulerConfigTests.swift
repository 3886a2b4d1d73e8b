import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// `load_scheduler` against diffusers (`Tests/Fixtures/pipelines/schedulers.json`, made by
/// `scripts/make-pipeline-goldens.py`): for each scheduler config, the timesteps, the betas and a whole
/// sampling loop from stored noises. "64" values come from diffusers' step code on the float64 schedule
/// (tight), "32" from diffusers as shipped (float32 schedule, loose).
final class SchedulerConfigTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pipelines/schedulers.json")

    static func entries() throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixture)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["entries"] as? [[String: Any]])
    }

    static func load(_ entry: [String: Any]) throws -> SchedulerConfig {
        let config = try XCTUnwrap(entry["config"] as? [String: Any])
        let data = try JSONSerialization.data(withJSONObject: config)
        return try SchedulerConfig.parse(ModelConfig.parseJSON(data, source: "config"), source: "config")
    }

    func testConfigsSampleAsDiffusers() throws {
        let entries = try Self.entries()
        XCTAssertEqual(entries.count, 9)
        for entry in entries {
            let name = try entry.string("name")
            let schedule = try Self.load(entry).schedule
            let steps = try entry.int("steps"), eta = try entry.double("eta"), shape = try entry.ints("shape")
            XCTAssertEqual(try ddimTimesteps(schedule, steps: steps), try entry.ints("timesteps"), name)
            let index = try entry.ints("index")
            assertClose(index.map { schedule.betas[$0] }, try entry.doubles("betas64"), rel: 1e-12, "\(name) betas64")
            assertClose(index.map { schedule.betas[$0] }, try entry.doubles("betas32"), rel: 1e-4, "\(name) betas32 (float32, rescaled in float32)")
            let noises = try FixtureNoise(entry, what: name), source = noises.source
            let T = Float(schedule.T)
            let learned = schedule.settings.variance.isLearned
            let model: DenoiserModel = { x, t in
                let inner = x.count / x.shape[0]
                let eps = x.scalars.indices.map { i in 0.5 * tanh(x.scalars[i]) + 0.1 * Float(t[i / inner]) / T }
                guard learned else { return Tensor(shape: x.shape, scalars: eps) }
                var both: [Float] = []
                for b in 0..<x.shape[0] {
                    both += eps[(b * inner)..<((b + 1) * inner)]
                    both += x.scalars[(b * inner)..<((b + 1) * inner)].map { 0.9 * tanh($0) }
                }
                var doubled = x.shape
                doubled[1] *= 2
                return Tensor(shape: doubled, scalars: both)
            }
            let xT = try entry.tensor("x_T", shape: shape)
            let result = try entry.string("sampler") == "ddpm"
                ? try ddpmSample(model, schedule: schedule, shape: shape, noise: source, steps: steps, initialNoise: xT)
                : try ddimSample(model, schedule: schedule, shape: shape, noise: source, steps: steps, eta: eta, initialNoise: xT)
            XCTAssertEqual(noises.undrawn, 0, "\(name): every stored noise is drawn once")
            assertClose(result.sample, try entry.doubles("sample64"), rel: 1e-5, abs: 1e-5, "\(name) sample64")
            assertClose(result.sample, try entry.doubles("sample32"), rel: 1e-3, abs: 1e-3, "\(name) sample32")
        }
    }

    /// diffusers' `betas_for_alpha_bar` (float32) for `exp`, `laplace` and `cosine`.
    func testAlphaBarSchedules() throws {
        let data = try Data(contentsOf: Self.fixture)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try XCTUnwrap(object["alpha_bar_betas"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 4)
        for entry in entries {
            let kind = try entry.string("alpha_transform_type"), T = try entry.int("T")
            let s = try Schedule(kind: kind, steps: T)
            assertClose(try entry.ints("index").map { s.betas[$0] }, try entry.doubles("betas32"), rel: 1e-6, abs: 1e-9,
                        "\(kind) T=\(T)")
        }
    }

    func testUnusedKeysAreWarnedAbout() throws {
        let entries = try Self.entries()
        let ldm = try XCTUnwrap(entries.first { ($0["name"] as? String) == "ldm-celebahq" })
        XCTAssertEqual(try Self.load(ldm).warnings,
                       ["config: key 'timestep_values' is not a setting of DDIMScheduler (ignored, as diffusers does)"])
        let sd = try XCTUnwrap(entries.first { ($0["name"] as? String) == "sd15-pndm-as-ddim" })
        let loaded = try Self.load(sd)
        XCTAssertEqual(loaded.warnings, ["config: key 'skip_prk_steps' is not used by dscript (ignored)"])
        XCTAssertEqual(loaded.className, "PNDMScheduler")
        XCTAssertEqual(loaded.schedule.settings, SamplerSettings(stepsOffset: 1, setAlphaToOne: false))
    }

    /// DPMSolverMultistepScheduler().save_config(dir) in diffusers 0.42.1 writes Python's -Infinity
    /// (json.dumps's extension; so do DPMSolverSinglestep and SASolver) and variance_type null: the
    /// config loads, -Infinity is what dscript does (another value is warned about), and Python's NaN / Infinity are read as numbers but not
    /// inside strings.
    func testPythonNonFiniteNumbersLoad() throws {
        let text = """
            {"_class_name": "DPMSolverMultistepScheduler", "_diffusers_version": "0.42.1", "algorithm_type": "dpmsolver++",
             "beta_end": 0.02, "beta_schedule": "linear", "beta_start": 0.0001, "lambda_min_clipped": -Infinity,
             "num_train_timesteps": 1000, "prediction_type": "epsilon", "timestep_spacing": "linspace", "trained_betas": null,
             "variance_type": null}
            """
        let loaded = try SchedulerConfig.parse(ModelConfig.parseJSON(Data(text.utf8), source: "c"), source: "c")
        XCTAssertEqual(loaded.className, "DPMSolverMultistepScheduler")
        XCTAssertEqual(loaded.schedule.settings.spacing, .linspace)
        XCTAssertEqual(loaded.schedule.settings.variance, .fixedSmall, "variance_type null: the model predicts no variance")
        XCTAssertEqual(loaded.warnings, [], "lambda_min_clipped -Infinity clips nothing, as dscript")
        let clipped = try SchedulerConfig.parse([("_class_name", .string("DPMSolverMultistepScheduler")),
                                                 ("beta_schedule", .string("linear")), ("lambda_min_clipped", .number(-5.1))],
                                                source: "c")
        XCTAssertEqual(clipped.warnings, ["c: key 'lambda_min_clipped' is -5.1, but dscript does not clip λ (every timestep "
                                          + "of the grid is kept) (lambda_min_clipped -Infinity); ignored"])
        let pairs = try ModelConfig.parseJSON(Data(#"{"a": [NaN, Infinity, -Infinity], "b": "-Infinity NaN", "c": -1}"#.utf8), source: "c")
        XCTAssertEqual(pairs.map(\.0), ["a", "b", "c"])
        guard case .list(let xs) = pairs[0].1, xs.count == 3, case .number(let nan) = xs[0] else { return XCTFail("\(pairs)") }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(Array(xs[1...]), [.number(.infinity), .number(-.infinity)])
        XCTAssertEqual(pairs[1].1, .string("-Infinity NaN"))
        XCTAssertEqual(pairs[2].1, .number(-1))
        // written back as Python writes them (json.dumps), not as null
        XCTAssertEqual(ConfigValue.list(xs).json, "[NaN, Infinity, -Infinity]")
        XCTAssertThrowsError(try ModelConfig.parseJSON(Data(#"{"a": -NaN}"#.utf8), source: "c"))
        XCTAssertThrowsError(try ModelConfig.parseJSON(Data(#"{"a": Infinit}"#.utf8), source: "c"))
    }

    /// A config without any β key is read with DDPMScheduler's defaults, and says so: flow-matching
    /// and σ-only schedulers (FlowMatchEulerDiscreteScheduler().save_config in diffusers 0.42.1) have
    /// no βs, and their 'linear 1e-4 to 0.02' would otherwise pass unnoticed.
    func testConfigWithoutBetasSaysSo() throws {
        let text = """
            {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.42.1", "num_train_timesteps": 1000,
             "shift": 1.0, "use_dynamic_shifting": false}
            """
        let loaded = try SchedulerConfig.parse(ModelConfig.parseJSON(Data(text.utf8), source: "c"), source: "c")
        XCTAssertEqual(loaded.warnings.first, "c: FlowMatchEulerDiscreteScheduler has no beta_schedule, beta_start, beta_end "
                       + "or trained_betas; read as DDPMScheduler's default betas (linear, 0.0001 to 0.02)")
        let ddpm = try SchedulerConfig.parse(ModelConfig.parseJSON(Data(#"{"beta_schedule": "linear"}"#.utf8), source: "c"), source: "c")
        XCTAssertEqual(ddpm.warnings, [])
    }

    func testWrittenConfigReadsBack() throws {
        for entry in try Self.entries() {
            let schedule = try Self.load(entry).schedule
            for className in ["DDPMScheduler", "DDIMScheduler"] {
                let text = try SchedulerConfig.json(for: schedule, className: className)
                let back = try SchedulerConfig.parse(ModelConfig.parseJSON(Data(text.utf8), source: "x"), source: "x").schedule
                assertClose(back.betas, schedule.betas, rel: 1e-12, "\(try entry.string("name")) as \(className)")
                var expected = schedule.settings
                if className == "DDPMScheduler" { expected.setAlphaToOne = true } else { expected.variance = .fixedSmall }
                XCTAssertEqual(back.settings, expected)
            }
        }
    }

    func testBadConfigsAreRefusedByKey() throws {
        func parse(_ pairs: [(String, ConfigValue)]) throws -> Schedule { try SchedulerConfig.parse(pairs, source: "f").schedule }
        XCTAssertThrowsError(try parse([("beta_schedule", .string("quadratic"))])) {
            XCTAssertEqual("\($0)", "load_scheduler: f: config key 'beta_schedule' is 'quadratic'; supported: 'linear', "
                           + "'scaled_linear', 'squaredcos_cap_v2', 'sigmoid', 'laplace', 'exp'")
        }
        XCTAssertThrowsError(try parse([("trained_betas", .list([.number(0.1)]))])) {
            XCTAssertEqual("\($0)", "load_scheduler: f: config key 'trained_betas' has 1 values but num_train_timesteps is 1000")
        }
        XCTAssertThrowsError(try parse([("beta_end", .number(2))])) {
            XCTAssertEqual("\($0)", "load_scheduler: f: config key 'beta_schedule' (beta_end must lie strictly between 0 and 1, got 2.0)")
        }
        XCTAssertThrowsError(try parse([("clip_sample", .string("yes"))])) {
            XCTAssertEqual("\($0)", "load_scheduler: f: config key 'clip_sample' must be true or false, got a string")
        }
    }
}
