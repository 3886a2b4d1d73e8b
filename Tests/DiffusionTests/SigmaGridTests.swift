import DSDiffusion
import DSEngine
import XCTest

/// The σ grids alone (`sampler_grids.json`) for 1 to 50 steps, and the samplers' argument checks.
final class SigmaGridTests: XCTestCase {
    func testGridsMatchDiffusersSetTimesteps() throws {
        let entries = try Fixture.entries("sampler_grids.json")
        XCTAssertEqual(entries.count, 180)
        for entry in entries {
            let sampler = try SamplerKind(name: entry.string("sampler"))
            let s = try Schedule(kind: entry.string("schedule"), steps: 1000)
            let what = "\(sampler.rawValue) \(try entry.string("schedule")) \(try entry.string("spacing")) "
                + "karras \(try entry.bool("karras")) steps \(try entry.int("steps"))"
            guard let family = sampler.family else { throw DiffusionTestError("\(what): no σ family") }
            let grid = try SigmaGrid(s, steps: entry.int("steps"), family: family,
                                     spacing: TimestepSpacing(name: entry.string("spacing")), karras: entry.bool("karras"))
            assertClose(grid.timesteps, try entry.doubles("timesteps"), rel: 1e-12, abs: 1e-9, "\(what) timesteps")
            assertClose(grid.sigmas, try entry.doubles("sigmas"), rel: 1e-12, abs: 0, "\(what) sigmas")
        }
    }

    func testSamplersRefuseBadArguments() throws {
        let s = try Schedule(kind: "linear", steps: 100)
        let model: ConditionalModel = { x, _, _ in x }
        let noise: NoiseSource = { shape in Tensor(shape: shape, scalars: [Float](repeating: 0.5, count: shape.reduce(1, *))) }
        func message(_ sampler: SamplerKind, _ change: (inout SamplerOptions, inout Guidance) -> Void) -> String {
            var options = SamplerOptions(), guidance = Guidance()
            change(&options, &guidance)
            do {
                _ = try sample(model, schedule: s, sampler: sampler, shape: [2, 2], noise: noise, options: options,
                               guidance: guidance)
                return "no error"
            } catch let error as DiffusionError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message(.euler) { o, _ in o.eta = 0.5 }, "eta applies to the ddim sampler only (euler got eta = 0.5)")
        XCTAssertEqual(message(.ddim) { o, _ in o.karras = true }, "karras σs apply to the σ-based samplers, not ddim")
        XCTAssertEqual(message(.dpmpp2m) { o, _ in o.steps = 100 }, "100 steps are too many for this 100-step schedule: "
                       + "σ does not decrease from step 0 to step 1 (0.0100005 → 0.0100005)")
        XCTAssertEqual(message(.unipc) { o, _ in o.steps = 101 },
                       "cannot sample with 101 steps from a schedule of 100 timesteps (steps must be ≤ T)")
        XCTAssertEqual(message(.heun) { _, g in g.scale = 2 }, "guidance needs class_labels")
        XCTAssertEqual(message(.heun) { _, g in g.scale = 2; g.classLabels = [0, 1] },
                       "guidance needs the null label (the label the model was trained with for 'no label')")
        XCTAssertEqual(message(.eulerAncestral) { _, g in g.classLabels = [0, 1, 2] }, "class_labels has 3 labels for a batch of 2")
        XCTAssertEqual(message(.euler) { o, _ in o.steps = 0 }, "the number of sampling steps must be at least 1, got 0")
    }

    func testEveryStepCountUpToTTerminatesWithFiniteSamples() throws {
        let s = try Schedule(kind: "linear", steps: 20)
        let model: ConditionalModel = { x, _, _ in Tensor(shape: x.shape, scalars: x.scalars.map { 0.5 * $0 }) }
        let start = Tensor(shape: [1, 2], scalars: [0.3, -1.2])
        for sampler in SamplerKind.allCases {
            for steps in 1...20 {
                var options = SamplerOptions()
                options.steps = steps
                do {
                    let run = try sample(model, schedule: s, sampler: sampler, shape: [1, 2],
                                         noise: { shape in Tensor(shape: shape, scalars: [0.1, 0.2]) },
                                         initialNoise: start, options: options)
                    XCTAssertTrue(run.sample.scalars.allSatisfy(\.isFinite), "\(sampler.rawValue) \(steps) steps")
                } catch let error as DiffusionError {
                    XCTAssertTrue(error.message.contains("too many"), "\(sampler.rawValue) \(steps): \(error.message)")
                }
            }
        }
    }
}
