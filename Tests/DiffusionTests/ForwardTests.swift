import DSDiffusion
import DSEngine
import XCTest

/// q(x_t | x_0), the posterior and the prediction conversions (`forward.json`: diffusers' `add_noise`,
/// `get_velocity`, and DDPM eq. 7 in numpy float64).
final class ForwardTests: XCTestCase {
    func testForwardAndPosteriorMatchReference() throws {
        let f = try Fixture.load("forward.json")
        let s = try Schedule(kind: "linear", steps: f.int("T"))
        let shape = try f.ints("shape"), t = try f.ints("t")
        let x0 = try f.tensor("x0", shape: shape), eps = try f.tensor("eps", shape: shape)
        let xt = try s.qSample(x0, t: t, noise: eps)
        assertClose(xt, try f.doubles("xt64"), rel: 1e-6, abs: 1e-7, "q_sample")
        assertClose(xt, try f.doubles("xt32"), rel: 1e-5, abs: 1e-5, "q_sample vs float32 diffusers")
        let v = try s.vTarget(x0: x0, t: t, eps: eps)
        assertClose(v, try f.doubles("v64"), rel: 1e-6, abs: 1e-7, "v target")
        assertClose(v, try f.doubles("v32"), rel: 1e-5, abs: 1e-5, "v target vs float32 diffusers")
        // The posterior uses the float64 x_t from the fixture's reference.
        let xt64 = try f.tensor("xt64", shape: shape)
        let posterior = try s.qPosterior(x0: x0, xt: xt64, t: t)
        assertClose(posterior.mean, try f.doubles("posterior_mean64"), rel: 1e-6, abs: 1e-7, "posterior mean")
        let inner = 4
        for (b, want) in try f.doubles("posterior_variance64").enumerated() {
            XCTAssertEqual(Double(posterior.variance.scalars[b * inner]), want, accuracy: want * 1e-6 + 1e-30)
        }
        for (b, want) in try f.doubles("posterior_log_variance64").enumerated() {
            XCTAssertEqual(Double(posterior.logVariance.scalars[b * inner + 3]), want, accuracy: Swift.abs(want) * 1e-6)
        }
    }

    func testConversionsRoundTrip() throws {
        let s = try Schedule(kind: "cosine", steps: 100)
        let x0 = Tensor(shape: [2, 3], scalars: [0.5, -0.25, 1, 0, 0.75, -1])
        let eps = Tensor(shape: [2, 3], scalars: [0.1, 0.2, -0.3, 1.5, -0.7, 0.05])
        let t = [10, 90]
        let xt = try s.qSample(x0, t: t, noise: eps)
        assertClose(try s.predictX0(xt: xt, t: t, eps: eps), x0.scalars.map(Double.init), rel: 1e-4, abs: 1e-5, "x0 from eps")
        assertClose(try s.predictEps(xt: xt, t: t, x0: x0), eps.scalars.map(Double.init), rel: 1e-4, abs: 1e-5, "eps from x0")
        let v = try s.vTarget(x0: x0, t: t, eps: eps)
        for (from, output) in [(Prediction.eps, eps), (.x0, x0), (.v, v)] {
            for (to, want) in [(Prediction.eps, eps), (.x0, x0), (.v, v)] {
                let got = try s.convert(output, from: from, to: to, xt: xt, t: t)
                assertClose(got, want.scalars.map(Double.init), rel: 1e-4, abs: 2e-5, "\(from) → \(to)")
            }
        }
    }

    func testTimestepArgumentErrors() throws {
        let s = try Schedule(kind: "linear", steps: 10)
        let x = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
        XCTAssertThrowsError(try s.qSample(x, t: [1, 2, 3], noise: x)) {
            XCTAssertEqual("\($0)", "expected 1 timestep or one per sample (2), got 3")
        }
        XCTAssertThrowsError(try s.qSample(x, t: -1, noise: x)) {
            XCTAssertEqual("\($0)", "timestep -1 is outside [0, 10) for this 10-step schedule")
        }
        XCTAssertThrowsError(try s.qSample(x, t: 1, noise: Tensor(shape: [6], scalars: x.scalars))) {
            XCTAssertEqual("\($0)", "noise has shape [6] but x0 has shape [2, 3]")
        }
    }
}
