import DSEngine
import Foundation

/// The reverse distribution p_θ(x_{t−1} | x_t) = N(mean, e^{logVariance}) read from a model output.
public struct ReverseDistribution {
    public let mean: Tensor
    public let logVariance: Tensor
    /// x̂_0 after clipping.
    public let x0: Tensor

    public init(mean: Tensor, logVariance: Tensor, x0: Tensor) {
        self.mean = mean
        self.logVariance = logVariance
        self.x0 = x0
    }
}

/// improved-diffusion's `p_mean_variance` for consecutive timesteps: mean = μ̃(x̂_0, x_t) and the
/// log-variance of `variance`, with the DDPM code's conventions at t = 0 (fixed_small uses log β̃_1,
/// fixed_large uses β̃_1 instead of β_0 "to get a better decoder log likelihood"). Away from t = 0 this is
/// the distribution `ddpmStep` samples from.
public func reverseDistribution(_ schedule: Schedule, modelOutput: Tensor, t: Int, xt: Tensor,
                                variance: VarianceType = .fixedSmall, prediction: Prediction = .eps,
                                clip: Bool = false, clipRange: Double = 1) throws -> ReverseDistribution {
    try schedule.checkTimestep(t)
    let limit = try X0Limit(clip: clip, clipRange: clipRange, threshold: nil)
    var output = modelOutput, values: Tensor? = nil
    if variance.isLearned { (output, values) = try splitLearnedRange(modelOutput, like: xt) }
    try Check.sameShape(output.shape, xt.shape, "model output", "x_t")
    let a = schedule.sqrtAlphaBar[t], b = schedule.sqrtOneMinusAlphaBar[t]
    let x = xt.doubles, out = output.doubles
    var x0 = x.indices.map { Schedule.x0AndEps(out[$0], prediction: prediction, xt: x[$0], a: a, b: b).0 }
    limit.apply(&x0, batch: xt.shape.first ?? 1)
    let mean = x.indices.map { schedule.posteriorMeanCoef1[t] * x0[$0] + schedule.posteriorMeanCoef2[t] * x[$0] }
    let minLog = schedule.posteriorLogVariance[t]
    let maxLog = t == 0 ? minLog : log(schedule.betas[t])
    let v = values?.doubles ?? []
    let logVariance = x.indices.map { i -> Double in
        switch variance {
        case .fixedSmall, .fixedSmallLog: return minLog
        case .fixedLarge, .fixedLargeLog: return maxLog
        case .learned: return log(v[i])
        case .learnedRange:
            let fraction = (v[i] + 1) / 2
            return fraction * log(schedule.betas[t]) + (1 - fraction) * minLog
        }
    }
    return ReverseDistribution(mean: Tensor(shape: xt.shape, doubles: mean),
                               logVariance: Tensor(shape: xt.shape, doubles: logVariance),
                               x0: Tensor(shape: xt.shape, doubles: x0))
}

/// The terms of the variational bound, in bits per dimension, one value per sample.
public struct VLBTerms {
    /// terms[t][b]: KL(q(x_{t−1}|x_t,x_0) ‖ p(x_{t−1}|x_t)) for t > 0 and the decoder NLL −log p(x_0|x_1) at t = 0.
    public let terms: [[Double]]
    /// L_T = KL(q(x_T | x_0) ‖ N(0, I)) per sample.
    public let prior: [Double]
    /// prior + Σ_t terms[t]: the bound on −log p(x_0) in bits per dimension.
    public let total: [Double]
    /// Mean squared error of x̂_0 per t and sample.
    public let x0MSE: [[Double]]
}

/// The mean over every axis but the first, divided by ln 2 (improved-diffusion's `mean_flat(·)/log(2)`).
func bitsPerDim(_ values: Tensor) -> [Double] {
    let batch = values.shape.first ?? 1, inner = values.count / max(batch, 1)
    return (0..<batch).map { b in
        values.scalars[(b * inner)..<((b + 1) * inner)].reduce(0.0) { $0 + Double($1) } / Double(max(inner, 1)) / log(2.0)
    }
}

/// The VLB terms of data x_0 ∈ [−1, 1] (DDPM's L_T + Σ L_{t−1} + L_0, improved-diffusion's `calc_bpd_loop`).
///
/// For t = T−1 … 0: x_t = qSample(x_0, t, noise), the model's reverse distribution comes from
/// `reverse(x_t, t)`; one model call per timestep, so this costs T model evaluations.
public func vlbTerms(_ schedule: Schedule, x0: Tensor, noise: NoiseSource,
                     reverse: (_ xt: Tensor, _ t: Int) throws -> ReverseDistribution,
                     hooks: SamplerHooks = SamplerHooks()) throws -> VLBTerms {
    try SamplerSupport.check(shape: x0.shape)
    let T = schedule.T, batch = x0.shape[0]
    var terms = [[Double]](repeating: [], count: T), mse = terms
    for (i, t) in (0..<T).reversed().enumerated() {
        try hooks.checkInterrupt?()
        let xt = try schedule.qSample(x0, t: t, noise: SamplerSupport.noise(noise, x0.shape))
        let p = try reverse(xt, t)
        try Check.sameShape(p.mean.shape, x0.shape, "model mean", "x0")
        try Check.sameShape(p.logVariance.shape, x0.shape, "model log-variance", "x0")
        if t == 0 {
            terms[t] = bitsPerDim(try discretizedGaussianNLL(x: x0, mean: p.mean, logVar: p.logVariance))
        } else {
            let q = try schedule.qPosterior(x0: x0, xt: xt, t: t)
            terms[t] = bitsPerDim(try klNormal(mean1: q.mean, logVar1: q.logVariance, mean2: p.mean, logVar2: p.logVariance))
        }
        let squared = zip(p.x0.scalars, x0.scalars).map { (a: Float, b: Float) -> Double in
            let d = Double(a) - Double(b)
            return d * d
        }
        mse[t] = bitsPerDim(Tensor(shape: x0.shape, doubles: squared)).map { $0 * log(2.0) }
        hooks.progress?(i + 1, T)
    }
    let last = T - 1
    let priorMean = Tensor(shape: x0.shape, doubles: x0.doubles.map { $0 * schedule.sqrtAlphaBar[last] })
    let priorKL = try klNormal(mean1: priorMean, logVar1: Tensor(shape: [1], doubles: [log(1 - schedule.alphaBar[last])]),
                               mean2: Tensor(shape: [1], scalars: [0]), logVar2: Tensor(shape: [1], scalars: [0]))
    let prior = bitsPerDim(priorKL)
    let total = (0..<batch).map { b in prior[b] + terms.reduce(0.0) { $0 + $1[b] } }
    return VLBTerms(terms: terms, prior: prior, total: total, x0MSE: mse)
}

/// `vlbTerms` with a model: its output at each t is read with `reverseDistribution`.
public func vlb(_ model: DenoiserModel, schedule: Schedule, x0: Tensor, noise: NoiseSource,
                variance: VarianceType = .fixedSmall, prediction: Prediction = .eps, clip: Bool = false,
                hooks: SamplerHooks = SamplerHooks()) throws -> VLBTerms {
    try vlbTerms(schedule, x0: x0, noise: noise, reverse: { xt, t in
        let out = try SamplerSupport.call(model, xt, t: t, learnedRange: variance.isLearned)
        return try reverseDistribution(schedule, modelOutput: out, t: t, xt: xt, variance: variance,
                                       prediction: prediction, clip: clip)
    }, hooks: hooks)
}
