import Foundation

/// `explain(s, t, sampler:)`: one step of a σ-based sampler from t to t' with the numbers filled in,
/// written both in the sampler's own variable and on the variance-preserving x_t.
///
/// Notation: σ = √((1−ᾱ)/ᾱ) is the noise level of x̃ = x_t/√ᾱ = x_0 + σ·ε (Karras et al.); on the
/// variance-preserving scale α_t = √ᾱ, σ_t = √(1−ᾱ) and λ = log(α_t/σ_t) = −log σ (DPM-Solver). A
/// negative t' is the end of sampling (ᾱ' = 1, σ' = 0). Multistep samplers also use x̂_0 of the step
/// before, taken at t'' = t + (t − t') (at most T − 1), an evenly spaced grid.
public func explainSampler(_ schedule: Schedule, sampler: SamplerKind, t: Int, tPrev: Int? = nil,
                           eta: Double = 0) throws -> String {
    guard sampler.family != nil else { return try explain(schedule, t: t, ddimPrev: tPrev, eta: eta) }
    try schedule.checkTimestep(t)
    let prev = tPrev ?? t - 1
    try StepCheck.previous(prev, before: t, in: schedule)
    let sigmas = SigmaGrid.trainingSigmas(schedule)
    let level = { (step: Int) -> SamplerLevel in SamplerLevel(sigma: step < 0 ? 0 : sigmas[step]) }
    let here = level(t), there = level(prev)
    let n = Teaching.number, c = Teaching.combination
    var lines = [
        "\(sampler.rawValue) step t = \(t) → \(prev < 0 ? "the end (σ' = 0)" : "t' = \(prev)") on the \(schedule.kind.rawValue) schedule, T = \(schedule.T)",
        "  σ = √((1−ᾱ)/ᾱ):  σ = \(n(here.sigma)),  σ' = \(n(there.sigma))     (x̃ = x_t/√ᾱ = x_0 + σ·ε)",
        "  α_t = √ᾱ = \(n(here.alpha)),  σ_t = √(1−ᾱ) = \(n(here.sigmaT));  α' = \(n(there.alpha)),  σ'_t = \(n(there.sigmaT))",
        "  the model sees x_t = x̃/√(σ²+1) at timestep t; ε̂ gives x̂_0 = x̃ − σ·ε̂ = (x_t − σ_t·ε̂)/α_t",
        "",
    ]
    let dSigma = there.sigma - here.sigma
    switch sampler {
    case .euler:
        lines += [
            "Euler on the probability-flow ODE dx̃/dσ = (x̃ − x̂_0)/σ = ε̂:",
            "  x̃' = x̃ + (σ' − σ)·ε̂ = x̃ " + signed(dSigma) + "·ε̂",
            "  x_{t'} = √ᾱ'·x̃' = " + c([(there.alpha / here.alpha, "x_t"), (there.alpha * dSigma, "ε̂")]),
            "  DDIM (η = 0): √ᾱ'·x̂_0 + √(1−ᾱ')·ε̂ = "
                + c([(there.alpha / here.alpha, "x_t"), (there.sigmaT - there.alpha * here.sigmaT / here.alpha, "ε̂")])
                + "   (the same step)",
        ]
    case .eulerAncestral:
        let up = there.sigma == 0 ? 0 : (there.sigma * there.sigma * (here.sigma * here.sigma - there.sigma * there.sigma)
                                         / (here.sigma * here.sigma)).squareRoot()
        let down = (there.sigma * there.sigma - up * up).squareRoot()
        lines += [
            "Euler ancestral: an Euler step to σ_down, then fresh noise up to σ':",
            "  σ_up = √(σ'²(σ² − σ'²)/σ²) = \(n(up)),  σ_down = √(σ'² − σ_up²) = \(n(down))",
            "  x̃' = x̃ + (σ_down − σ)·ε̂ + σ_up·z = x̃ " + signed(down - here.sigma) + "·ε̂ " + signed(up) + "·z",
            "  x_{t'} = √ᾱ'·x̃' = " + c([(there.alpha / here.alpha, "x_t"), (there.alpha * (down - here.sigma), "ε̂"),
                                        (there.alpha * up, "z")]),
        ]
    case .heun:
        lines += [
            "Heun (Karras et al. Algorithm 1): an Euler step, then the average of the slopes at both ends:",
            "  x̃_p = x̃ + (σ' − σ)·ε̂ = x̃ " + signed(dSigma) + "·ε̂;   ε̂' = the model at x̃_p/√(σ'²+1), timestep t'",
            there.sigma == 0
                ? "  σ' = 0: the last step stays an Euler step, x̃' = x̃_p = x̂_0"
                : "  x̃' = x̃ + (σ' − σ)·(ε̂ + ε̂')/2 = x̃ " + signed(dSigma / 2) + "·ε̂ " + signed(dSigma / 2) + "·ε̂'",
            "  two model calls per step (one for the last), second order: error O(h³) per step instead of O(h²)",
        ]
    case .dpmpp2m, .dpmpp2mSDE, .unipc:
        lines += multistepLines(schedule, sampler: sampler, here: here, there: there, t: t, tPrev: prev,
                                last: level(min(t + (t - max(prev, -1)), schedule.T - 1)))
    case .ddpm, .ddim:
        break
    }
    return lines.joined(separator: "\n")
}

/// σ and the variance-preserving α_t, σ_t, λ at one noise level.
struct SamplerLevel {
    let sigma: Double
    var alpha: Double { 1 / (sigma * sigma + 1).squareRoot() }
    var sigmaT: Double { sigma * alpha }
    var lambda: Double { -log(sigma) }
}

/// " + 0.25" or " − 0.25" (a signed term after an expression).
private func signed(_ x: Double) -> String {
    (x < 0 || (x == 0 && x.sign == .minus) ? "− " : "+ ") + Teaching.number(Swift.abs(x))
}

/// DPM-Solver++(2M), its SDE variant and UniPC: the update in x_t, x̂_0 and the x̂_0 of the step before.
private func multistepLines(_ schedule: Schedule, sampler: SamplerKind, here: SamplerLevel, there: SamplerLevel,
                            t: Int, tPrev: Int, last: SamplerLevel) -> [String] {
    let n = Teaching.number, c = Teaching.combination
    guard there.sigma > 0 else {
        return ["\(sampler == .unipc ? "UniPC" : "DPM-Solver++") to σ' = 0: the last step is first order and returns x̂_0 "
                + "(e^{−h} = 0 as h = λ' − λ → ∞)"]
    }
    let h = there.lambda - here.lambda
    let r = (here.lambda - last.lambda) / h
    let titles: [SamplerKind: String] = [
        .dpmpp2m: "DPM-Solver++(2M): exact in the linear part, x̂_0 extrapolated linearly in λ:",
        .dpmpp2mSDE: "DPM-Solver++(2M) SDE: the same data prediction with noise injected each step:",
        .unipc: "UniPC (bh2, order 2): a predictor and a corrector that reuses the next model call:",
    ]
    var lines = [
        titles[sampler] ?? sampler.rawValue,
        "  λ = log(α_t/σ_t) = −log σ:  λ = \(n(here.lambda)),  λ' = \(n(there.lambda)),  h = λ' − λ = \(n(h))",
        "  the step before came from σ'' = \(n(last.sigma)) (λ'' = \(n(last.lambda))), r = (λ − λ'')/h = \(n(r)); "
            + "D1 = (x̂_0 − x̂_0'')/r",
    ]
    switch sampler {
    case .dpmpp2m:
        let keep = there.sigmaT / here.sigmaT, gain = -there.alpha * expm1(-h)
        lines += [
            "  first order (the first step): x_{t'} = (σ'_t/σ_t)·x_t − α'(e^{−h} − 1)·x̂_0 = "
                + c([(keep, "x_t"), (gain, "x̂_0")]),
            "  second order: x_{t'} = (σ'_t/σ_t)·x_t − α'(e^{−h} − 1)·(x̂_0 + D1/2) = "
                + c([(keep, "x_t"), (gain * (1 + 0.5 / r), "x̂_0"), (-gain * 0.5 / r, "x̂_0''")]),
        ]
    case .dpmpp2mSDE:
        let keep = there.sigmaT / here.sigmaT * exp(-h), gain = -there.alpha * expm1(-2 * h)
        let spread = there.sigmaT * (-expm1(-2 * h)).squareRoot()
        lines += [
            "  x_{t'} = (σ'_t/σ_t)e^{−h}·x_t + α'(1 − e^{−2h})·(x̂_0 + D1/2) + σ'_t√(1 − e^{−2h})·z",
            "         = " + c([(keep, "x_t"), (gain * (1 + 0.5 / r), "x̂_0"), (-gain * 0.5 / r, "x̂_0''"), (spread, "z")]),
        ]
    default:
        let keep = there.sigmaT / here.sigmaT, phi1 = expm1(-h), b = expm1(-h)
        let (rhoC, rhoT) = UniPC.correctorWeights(h: h, r: -r)   // UniPC's r is (λ'' − λ)/h
        lines += [
            "  φ₁ = e^{−h} − 1 = \(n(phi1)), B(h) = e^{−h} − 1 (bh2)",
            "  UniP (predictor): x_{t'} = (σ'_t/σ_t)·x_t − α'φ₁·x̂_0 − α'·B·½·D1",
            "         = " + c([(keep, "x_t"), (-there.alpha * phi1 - there.alpha * b * 0.5 / r, "x̂_0"),
                               (there.alpha * b * 0.5 / r, "x̂_0''")]) + "   (with bh2: DPM-Solver++(2M)'s step)",
            "  UniC (corrector, once the model has given x̂_0' at t'; no extra call): ρ_c = \(n(rhoC)), ρ_t = \(n(rhoT))",
            "    x_{t'} = (σ'_t/σ_t)·x_t − α'φ₁·x̂_0 − α'·B·(ρ_c·D1 + ρ_t·(x̂_0' − x̂_0))",
        ]
    }
    return lines
}
