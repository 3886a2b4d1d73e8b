import Foundation

/// Euler, Euler ancestral and Heun on the probability-flow ODE dx̃/dσ = (x̃ − x̂_0)/σ of Karras et al.
/// (2022), in the variance-exploding variable x̃ = x_t/√ᾱ = x_0 + σ·ε (σ = √((1−ᾱ)/ᾱ)).
///
/// Step for step the numbers of diffusers' `EulerDiscreteScheduler` (s_churn 0),
/// `EulerAncestralDiscreteScheduler` and `HeunDiscreteScheduler`: the model sees x̃/√(σ²+1), the
/// variance-preserving x_t; the start is the standard normal draw times `init_noise_sigma` (σ_max for
/// linspace and trailing spacing, √(σ_max²+1) for leading). Beyond diffusers, Euler and Euler
/// ancestral clip or threshold x̂_0 when asked (only Heun has `clip_sample` there), and Euler
/// ancestral reads x_0-prediction models (diffusers raises NotImplementedError).
enum KarrasSamplers {
    /// diffusers' `init_noise_sigma` for a largest σ: σ for linspace and trailing spacing, √(σ²+1) for leading.
    static func initSigma(_ sigma: Double, leading: Bool) -> Double { leading ? (sigma * sigma + 1).squareRoot() : sigma }

    static func run(_ kind: SamplerKind, _ denoiser: Denoiser, grid: SigmaGrid, start: [Double], leading: Bool,
                    draw: () throws -> [Double], record: inout SamplerRecorder) throws -> [Double] {
        let sigmas = grid.sigmas, timesteps = grid.timesteps
        let initSigma = KarrasSamplers.initSigma(sigmas[0], leading: leading)
        var x = start.map { $0 * initSigma }
        record.start(scaled(x, sigma: sigmas[0]))
        for i in timesteps.indices {
            try record.checkInterrupt()
            let sigma = sigmas[i], next = sigmas[i + 1]
            var x0 = try denoiser.x0(scaled(x, sigma: sigma), t: timesteps[i], sigma: sigma)
            let slope = derivative(x, x0, sigma: sigma)
            switch kind {
            case .eulerAncestral:
                let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
                let down = (next * next - up * up).squareRoot()
                let z = try draw()
                for j in x.indices { x[j] += slope[j] * (down - sigma) + z[j] * up }
            case .heun where next > 0:
                // Karras et al. Algorithm 1: an Euler step, then the average of the slopes at both ends.
                let predicted = (0..<x.count).map { x[$0] + slope[$0] * (next - sigma) }
                x0 = try denoiser.x0(scaled(predicted, sigma: next), t: timesteps[i + 1], sigma: next)
                let second = derivative(predicted, x0, sigma: next)
                for j in x.indices { x[j] += (slope[j] + second[j]) / 2 * (next - sigma) }
            default:
                for j in x.indices { x[j] += slope[j] * (next - sigma) }
            }
            record.step(scaled(x, sigma: next), x0: x0)
        }
        return x
    }

    /// (x̃ − x̂_0)/σ.
    static func derivative(_ x: [Double], _ x0: [Double], sigma: Double) -> [Double] {
        (0..<x.count).map { (x[$0] - x0[$0]) / sigma }
    }

    /// The variance-preserving x_t = x̃/√(σ² + 1) that the model sees.
    static func scaled(_ x: [Double], sigma: Double) -> [Double] {
        let scale = 1 / (sigma * sigma + 1).squareRoot()
        return x.map { $0 * scale }
    }
}
