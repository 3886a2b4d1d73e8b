import Foundation

/// UniPC (Zhao et al. 2023) of order 2 with B(h) = e^h − 1 ("bh2"), data prediction, on the
/// variance-preserving x_t: each step first corrects the state it arrived at with the new x̂_0 (UniC),
/// then predicts the next one (UniP), so the corrector costs no extra model call.
///
/// With hh = −h (h = λ_t − λ_s, λ = −log σ), φ₁ = e^{hh} − 1 and B = e^{hh} − 1:
///
///     UniP:  x_t = (σ_t/σ_s)·x_s − α_t·φ₁·m_s − α_t·B·ρ_p·D1,        ρ_p = ½
///     UniC:  x_t = (σ_t/σ_s)·x_s − α_t·φ₁·m_s − α_t·B·(ρ_c·D1 + ρ_t·(m_t − m_s))
///
/// where D1 = (m_{s−1} − m_s)/r, r = (λ_{s−1} − λ_s)/h, and (ρ_c, ρ_t) solve [[1, 1], [r, 1]]·ρ = (b₁, b₂)
/// with b_k = k!·φ_{k+1}(hh)/B (order 1: ρ_t = ½). Orders warm up from 1; the last step is first
/// order. Step for step the numbers of diffusers' `UniPCMultistepScheduler` (solver_order 2, bh2,
/// predict_x0, lower_order_final, no disabled correctors, final σ 0).
enum UniPC {
    static func run(_ denoiser: Denoiser, grid: SigmaGrid, start: [Double],
                    record: inout SamplerRecorder) throws -> [Double] {
        let sigmas = grid.sigmas, n = grid.timesteps.count
        var x = start
        var outputs: [[Double]] = []          // converted model outputs (x̂_0), oldest first, at most 2
        var last: (x: [Double], order: Int)? = nil
        record.start(x)
        for i in 0..<n {
            try record.checkInterrupt()
            let m = try denoiser.x0(x, t: grid.timesteps[i], sigma: sigmas[i])
            if let last {
                x = update(from: last.x, sigmas: sigmas, at: i - 1, order: last.order, outputs: outputs, corrector: m)
            }
            outputs = Array((outputs + [m]).suffix(2))
            let order = min(2, n - i, outputs.count)
            last = (x, order)
            x = update(from: x, sigmas: sigmas, at: i, order: order, outputs: outputs, corrector: nil)
            record.step(x, x0: m)
        }
        return x
    }

    /// One UniP step (`corrector` nil) or UniC correction (with the x̂_0 at the target) from σ_i to σ_{i+1}.
    /// `outputs.last` is m_s, the x̂_0 at σ_i; the one before it belongs to σ_{i−1}.
    static func update(from x: [Double], sigmas: [Double], at i: Int, order: Int, outputs: [[Double]],
                       corrector: [Double]?) -> [Double] {
        let m0 = outputs[outputs.count - 1]
        let target = sigmas[i + 1]
        if target == 0 { return m0 }     // the first-order update's limit at σ = 0: x̂_0
        let (alphaT, sigmaT) = DPMSolver.alphaSigma(target), (_, sigmaS) = DPMSolver.alphaSigma(sigmas[i])
        let lambdaS = DPMSolver.lambda(sigmas[i])
        let h = DPMSolver.lambda(target) - lambdaS
        let hh = -h, phi1 = expm1(hh), b = expm1(hh)
        var d1: [Double]? = nil, r = 1.0
        if order == 2 {
            r = (DPMSolver.lambda(sigmas[i - 1]) - lambdaS) / h
            let m1 = outputs[outputs.count - 2]
            d1 = (0..<x.count).map { (m1[$0] - m0[$0]) / r }
        }
        let keep = sigmaT / sigmaS
        var out = (0..<x.count).map { keep * x[$0] - alphaT * phi1 * m0[$0] }
        guard let mt = corrector else {
            if let d1 { for j in out.indices { out[j] -= alphaT * b * 0.5 * d1[j] } }
            return out
        }
        let (rhoC, rhoT) = correctorWeights(h: h, r: d1 == nil ? nil : r)
        for j in out.indices { out[j] -= alphaT * b * (rhoC * (d1?[j] ?? 0) + rhoT * (mt[j] - m0[j])) }
        return out
    }

    /// The corrector's (ρ_c, ρ_t) for a step of size h; `r` = (λ_{s−1} − λ_s)/h for order 2, nil for order 1
    /// (ρ_t = ½). With hh = −h, B = e^{hh} − 1 and b_k = k!·φ_{k+1}(hh)/B, where
    /// φ_{k+1}(hh) = (φ_k(hh) − 1/k!)/hh and φ₁(hh) = (e^{hh} − 1)/hh, they solve [[1, 1], [r, 1]]·ρ = (b₁, b₂).
    static func correctorWeights(h: Double, r: Double?) -> (rhoC: Double, rhoT: Double) {
        guard let r else { return (0, 0.5) }
        let hh = -h, b = expm1(hh)
        let phi2 = expm1(hh) / hh - 1, phi3 = phi2 / hh - 0.5
        let b1 = phi2 / b, b2 = 2 * phi3 / b
        let rhoC = (b1 - b2) / (1 - r)
        return (rhoC, b1 - rhoC)
    }
}
