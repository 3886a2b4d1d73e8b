import DSDiffusion
import DSEngine
import XCTest

/// The autograd training loss: value and gradient against the formula evaluated by hand in Float64.
final class DiffusionLossTests: XCTestCase {
    func testLossAndGradientMatchHandComputation() throws {
        let s = try Schedule(kind: "linear", steps: 100)
        let x0 = Tensor(shape: [2, 3], scalars: [0.5, -1, 0.25, 1, 0, -0.5])
        let noise = Tensor(shape: [2, 3], scalars: [0.3, 0.1, -1.2, 0.8, -0.4, 0.6])
        let t = [5, 90]
        for prediction in Prediction.allCases {
            for weighting in LossWeighting.allCases {
                let w = Tensor(shape: [1], scalars: [0.7]).requiringGrad()
                let model: DenoiserModel = { x, _ in try x.mul(w) }
                let result = try diffusionLoss(model, schedule: s, x0: x0, t: t, noise: noise, prediction: prediction,
                                               weighting: weighting, gamma: 5)
                try result.loss.backward()
                let weights = try diffusionLossWeights(s, t: t, prediction: prediction, weighting: weighting)
                var loss = 0.0, grad = 0.0
                for b in 0..<2 {
                    for i in 0..<3 {
                        let k = b * 3 + i, a = s.sqrtAlphaBar[t[b]], c = s.sqrtOneMinusAlphaBar[t[b]]
                        let x = Double(x0.scalars[k]), e = Double(noise.scalars[k])
                        let xt = a * x + c * e
                        let target = prediction == .eps ? e : prediction == .x0 ? x : a * e - c * x
                        let r = 0.7 * xt - target
                        loss += weights[b] * r * r / 6
                        grad += weights[b] * 2 * r * xt / 6
                    }
                }
                XCTAssertEqual(Double(try result.loss.item()), loss, accuracy: 1e-5 * max(1, loss), "\(prediction) \(weighting)")
                XCTAssertEqual(Double(try XCTUnwrap(w.grad).scalars[0]), grad, accuracy: 1e-4 * max(1, Swift.abs(grad)))
                if weighting == .minSNR { XCTAssertNotEqual(weights, [1, 1]) }
            }
        }
    }

    func testDrawsFromTheGeneratorReproducibly() throws {
        let s = try Schedule(kind: "cosine", steps: 50)
        let x0 = Tensor(shape: [4, 2], scalars: [0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4])
        let model: DenoiserModel = { x, _ in x }
        let a = try diffusionLoss(model, schedule: s, x0: x0, generator: RandomGenerator(seed: 3))
        let b = try diffusionLoss(model, schedule: s, x0: x0, generator: RandomGenerator(seed: 3))
        XCTAssertEqual(a.t, b.t)
        XCTAssertEqual(try a.loss.item(), try b.loss.item())
        XCTAssertTrue(a.t.allSatisfy { $0 >= 0 && $0 < 50 })
        let bad: DenoiserModel = { _, _ in Tensor(shape: [4], scalars: [0, 0, 0, 0]) }
        XCTAssertThrowsError(try diffusionLoss(bad, schedule: s, x0: x0, generator: RandomGenerator(seed: 3))) {
            XCTAssertEqual("\($0)", "model output has shape [4] but x0 has shape [4, 2]")
        }
    }
}
