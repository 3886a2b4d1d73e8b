import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// A tiny seeded generator for the tests (SplitMix64 uniforms, Box–Muller normals).
final class TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var draws: DataRandom {
        DataRandom(uniform: { n in (0..<n).map { _ in Float(self.next()) } },
                   normal: { n in (0..<n).map { _ in
                       Float((-2 * log(1 - self.next())).squareRoot() * cos(2 * Double.pi * self.next())) } })
    }
}

final class DataAndTeachingTests: XCTestCase {
    func testDatasetsAreCentredUnitScaleAndReproducible() throws {
        for name in Datasets2D.names {
            let x = try Datasets2D.make(name, n: 20_000, random: TestRandom(seed: 7).draws)
            XCTAssertEqual(x.shape, [20_000, 2])
            for axis in 0..<2 {
                let values = stride(from: axis, to: x.count, by: 2).map { Double(x.scalars[$0]) }
                let mean = values.reduce(0, +) / Double(values.count)
                let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
                XCTAssertEqual(mean, 0, accuracy: 0.06, "\(name) mean of axis \(axis)")
                XCTAssertEqual(std, 1, accuracy: 0.2, "\(name) std of axis \(axis)")
            }
            let again = try Datasets2D.make(name, n: 100, random: TestRandom(seed: 7).draws)
            let same = try Datasets2D.make(name, n: 100, random: TestRandom(seed: 7).draws)
            let other = try Datasets2D.make(name, n: 100, random: TestRandom(seed: 8).draws)
            XCTAssertEqual(again.scalars, same.scalars, "\(name) is reproducible")
            XCTAssertNotEqual(again.scalars, other.scalars, "\(name) depends on the seed")
        }
    }

    func testDatasetShapes() throws {
        let g = try Datasets2D.gaussians8(2000, random: TestRandom(seed: 1).draws)
        let radius = (2 * (1 - 0.01)).squareRoot()
        for i in 0..<2000 {
            let x = Double(g.scalars[2 * i]), y = Double(g.scalars[2 * i + 1])
            let nearest = (0..<8).map { k -> Double in
                let a = Double(k) * Double.pi / 4
                return hypot(x - radius * cos(a), y - radius * sin(a))
            }.min() ?? 9
            XCTAssertLessThan(nearest, 0.6)
        }
        let c = try Datasets2D.checkerboard(2000, random: TestRandom(seed: 2).draws)
        let scale = Float(3.0.squareRoot() / 2)
        for i in 0..<2000 {
            let cell = Int((c.scalars[2 * i] / scale).rounded(.down)) + Int((c.scalars[2 * i + 1] / scale).rounded(.down))
            XCTAssertEqual(((cell % 2) + 2) % 2, 0, "checkerboard points lie on the black squares")
        }
        XCTAssertThrowsError(try Datasets2D.make("spirals", n: 10, random: TestRandom(seed: 1).draws)) {
            XCTAssertEqual("\($0)", "unknown data set 'spirals' (expected swiss_roll, moons, gaussians8, checkerboard, rings)")
        }
        let broken = DataRandom(uniform: { _ in [0.5] }, normal: { n in [Float](repeating: .nan, count: n) })
        XCTAssertThrowsError(try Datasets2D.rings(3, random: broken)) {
            XCTAssertEqual("\($0)", "the random source must give 6 uniform values in [0, 1)")
        }
        XCTAssertThrowsError(try Datasets2D.moons(0, random: TestRandom(seed: 1).draws)) {
            XCTAssertEqual("\($0)", "the number of points must be between 1 and 50000000, got 0")
        }
    }

    func testTable() throws {
        let s = try Schedule(kind: "linear")
        let t = try table(s, every: 100)
        XCTAssertEqual(t.columns.first, "t")
        XCTAssertEqual(t.rows.map { Int($0[0]) }, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999])
        XCTAssertEqual(t.rows[10][2], s.alphaBar[999])
        XCTAssertEqual(t.cells.count, 11)
        XCTAssertEqual(t.cells[10][0], "999")
        XCTAssertEqual(t.cells[10][2], String(format: "%.6g", s.alphaBar[999]))
        XCTAssertThrowsError(try table(s, every: 10, columns: ["beta"])) {
            XCTAssertTrue("\($0)".hasPrefix("unknown schedule quantity 'beta' (expected one of betas, alphas"))
        }
        XCTAssertThrowsError(try table(s, every: 0)) { XCTAssertEqual("\($0)", "every must be at least 1, got 0") }
    }

    /// The DDIM line's coefficients, applied to numbers, must reproduce `ddimStep`.
    func testExplainShowsTheNumbersOfTheUpdates() throws {
        let s = try Schedule(kind: "linear")
        let text = try explain(s, t: 500, ddimPrev: 400)
        XCTAssertTrue(text.contains("t = 500"))
        XCTAssertTrue(text.contains("= \(String(format: "%.6g", s.betas[500]))"))
        XCTAssertTrue(text.contains(String(format: "%.6g", s.posteriorVariance[500])))
        let line = try XCTUnwrap(text.split(separator: "\n").last)
        let signed = line.replacingOccurrences(of: "− ", with: "-").replacingOccurrences(of: "+ ", with: "")
        let numbers = signed.split(separator: " ").compactMap { Double($0.split(separator: "·").first ?? "") }
        XCTAssertEqual(numbers.count, 2, "\(line)")
        let x = Tensor(shape: [1], scalars: [0.7]), eps = Tensor(shape: [1], scalars: [-0.4])
        let step = try ddimStep(s, modelOutput: eps, t: 500, tPrev: 400, xt: x)
        XCTAssertEqual(numbers[0] * 0.7 + numbers[1] * -0.4, Double(step.xPrev.scalars[0]), accuracy: 1e-4)
        XCTAssertTrue(try explain(s, t: 0).contains("no noise at t = 0"))
        XCTAssertThrowsError(try explain(s, t: 1000)) {
            XCTAssertEqual("\($0)", "timestep 1000 is outside [0, 1000) for this 1000-step schedule")
        }
    }
}
