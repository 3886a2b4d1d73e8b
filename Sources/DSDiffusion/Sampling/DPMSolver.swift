import Foundation

/// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2, data prediction) and its SDE variant, on the
/// variance-preserving x_t: with α = 1/√(1+σ²), σ_t = σ·α and λ = log(α/σ_t) = −log σ, a step from s to
/// t with h = λ_t − λ_s and the x̂_0 of this step (D0) and the last (D1 = (D0 − x̂_0,prev)/r, r = h_prev/h):
///
///     ODE:  x_t = (σ_t/σ_s)·x_s − α_t(e^{−h} − 1)·(D0 + ½·D1)
///     SDE:  x_t = (σ_t/σ_s)e^{−h}·x_s + α_t(1 − e^{−2h})·(D0 + ½·D1) + σ_t√(1 − e^{−2h})·z
///
/// The first step and the last (to σ = 0, where the update is x̂_0) are first order (D1 = 0).
/// Step for step the numbers of diffusers' `DPMSolverMultistepScheduler` with `solver_order=2`,
/// `solver_type="midpoint"`, `algorithm_type` `dpmsolver++` / `sde-dpmsolver++`, `final_sigmas_type`
/// zero. Dynamic thresholding acts on x̂_0 as in diffusers; clipping (which diffusers' solver lacks)
/// does too. The SDE variant draws one noise tensor per step, as diffusers does.
enum DPMSolver {
    static func run(_ denoiser: Denoiser, grid: SigmaGrid, start: [Double], sde: Bool,
                    draw: () throws -> [Double], record: inout SamplerRecorder) throws -> [Double] {
        let sigmas = grid.sigmas
        var x = start, previous: [Double]? = nil
        record.start(x)
        for i in grid.timesteps.indices {
            try record.checkInterrupt()
            let x0 = try denoiser.x0(x, t: grid.timesteps[i], sigma: sigmas[i])
            let z = sde ? try draw() : []
            let next = sigmas[i + 1]
            if next == 0 {
                x = x0
            } else {
                let (alphaT, sigmaT) = alphaSigma(next), (_, sigmaS) = alphaSigma(sigmas[i])
                let h = lambda(next) - lambda(sigmas[i])
                var d1 = [Double](repeating: 0, count: x.count)
                if let previous, i > 0 {
                    let r = (lambda(sigmas[i]) - lambda(sigmas[i - 1])) / h
                    d1 = (0..<x.count).map { (x0[$0] - previous[$0]) / r }
                }
                if sde {
                    let keep = sigmaT / sigmaS * exp(-h), gain = alphaT * -expm1(-2 * h)
                    let spread = sigmaT * (-expm1(-2 * h)).squareRoot()
                    for j in x.indices { x[j] = keep * x[j] + gain * (x0[j] + 0.5 * d1[j]) + spread * z[j] }
                } else {
                    let keep = sigmaT / sigmaS, gain = -alphaT * expm1(-h)
                    for j in x.indices { x[j] = keep * x[j] + gain * (x0[j] + 0.5 * d1[j]) }
                }
            }
            previous = x0
            record.step(x, x0: x0)
        }
        return x
    }

    /// (α, σ_t) of the variance-preserving process at VE noise level σ: α = 1/√(1+σ²), σ_t = σ·α.
    static func alphaSigma(_ sigma: Double) -> (Double, Double) {
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        return (alpha, sigma * alpha)
    }

    /// λ = log α − log σ_t (half the log-SNR) at VE noise level σ.
    static func lambda(_ sigma: Double) -> Double {
        let (alpha, sigmaT) = alphaSigma(sigma)
        return log(alpha) - log(sigmaT)
    }
}
