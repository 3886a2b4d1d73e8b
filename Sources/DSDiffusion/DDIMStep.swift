import DSEngine
import DSLimits
import Foundation

/// σ_t² of DDIM at η = 1 between `t` and `tPrev` (DDIM eq. 16; diffusers' `DDIMScheduler._get_variance`);
/// a negative `tPrev` uses the final ᾱ of `settings` (the schedule's by default).
public func ddimVariance(_ schedule: Schedule, t: Int, tPrev: Int, settings: SamplerSettings? = nil) throws -> Double {
    try StepCheck.previous(tPrev, before: t, in: schedule)
    let aT = schedule.alphaBar[t], aPrev = schedule.alphaBar(orFinalAt: tPrev, settings ?? schedule.settings)
    return (1 - aPrev) / (1 - aT) * (1 - aT / aPrev)
}

/// One DDIM step x_t → x_{tPrev} (DDIM eq. 12): the same numbers as diffusers' `DDIMScheduler.step`.
///
/// x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z with σ = η·√(ddimVariance). A negative `tPrev`
/// means ᾱ_prev = 1 (diffusers' `set_alpha_to_one`, so the last step returns x̂_0), or ᾱ_0 when the
/// settings say `setAlphaToOne = false`. `settings` (prediction, clipping, thresholding) default to the
/// schedule's.
/// Deliberate differences from diffusers:
/// - `tPrev` is passed in. diffusers' `step` computes `t − T // steps`, which is wrong for `linspace`
///   spacing (and for `trailing` when T is not a multiple of steps); `ddimSample` passes the real next
///   timestep of its list. Passing diffusers' value gives diffusers' numbers.
/// - when η > 1 makes 1 − ᾱ_prev − σ² negative, the direction term is 0 instead of NaN.
/// `noise` (shaped like x_t) is needed when η > 0. For x0-prediction ε̂ is computed from the unclipped
/// x̂_0 unless `useClippedModelOutput` (GLIDE's behaviour, as in diffusers).
public func ddimStep(_ schedule: Schedule, modelOutput: Tensor, t: Int, tPrev: Int, xt: Tensor, eta: Double = 0,
                     noise: Tensor? = nil, settings: SamplerSettings? = nil,
                     useClippedModelOutput: Bool = false) throws -> StepResult {
    let settings = settings ?? schedule.settings
    let sigmaSquared = try ddimVariance(schedule, t: t, tPrev: tPrev, settings: settings)
    guard eta.isFinite, eta >= 0 else { throw DiffusionError("eta must be a number ≥ 0, got \(NumberText.plain(eta))") }
    let limit = try settings.x0Limit
    let prediction = settings.prediction
    try StepCheck.tensors(modelOutput: modelOutput, xt: xt, noise: noise)
    if eta > 0 && noise == nil { throw DiffusionError("ddim_step with eta > 0 needs noise shaped like x_t") }

    let aT = schedule.alphaBar[t], aPrev = schedule.alphaBar(orFinalAt: tPrev, settings)
    let a = aT.squareRoot(), b = (1 - aT).squareRoot()
    let x = xt.doubles, out = modelOutput.doubles
    var x0 = [Double](repeating: 0, count: x.count), eps = x0
    for i in x.indices { (x0[i], eps[i]) = Schedule.x0AndEps(out[i], prediction: prediction, xt: x[i], a: a, b: b) }
    limit.apply(&x0, batch: xt.shape.first ?? 1)
    let std = eta * sigmaSquared.squareRoot()
    if useClippedModelOutput { for i in x.indices { eps[i] = (x[i] - a * x0[i]) / b } }
    let direction = max(1 - aPrev - std * std, 0).squareRoot()
    var xPrev = (0..<x.count).map { aPrev.squareRoot() * x0[$0] + direction * eps[$0] }
    if eta > 0, let noise {
        let z = noise.doubles
        for i in xPrev.indices { xPrev[i] += std * z[i] }
    }
    return StepResult(xPrev: Tensor(shape: xt.shape, doubles: xPrev), x0: Tensor(shape: xt.shape, doubles: x0))
}
