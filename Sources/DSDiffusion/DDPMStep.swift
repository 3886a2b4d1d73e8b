import DSEngine
import Foundation

/// The variance of the reverse step p(x_{t−1} | x_t): diffusers' `variance_type` names.
public enum VarianceType: String, CaseIterable, Sendable {
    /// β̃_t, the posterior variance (the DDPM paper's σ_t² = β̃_t; diffusers' default).
    case fixedSmall = "fixed_small"
    /// β̃_t through its logarithm (diffusers' RL-diffuser variant; the same numbers as `fixedSmall`).
    case fixedSmallLog = "fixed_small_log"
    /// β_t (the DDPM paper's other choice, used for CIFAR-10 likelihoods).
    case fixedLarge = "fixed_large"
    /// β_t through its logarithm (GLIDE's `max_log`). diffusers' `step` takes the square root of
    /// log β_t here and returns NaN; dscript uses the variance the name means, β_t.
    case fixedLargeLog = "fixed_large_log"
    /// The model's second half of channels is the variance itself (diffusers' reading of `learned`).
    case learned
    /// exp(f·log β_t + (1−f)·log β̃_t) with f = (v+1)/2 from the second half of the model's channels
    /// (Improved DDPM).
    case learnedRange = "learned_range"

    /// Parses one of diffusers' names (`fixed_small`, `fixed_small_log`, `fixed_large`,
    /// `fixed_large_log`, `learned`, `learned_range`).
    public init(name: String) throws {
        guard let type = VarianceType(rawValue: name) else {
            throw DiffusionError("unknown variance '\(name)' (expected "
                                 + VarianceType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        self = type
    }

    /// Whether the model outputs twice the channels of x_t (prediction, then variance values).
    public var isLearned: Bool { self == .learned || self == .learnedRange }
}

/// Splits a learned-range model output [B, 2C, …] into the prediction and the variance values, both [B, C, …].
func splitLearnedRange(_ output: Tensor, like xt: Tensor) throws -> (Tensor, Tensor) {
    guard xt.rank >= 2, output.rank == xt.rank, output.shape[0] == xt.shape[0], output.shape[1] == 2 * xt.shape[1],
          Array(output.shape.dropFirst(2)) == Array(xt.shape.dropFirst(2)) else {
        throw DiffusionError("a learned variance needs a model output with twice the channels of x_t (axis 1): "
                             + "x_t has shape \(xt.shape), model output has shape \(output.shape)")
    }
    let batch = xt.shape[0], half = xt.count / max(batch, 1)
    var prediction = [Float](), values = [Float]()
    prediction.reserveCapacity(xt.count)
    values.reserveCapacity(xt.count)
    for b in 0..<batch {
        let start = 2 * half * b
        prediction += output.scalars[start..<(start + half)]
        values += output.scalars[(start + half)..<(start + 2 * half)]
    }
    return (Tensor(shape: xt.shape, scalars: prediction), Tensor(shape: xt.shape, scalars: values))
}

/// One DDPM reverse step x_t → x_{tPrev}: the same numbers as diffusers' `DDPMScheduler.step`.
///
/// x̂_0 comes from the model output (`settings.prediction`), is thresholded or clipped, then
/// x_{prev} = μ̃(x̂_0, x_t) + σ·z for t > 0 (no noise at t = 0). `tPrev` defaults to t − 1; a larger
/// stride uses the effective β = 1 − ᾱ_t/ᾱ_prev between the two timesteps, as diffusers does after
/// `set_timesteps`, and a negative `tPrev` means ᾱ_prev = 1. `noise` (shaped like x_t) is needed when t > 0.
/// `settings` defaults to the schedule's. With a learned variance the model output has 2C channels on
/// axis 1 (prediction, then the variance values).
public func ddpmStep(_ schedule: Schedule, modelOutput: Tensor, t: Int, xt: Tensor, noise: Tensor?,
                     tPrev: Int? = nil, settings: SamplerSettings? = nil) throws -> StepResult {
    let settings = settings ?? schedule.settings
    let prev = tPrev ?? t - 1
    try StepCheck.previous(prev, before: t, in: schedule)
    let limit = try settings.x0Limit
    let variance = settings.variance
    var output = modelOutput, varianceValues: Tensor? = nil
    if variance.isLearned { (output, varianceValues) = try splitLearnedRange(modelOutput, like: xt) }
    try StepCheck.tensors(modelOutput: output, xt: xt, noise: noise)
    if t > 0 && noise == nil { throw DiffusionError("ddpm_step at t = \(t) > 0 needs noise shaped like x_t") }

    let aT = schedule.alphaBar[t], aPrev = schedule.alphaBar(orOneAt: prev)
    let betaProdT = 1 - aT, betaProdPrev = 1 - aPrev
    let currentAlpha = aT / aPrev, currentBeta = 1 - currentAlpha
    let x = xt.doubles, out = output.doubles
    var x0 = (0..<x.count).map {
        Schedule.x0AndEps(out[$0], prediction: settings.prediction, xt: x[$0], a: aT.squareRoot(), b: betaProdT.squareRoot()).0
    }
    limit.apply(&x0, batch: xt.shape.first ?? 1)
    let x0Coef = aPrev.squareRoot() * currentBeta / betaProdT
    let xtCoef = currentAlpha.squareRoot() * betaProdPrev / betaProdT
    var xPrev = (0..<x.count).map { x0Coef * x0[$0] + xtCoef * x[$0] }
    if t > 0, let noise {
        let small = max(betaProdPrev / betaProdT * currentBeta, 1e-20)
        let z = noise.doubles, v = varianceValues?.doubles ?? []
        for i in xPrev.indices {
            let std: Double
            switch variance {
            case .fixedSmall, .fixedSmallLog: std = small.squareRoot()
            case .fixedLarge, .fixedLargeLog: std = currentBeta.squareRoot()
            case .learned: std = v[i].squareRoot()
            case .learnedRange:
                let fraction = (v[i] + 1) / 2
                std = exp(0.5 * (fraction * log(currentBeta) + (1 - fraction) * log(small)))
            }
            xPrev[i] += std * z[i]
        }
    }
    return StepResult(xPrev: Tensor(shape: xt.shape, doubles: xPrev), x0: Tensor(shape: xt.shape, doubles: x0))
}
