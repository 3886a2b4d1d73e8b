import DSDiffusion
import DSEngine
import XCTest

/// Schedules against diffusers 0.42.1 (float32) and the same formulas in numpy float64
/// (`Tests/Fixtures/diffusion/schedules.json`, made by `scripts/make-diffusion-goldens.py`).
final class ScheduleTests: XCTestCase {
    func schedule(for entry: [String: Any]) throws -> Schedule {
        try Schedule(kind: entry.string("kind"), steps: entry.int("T"), betaStart: entry.double("beta_start"),
                     betaEnd: entry.double("beta_end"), rescaleZeroTerminalSNR: entry.bool("rescale_zero_snr"))
    }

    func testBetasAndAlphaBarMatchFloat64Reference() throws {
        let entries = try Fixture.entries("schedules.json")
        XCTAssertEqual(entries.count, 10)
        for entry in entries {
            let s = try schedule(for: entry), idx = try entry.ints("index")
            let name = "\(try entry.string("kind")) T=\(s.T) zsnr=\(s.rescaledZeroTerminalSNR)"
            assertClose(idx.map { s.betas[$0] }, try entry.doubles("betas64"), rel: 1e-12, abs: 1e-18, "\(name) betas")
            assertClose(idx.map { s.alphaBar[$0] }, try entry.doubles("alphas_cumprod64"), rel: 1e-11, abs: 1e-18,
                        "\(name) alpha_bar")
            let vt = try entry.ints("variance_t")
            assertClose(vt.map { s.posteriorVariance[$0] }, try entry.doubles("posterior_variance64"), rel: 1e-10,
                        abs: 1e-20, "\(name) posterior variance")
        }
    }

    /// diffusers keeps the schedule in float32. Measured worst relative deviations from float64: β 1.4e-7
    /// (9.1e-4 after the zero-SNR rescale), ᾱ 1.3e-5 (cosine), posterior variance β̃ 3.1e-4 (cosine,
    /// T = 1000; 1.1e-4 linear) from the cancellation in 1 − ᾱ near t = 0.
    func testFloat32DiffusersAgreesLoosely() throws {
        for entry in try Fixture.entries("schedules.json") {
            let s = try schedule(for: entry), idx = try entry.ints("index")
            let name = "\(try entry.string("kind")) T=\(s.T) zsnr=\(s.rescaledZeroTerminalSNR)"
            // The zero-SNR rescale recovers β_0 = 1 − ᾱ_0 from √ᾱ_0², losing ~2e-4 relative in float32.
            let betaTolerance = s.rescaledZeroTerminalSNR ? 1e-3 : 1e-6
            assertClose(idx.map { s.betas[$0] }, try entry.doubles("betas32"), rel: betaTolerance, abs: 1e-9,
                        "\(name) betas32")
            assertClose(idx.map { s.alphaBar[$0] }, try entry.doubles("alphas_cumprod32"), rel: 1e-4, abs: 1e-9,
                        "\(name) alpha_bar32")
            let vt = try entry.ints("variance_t").filter { $0 > 0 }
            let small = Array(try entry.doubles("fixed_small32").suffix(vt.count))
            let large = Array(try entry.doubles("fixed_large32").suffix(vt.count))
            assertClose(vt.map { s.posteriorVariance[$0] }, small, rel: 1e-3, abs: 1e-9, "\(name) fixed_small32")
            assertClose(vt.map { s.betas[$0] }, large, rel: 1e-3, abs: 1e-9, "\(name) fixed_large32")
            // diffusers clamps β̃_0 = 0 to 1e-20; dscript keeps 0 and clips the log-variance instead.
            XCTAssertEqual(try entry.doubles("fixed_small32")[0], 1e-20, accuracy: 1e-26)
            XCTAssertEqual(s.posteriorVariance[0], 0)
        }
    }

    func testAnchorGoldenValues() throws {
        // diffusion-anchors §1.2 (diffusers float32) and the float64 β̃_1 quoted there.
        let linear = try Schedule(kind: "linear")
        XCTAssertEqual(linear.alphaBar[999], 4.03583035e-05, accuracy: 4.03583035e-05 * 1e-4)
        XCTAssertEqual(linear.posteriorVariance[1], 5.4531876613e-05, accuracy: 1e-14)
        let cosine = try Schedule(kind: "squaredcos_cap_v2")
        XCTAssertEqual(cosine.kind, .cosine)
        XCTAssertEqual(cosine.betas[999], 0.999, accuracy: 1e-12)
    }

    func testDerivedQuantitiesAreConsistent() throws {
        let s = try Schedule(kind: "cosine", steps: 50)
        for t in 0..<s.T {
            XCTAssertEqual(s.alphas[t], 1 - s.betas[t])
            XCTAssertEqual(s.alphaBarPrev[t], t == 0 ? 1 : s.alphaBar[t - 1])
            XCTAssertEqual(s.sqrtAlphaBar[t] * s.sqrtAlphaBar[t] + s.sqrtOneMinusAlphaBar[t] * s.sqrtOneMinusAlphaBar[t],
                           1, accuracy: 1e-14)
            XCTAssertEqual(s.snr[t], s.alphaBar[t] / (1 - s.alphaBar[t]), accuracy: s.snr[t] * 1e-14)
            XCTAssertEqual(s.logSNR[t], log(s.snr[t]), accuracy: 1e-10)
            // μ̃ is an affine combination: coef1·√ᾱ_t + coef2 = √ᾱ_{t−1} (the mean of x_{t−1} given x_0).
            XCTAssertEqual(s.posteriorMeanCoef1[t] + s.posteriorMeanCoef2[t] * s.sqrtAlphaBar[t],
                           s.alphaBarPrev[t].squareRoot(), accuracy: 1e-12)
        }
        XCTAssertEqual(s.posteriorLogVariance[0], log(s.posteriorVariance[1]))
        XCTAssertEqual(s.posteriorLogVariance[7], log(s.posteriorVariance[7]))
    }

    func testZeroTerminalSNR() throws {
        let s = try Schedule(kind: "linear", rescaleZeroTerminalSNR: true)
        XCTAssertEqual(s.alphaBar[999], 0)
        XCTAssertEqual(s.betas[999], 1)
        XCTAssertEqual(s.snr[999], 0)
        XCTAssertEqual(s.logSNR[999], -.infinity)
        XCTAssertEqual(s.alphaBar[0], try Schedule(kind: "linear").alphaBar[0], accuracy: 1e-15)
    }

    func testExplicitBetas() throws {
        let s = try Schedule(betas: [0.1, 0.2, 0.3])
        XCTAssertEqual(s.kind, .custom)
        XCTAssertEqual(s.alphaBar[2], 0.9 * 0.8 * 0.7, accuracy: 1e-15)
        XCTAssertEqual(s.posteriorVariance[2], (1 - 0.72) / (1 - 0.504) * 0.3, accuracy: 1e-15)
        XCTAssertEqual(try Schedule(betas: [0.5]).posteriorLogVariance[0], log(0.5))
    }

    func testBadSchedulesThrowClearErrors() {
        func message(_ body: () throws -> Schedule) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try Schedule(kind: "quadratic") },
                       "unknown schedule kind 'quadratic' (expected linear, scaled_linear, cosine (squaredcos_cap_v2), sigmoid, laplace or exp)")
        XCTAssertEqual(message { try Schedule(kind: "linear", steps: 0) }, "a schedule needs at least 1 timestep, got 0")
        XCTAssertEqual(message { try Schedule(kind: "linear", betaEnd: 1.5) },
                       "beta_end must lie strictly between 0 and 1, got 1.5")
        XCTAssertEqual(message { try Schedule(kind: "linear", betaStart: -1) },
                       "beta_start must lie strictly between 0 and 1, got -1.0")
        XCTAssertEqual(message { try Schedule(kind: "sigmoid", betaStart: .nan) },
                       "beta_start must lie strictly between 0 and 1, got nan")
        XCTAssertEqual(message { try Schedule(betas: []) }, "a schedule needs at least 1 timestep, got 0")
        XCTAssertEqual(message { try Schedule(betas: [0.1, 0, 0.2]) }, "beta at t = 1 must lie in (0, 1], got 0.0")
        XCTAssertEqual(message { try Schedule(betas: [0.1, 1, 0.2]) },
                       "beta at t = 1 is 1, which makes every later alpha_bar 0 (only the last beta may be 1)")
        XCTAssertEqual(message { try Schedule(kind: "linear", steps: 2_000_000) },
                       "a schedule may have at most 1000000 timesteps, got 2000000")
        XCTAssertEqual(message { try Schedule(kind: "linear", steps: 1, rescaleZeroTerminalSNR: true) },
                       "rescaling to zero terminal SNR needs at least 2 timesteps")
    }
}
