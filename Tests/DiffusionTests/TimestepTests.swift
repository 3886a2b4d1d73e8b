import DSDiffusion
import XCTest

/// `ddimTimesteps` against diffusers' `DDIMScheduler.set_timesteps` (`timesteps.json`).
final class TimestepTests: XCTestCase {
    func testMatchesDiffusers() throws {
        let entries = try Fixture.entries("timesteps.json")
        XCTAssertGreaterThan(entries.count, 30)
        var differing = 0
        for entry in entries {
            let T = try entry.int("T"), steps = try entry.int("steps")
            let schedule = try Schedule(kind: "linear", steps: T)
            let spacing = try TimestepSpacing(name: entry.string("spacing"))
            let got = try ddimTimesteps(schedule, steps: steps, spacing: spacing, stepsOffset: entry.int("steps_offset"))
            let want = try entry.ints("dscript"), diffusers = try entry.ints("diffusers")
            XCTAssertEqual(got, want, "T=\(T) steps=\(steps) \(spacing)")
            XCTAssertEqual(got.count, steps)
            if diffusers != want {
                // The one deliberate difference: diffusers' extra trailing −1 for some `trailing` cases.
                differing += 1
                XCTAssertEqual(spacing, .trailing)
                XCTAssertEqual(diffusers, want + [-1])
            }
        }
        XCTAssertEqual(differing, 2)  // T=1000 n=61 and T=50 n=29
    }

    func testRoundHalfToEvenAndAnchors() throws {
        let s = try Schedule(kind: "linear")
        XCTAssertEqual(try ddimTimesteps(s, steps: 3, spacing: .linspace), [999, 500, 0])  // 499.5 → 500
        XCTAssertEqual(try ddimTimesteps(s, steps: 10, spacing: .linspace),
                       [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        XCTAssertEqual(try ddimTimesteps(s, steps: 10, spacing: .leading, stepsOffset: 1),
                       [901, 801, 701, 601, 501, 401, 301, 201, 101, 1])
        XCTAssertEqual(try ddimTimesteps(s, steps: 10, spacing: .trailing),
                       [999, 899, 799, 699, 599, 499, 399, 299, 199, 99])
        let ten = try Schedule(kind: "linear", steps: 10)
        XCTAssertEqual(try ddimTimesteps(ten, steps: 4, spacing: .trailing), [9, 7, 4, 1])  // 7.5 → 8, 2.5 → 2
    }

    func testErrors() throws {
        let s = try Schedule(kind: "linear", steps: 100)
        XCTAssertThrowsError(try ddimTimesteps(s, steps: 101)) {
            XCTAssertEqual("\($0)", "cannot sample with 101 steps from a schedule of 100 timesteps (steps must be ≤ T)")
        }
        XCTAssertThrowsError(try ddimTimesteps(s, steps: 0)) {
            XCTAssertEqual("\($0)", "the number of sampling steps must be at least 1, got 0")
        }
        XCTAssertThrowsError(try ddimTimesteps(s, steps: 100, spacing: .leading, stepsOffset: 1)) {
            XCTAssertEqual("\($0)", "steps_offset 1 puts timestep 100 outside [0, 100)")
        }
        XCTAssertThrowsError(try ddimTimesteps(s, steps: 10, stepsOffset: Int.max)) {
            XCTAssertEqual("\($0)", "steps_offset must lie in [0, 100), got \(Int.max)")
        }
        XCTAssertThrowsError(try TimestepSpacing(name: "uniform")) {
            XCTAssertEqual("\($0)", "unknown timestep spacing 'uniform' (expected leading, trailing or linspace)")
        }
    }
}
