import DSDiffusion
import DSEngine
import XCTest

/// `FrechetDistance` against pytorch-fid's `calculate_frechet_distance` (scipy's sqrtm) on seeded
/// features (`frechet.json`, made by `scripts/make-sampler-goldens.py`), including n < d.
final class FrechetDistanceTests: XCTestCase {
    func testMatchesPytorchFID() throws {
        let entries = try Fixture.entries("frechet.json")
        XCTAssertEqual(entries.count, 4)
        for entry in entries {
            let n = try entry.int("n"), m = try entry.int("m"), d = try entry.int("d")
            let a = try entry.tensor("a", shape: [n, d]), b = try entry.tensor("b", shape: [m, d])
            let want = try entry.double("fid")
            XCTAssertEqual(try FrechetDistance.distance(a, b), want, accuracy: 1e-9 * max(1, abs(want)), "n \(n) m \(m) d \(d)")
            XCTAssertEqual(try FrechetDistance.distance(a, a), 0, accuracy: 1e-9, "self distance, d \(d)")
            XCTAssertEqual(try FrechetDistance.distance(b, a), want, accuracy: 1e-9 * max(1, abs(want)), "symmetric")
        }
    }

    func testOneDimensionIsTheClosedForm() throws {
        // d² = (μa − μb)² + (sa − sb)² for 1-D Gaussians
        let a = Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]), b = Tensor(shape: [3, 1], scalars: [0, 2, 10])
        let va = 5.0 / 3, vb = 28.0
        let want = pow(2.5 - 4, 2) + pow(va.squareRoot() - vb.squareRoot(), 2)
        XCTAssertEqual(try FrechetDistance.distance(a, b), want, accuracy: 1e-12)
    }

    func testRefusesBadFeatures() {
        let good = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 7])
        XCTAssertThrowsError(try FrechetDistance.distance(good, Tensor(shape: [3, 3], scalars: [Float](repeating: 1, count: 9))))
        XCTAssertThrowsError(try FrechetDistance.distance(good, Tensor(shape: [1, 2], scalars: [1, 2])))
        XCTAssertThrowsError(try FrechetDistance.distance(good, Tensor(shape: [2, 2], scalars: [1, .nan, 3, 4])))
    }
}
