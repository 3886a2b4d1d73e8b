import DSDiffusion
import DSEngine
import XCTest

/// `explainSampler`'s coefficients against the samplers themselves: the step 500 → 400 of a leading
/// grid (…, 600, 500, 400, …) is run with models that return 0 except at chosen calls, which reads off
/// each coefficient of the update, and the explanation must print those numbers.
final class ExplainSamplerTests: XCTestCase {
    let s = try! Schedule(kind: "linear", steps: 1000)

    /// x after the step from 500 to 400 and x at 500, with the model returning `value(t)` everywhere.
    func step(_ sampler: SamplerKind, prediction: Prediction, steps: Int, value: @escaping (Double) -> Float) throws -> (Double, Double) {
        var options = SamplerOptions()
        options.steps = steps
        options.trajectory = true
        options.settings = SamplerSettings(prediction: prediction, spacing: .leading)
        let model: ConditionalModel = { x, t, _ in Tensor(shape: x.shape, scalars: [Float](repeating: value(t), count: x.count)) }
        let start = Tensor(shape: [1, 1], scalars: [0.7])
        let run = try sample(model, schedule: s, sampler: sampler, shape: [1, 1], noise: { _ in Tensor(shape: [1, 1], scalars: [0]) },
                             initialNoise: start, options: options)
        let index = try XCTUnwrap(run.timesteps.firstIndex(of: 500))
        return (Double(run.trajectory[index].scalars[0]), Double(run.trajectory[index + 1].scalars[0]))
    }

    /// The coefficients of x_t, of the output at 500 and of the output at 600 in x_400.
    func coefficients(_ sampler: SamplerKind, prediction: Prediction, steps: Int) throws -> [Double] {
        let (x, plain) = try step(sampler, prediction: prediction, steps: steps) { _ in 0 }
        let (x1, atT) = try step(sampler, prediction: prediction, steps: steps) { $0 == 500 ? 1 : 0 }
        let (x2, atLast) = try step(sampler, prediction: prediction, steps: steps) { $0 == 600 ? 1 : 0 }
        XCTAssertEqual(x1, x, accuracy: 1e-7)
        return [plain / x, atT - plain, atLast - x2 * plain / x]
    }

    /// Every value must appear in the text (its 6 printed digits within 2e-5 relative: the samplers'
    /// Float32 states blur the last digits of the coefficients read off them).
    func assertPrinted(_ text: String, _ values: [Double], file: StaticString = #filePath, line: UInt = #line) {
        let pattern = try! NSRegularExpression(pattern: "[0-9]+\\.[0-9]+(e-?[0-9]+)?")
        let range = NSRange(text.startIndex..., in: text)
        let printed = pattern.matches(in: text, range: range).compactMap { Double((text as NSString).substring(with: $0.range)) }
        for v in values {
            XCTAssertTrue(printed.contains { Swift.abs($0 - Swift.abs(v)) <= 2e-5 * Swift.abs(v) },
                          "\(v) not in\n\(text)", file: file, line: line)
        }
    }

    func testDPMSolverCoefficientsAreTheOnesPrinted() throws {
        let c = try coefficients(.dpmpp2m, prediction: .x0, steps: 9)
        let text = try explainSampler(s, sampler: .dpmpp2m, t: 500, tPrev: 400)
        assertPrinted(text, c)
        // UniPC's predictor with B(h) = e^{−h} − 1 is DPM-Solver++(2M)'s step
        let unipc = try explainSampler(s, sampler: .unipc, t: 500, tPrev: 400)
        let line = { (text: String, prefix: String) in text.split(separator: "\n").first { $0.contains(prefix) } }
        XCTAssertEqual(line(unipc, "         = ")?.components(separatedBy: "= ").last?.components(separatedBy: "   (").first,
                       line(text, "second order")?.components(separatedBy: "= ").last)
    }

    func testEulerIsDDIMAndPrintsItsCoefficients() throws {
        let c = try coefficients(.euler, prediction: .eps, steps: 10)
        let text = try explainSampler(s, sampler: .euler, t: 500, tPrev: 400)
        assertPrinted(text, [c[0], c[1]])
        let ddim = try ddimStep(s, modelOutput: Tensor(shape: [1], scalars: [1]), t: 500, tPrev: 400,
                                xt: Tensor(shape: [1], scalars: [0]))
        XCTAssertEqual(Double(ddim.xPrev.scalars[0]), c[1], accuracy: 1e-5)
    }

    func testTheLastStepAndDDIMFallBack() throws {
        XCTAssertTrue(try explainSampler(s, sampler: .dpmpp2mSDE, t: 30, tPrev: -1).contains("returns x̂_0"))
        XCTAssertEqual(try explainSampler(s, sampler: .ddim, t: 500, tPrev: 400), try explain(s, t: 500, ddimPrev: 400))
        XCTAssertThrowsError(try explainSampler(s, sampler: .heun, t: 500, tPrev: 600))
    }
}
