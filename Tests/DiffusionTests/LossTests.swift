import DSDiffusion
import DSEngine
import XCTest

/// Losses against torch.distributions (KL, NLL), improved-diffusion's discretized decoder likelihood and
/// calc_bpd_loop (transcribed in torch float64), and diffusers' compute_snr weighting (`losses.json`, `vlb.json`).
final class LossTests: XCTestCase {
    func testGaussianLossesMatchTorch() throws {
        let f = try Fixture.load("losses.json")
        let kl = try XCTUnwrap(f["kl_normal"] as? [String: Any])
        let n = try kl.doubles("mean1").count
        let got = try klNormal(mean1: kl.tensor("mean1", shape: [n]), logVar1: kl.tensor("logvar1", shape: [n]),
                               mean2: kl.tensor("mean2", shape: [n]), logVar2: kl.tensor("logvar2", shape: [n]))
        assertClose(got, try kl.doubles("kl64"), rel: 1e-6, abs: 1e-7, "kl_normal")

        let nll = try XCTUnwrap(f["gaussian_nll"] as? [String: Any])
        let gotNLL = try gaussianNLL(x: nll.tensor("x", shape: [n]), mean: nll.tensor("mean", shape: [n]),
                                     logVar: nll.tensor("logvar", shape: [n]))
        assertClose(gotNLL, try nll.doubles("nll64"), rel: 1e-6, abs: 1e-7, "gaussian_nll")

        let vae = try XCTUnwrap(f["vae_kl"] as? [String: Any])
        let shape = try vae.ints("shape")
        let gotVAE = try vaeKL(mean: vae.tensor("mean", shape: shape), logVar: vae.tensor("logvar", shape: shape))
        XCTAssertEqual(gotVAE.shape, [2])
        assertClose(gotVAE, try vae.doubles("kl64"), rel: 1e-6, abs: 1e-7, "vae_kl")
    }

    func testDiscretizedNLLIncludingEdgeBins() throws {
        let d = try XCTUnwrap(try Fixture.load("losses.json")["discretized_gaussian_nll"] as? [String: Any])
        let n = try d.doubles("x").count
        let x = try d.tensor("x", shape: [n])
        XCTAssertTrue(x.scalars.contains(-1) && x.scalars.contains(1), "edge bins are exercised")
        let got = try discretizedGaussianNLL(x: x, mean: d.tensor("mean", shape: [n]), logVar: d.tensor("logvar", shape: [n]))
        assertClose(got, try d.doubles("nll64"), rel: 1e-5, abs: 1e-5, "discretized_gaussian_nll")
        // Far-off means hit the 1e-12 clamp: −log 1e-12 = 27.631.
        XCTAssertTrue(got.scalars.contains { Swift.abs($0 - 27.631021) < 1e-3 })
    }

    func testMinSNRWeightsMatchDiffusers() throws {
        let m = try XCTUnwrap(try Fixture.load("losses.json")["min_snr"] as? [String: Any])
        let s = try Schedule(kind: "linear", steps: m.int("T"))
        let t = try m.ints("t")
        assertClose(t.map { s.snr[$0] }, try m.doubles("snr32"), rel: 2e-3, "snr vs compute_snr (float32)")
        let weights = try XCTUnwrap(m["weights32"] as? [String: Any])
        for prediction in Prediction.allCases {
            let got = try diffusionLossWeights(s, t: t, prediction: prediction, weighting: .minSNR, gamma: m.double("gamma"))
            assertClose(got, try weights.doubles(prediction.rawValue), rel: 2e-3, "min-SNR weights \(prediction)")
        }
        XCTAssertEqual(try diffusionLossWeights(s, t: t), [Double](repeating: 1, count: t.count))
        let zero = try Schedule(kind: "linear", rescaleZeroTerminalSNR: true)
        XCTAssertEqual(try diffusionLossWeights(zero, t: [999], weighting: .minSNR), [1])
        XCTAssertThrowsError(try diffusionLossWeights(s, t: [1000])) {
            XCTAssertEqual("\($0)", "timestep 1000 is outside [0, 1000) for this 1000-step schedule")
        }
    }

    func testVLBMatchesImprovedDiffusionLoop() throws {
        let entries = try Fixture.entries("vlb.json")
        XCTAssertEqual(entries.count, 2)
        for entry in entries {
            let T = try entry.int("T"), shape = try entry.ints("shape")
            let s = try Schedule(kind: "linear", steps: T, betaStart: entry.double("beta_start"), betaEnd: entry.double("beta_end"))
            guard let noises = entry["noises"] as? [[NSNumber]] else { throw DiffusionTestError("no noises") }
            var next = 0
            let noise: NoiseSource = { shape in
                defer { next += 1 }
                return Tensor(shape: shape, scalars: noises[next].map { $0.floatValue })
            }
            let model: DenoiserModel = { x, t in
                Tensor(shape: x.shape, scalars: x.scalars.map { 0.5 * tanh($0) + 0.1 * Float(t[0]) / Float(T) })
            }
            let variance = try VarianceType(name: entry.string("variance"))
            let result = try vlb(model, schedule: s, x0: entry.tensor("x0", shape: shape), noise: noise, variance: variance)
            XCTAssertEqual(next, T)
            guard let terms = entry["terms"] as? [[NSNumber]] else { throw DiffusionTestError("no terms") }
            for t in 0..<T {
                assertClose(result.terms[t], terms[t].map(\.doubleValue), rel: 1e-4, abs: 1e-5, "\(variance) term t=\(t)")
            }
            assertClose(result.prior, try entry.doubles("prior"), rel: 1e-5, abs: 1e-7, "\(variance) prior")
            assertClose(result.total, try entry.doubles("total"), rel: 1e-4, abs: 1e-5, "\(variance) total")
        }
    }

    /// With the true posterior as the model, every KL term vanishes and only the prior and decoder remain.
    func testVLBOfTheOracleIsPriorPlusDecoder() throws {
        let s = try Schedule(kind: "cosine", steps: 20)
        let x0 = Tensor(shape: [1, 3], scalars: [-1, 0.2, 1])
        var draws = 0
        let noise: NoiseSource = { shape in draws += 1; return Tensor(shape: shape, scalars: [0.3, -1.2, 0.7]) }
        let oracle = { (xt: Tensor, t: Int) throws -> ReverseDistribution in
            let q = try s.qPosterior(x0: x0, xt: xt, t: t)
            return ReverseDistribution(mean: q.mean, logVariance: q.logVariance, x0: x0)
        }
        let r = try vlbTerms(s, x0: x0, noise: noise, reverse: oracle)
        XCTAssertEqual(draws, 20)
        for t in 1..<20 { XCTAssertEqual(r.terms[t][0], 0, accuracy: 1e-6, "t = \(t)") }
        XCTAssertEqual(r.total[0], r.prior[0] + r.terms[0][0], accuracy: 1e-6)
        XCTAssertGreaterThan(r.terms[0][0], 0)
        XCTAssertEqual(r.x0MSE[5][0], 0)
    }

    func testLossShapeErrors() {
        let a = Tensor(shape: [2, 2], scalars: [0, 0, 0, 0]), b = Tensor(shape: [4], scalars: [0, 0, 0, 0])
        XCTAssertThrowsError(try klNormal(mean1: a, logVar1: b, mean2: a, logVar2: a)) {
            XCTAssertEqual("\($0)", "logvar1 has shape [4] but mean1 has shape [2, 2]")
        }
        XCTAssertThrowsError(try vaeKL(mean: a, logVar: b)) {
            XCTAssertEqual("\($0)", "logvar has shape [4] but mean has shape [2, 2]")
        }
        // One-element inputs broadcast.
        XCTAssertEqual(try klNormal(mean1: a, logVar1: a, mean2: Tensor(shape: [1], scalars: [0]),
                                    logVar2: Tensor(shape: [], scalars: [0])).scalars, [0, 0, 0, 0])
    }
}
