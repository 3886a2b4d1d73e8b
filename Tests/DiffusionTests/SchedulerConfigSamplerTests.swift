import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// `load_scheduler` on the σ-based schedulers' configs (`sampler_configs.json`, made by
/// `scripts/make-sampler-goldens.py`): diffusers builds each scheduler with `from_config(config)` and
/// runs it in float64; dscript loads the same config and samples with `sample(model, s, sampler:)`
/// and no other setting, so `use_karras_sigmas`, the class's defaults and the keys the class ignores
/// must all come from the file.
final class SchedulerConfigSamplerTests: XCTestCase {
    static func load(_ config: Any) throws -> SchedulerConfig {
        let data = try JSONSerialization.data(withJSONObject: config)
        return try SchedulerConfig.parse(ModelConfig.parseJSON(data, source: "c"), source: "c")
    }

    func testConfigsSampleAsDiffusers() throws {
        let fixture = try Fixture.load("sampler_configs.json")
        let null = try XCTUnwrap(fixture["null_label"] as? NSNumber).intValue
        let entries = try Fixture.entries("sampler_configs.json")
        XCTAssertEqual(entries.count, 7)
        for entry in entries {
            let name = try entry.string("name"), shape = try entry.ints("shape")
            let loaded = try Self.load(try XCTUnwrap(entry["config"]))
            let noises = try FixtureNoise(entry, from: 1, what: name)
            var calls: [Double] = []
            let model = SamplerRunTests.toyModel(T: loaded.schedule.T, null: null) { _, t, _ in calls.append(t) }
            var options = SamplerOptions()
            options.steps = try entry.int("steps")
            let run = try sample(model, schedule: loaded.schedule, sampler: SamplerKind(name: entry.string("sampler")),
                                 shape: shape, noise: noises.source, initialNoise: noises.tensor(0, shape: shape),
                                 options: options)
            XCTAssertEqual(noises.undrawn, 0, "\(name): every noise tensor is drawn once")
            assertClose(calls, try entry.doubles("calls"), rel: 1e-12, abs: 1e-9, "\(name) timesteps")
            assertClose(run.sample, try entry.doubles("sample"), rel: 1e-6, abs: 1e-6, "\(name) sample")
        }
    }

    /// An explicit `karras:` wins over the schedule's `use_karras_sigmas`, both ways.
    func testExplicitKarrasWins() throws {
        let entries = try Fixture.entries("sampler_configs.json")
        let sdxl = try XCTUnwrap(entries.first { ($0["name"] as? String) == "sdxl-euler-karras" })
        let schedule = try Self.load(try XCTUnwrap(sdxl["config"])).schedule
        XCTAssertTrue(schedule.settings.karras)
        let model: ConditionalModel = { x, t, _ in try x.mul(0.3).add(Float(t / 1000)) }
        let x = Tensor(shape: [1, 2], scalars: [0.4, -1.2])
        func timesteps(_ karras: Bool?, _ s: Schedule) throws -> [Double] {
            var options = SamplerOptions()
            options.steps = 8
            options.karras = karras
            return try sample(model, schedule: s, sampler: .euler, shape: [1, 2], noise: { _ in x }, initialNoise: x,
                              options: options).timesteps
        }
        var off = schedule.settings
        off.karras = false
        let plain = try schedule.with(off)
        XCTAssertEqual(try timesteps(nil, schedule), try timesteps(true, plain))
        XCTAssertEqual(try timesteps(false, schedule), try timesteps(nil, plain))
        XCTAssertNotEqual(try timesteps(nil, schedule), try timesteps(nil, plain))
        // DDPM and DDIM have no σ grid: the schedule's Karras setting does not stop them; an explicit one is refused.
        XCTAssertNoThrow(try sample(model, schedule: schedule, sampler: .ddim, shape: [1, 2], noise: { _ in x },
                                    initialNoise: x, options: SamplerOptions()))
        var explicit = SamplerOptions()
        explicit.karras = true
        XCTAssertThrowsError(try sample(model, schedule: schedule, sampler: .ddim, shape: [1, 2], noise: { _ in x },
                                        initialNoise: x, options: explicit))
    }

    /// Every config key of the classes diffusers 0.42.1 has (their `__init__` parameters, stored in the
    /// fixture) is read by dscript or checked against what dscript does: none is dropped in silence.
    func testEveryClassKeyIsHonouredOrWarned() throws {
        let classKeys = try XCTUnwrap(try Fixture.load("sampler_configs.json")["class_keys"] as? [String: [String]])
        XCTAssertEqual(classKeys.count, 7)
        for (className, keys) in classKeys {
            XCTAssertEqual(Set(try XCTUnwrap(SchedulerConfig.classKeys[className], className)), Set(keys), className)
            for key in keys {
                switch SchedulerConfig.use(of: key, className: className) {
                case .read: break
                case .checked(let accepted):
                    // a value dscript does not implement is a warning naming the key
                    let candidates: [ConfigValue] = [.bool(true), .bool(false), .string("other"), .number(3), .null,
                                                     .list([.number(1)])]
                    let other = try XCTUnwrap(candidates.first { !accepted.contains($0) })
                    let loaded = try SchedulerConfig.parse([("_class_name", .string(className)), ("beta_schedule", .string("linear")),
                                                            (key, other)], source: "c")
                    XCTAssertTrue(loaded.warnings.contains { $0.hasPrefix("c: key '\(key)' is \(other.json)") },
                                  "\(className).\(key) = \(other.json): \(loaded.warnings)")
                    for value in accepted {
                        let quiet = try SchedulerConfig.parse([("_class_name", .string(className)),
                                                               ("beta_schedule", .string("linear")), (key, value)], source: "c")
                        XCTAssertEqual(quiet.warnings, [], "\(className).\(key) = \(value.json)")
                    }
                case let other:
                    XCTFail("\(className).\(key): \(other)")
                }
            }
        }
    }

    /// Keys the file's class does not take are ignored, as diffusers' from_config ignores them, and named.
    func testKeysOfOtherClassesAreIgnoredByName() throws {
        let entries = try Fixture.entries("sampler_configs.json")
        func warnings(_ name: String) throws -> [String] {
            let entry = try XCTUnwrap(entries.first { ($0["name"] as? String) == name })
            // JSONSerialization does not keep the file's key order
            return try Self.load(try XCTUnwrap(entry["config"])).warnings.sorted()
        }
        XCTAssertEqual(try warnings("sdxl-euler-karras"), [
            "c: key 'clip_sample' is not a setting of EulerDiscreteScheduler (ignored, as diffusers does)",
            "c: key 'sample_max_value' is not a setting of EulerDiscreteScheduler (ignored, as diffusers does)",
            "c: key 'set_alpha_to_one' is not a setting of EulerDiscreteScheduler (ignored, as diffusers does)",
            "c: key 'skip_prk_steps' is not a setting of EulerDiscreteScheduler (ignored, as diffusers does)",
        ])
        XCTAssertEqual(try warnings("euler-a-from-ddpm"), [
            "c: key 'clip_sample' is not a setting of EulerAncestralDiscreteScheduler (ignored, as diffusers does)",
            "c: key 'variance_type' is not a setting of EulerAncestralDiscreteScheduler (ignored, as diffusers does)",
        ])
        XCTAssertEqual(try warnings("dpm-karras-default-spacing"), [])
        let sde = try warnings("dpm-sde-karras-trailing")
        XCTAssertEqual(sde.count, 1)
        XCTAssertTrue(sde[0].hasPrefix("c: key 'algorithm_type' is \"sde-dpmsolver++\""), "\(sde)")
        XCTAssertTrue(sde[0].contains("sampler: \"dpmpp_2m_sde\""), sde[0])
    }
}
