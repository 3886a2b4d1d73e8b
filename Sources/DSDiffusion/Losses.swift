import DSEngine
import DSLimits
import Foundation

/// Gaussian log-densities and divergences on single numbers (Float64), the building blocks of the losses.
public enum GaussianMath {
    /// KL(N(μ1, e^{lv1}) ‖ N(μ2, e^{lv2})) = ½(−1 + lv2 − lv1 + e^{lv1−lv2} + (μ1−μ2)² e^{−lv2}).
    public static func klNormal(_ mean1: Double, _ logVar1: Double, _ mean2: Double, _ logVar2: Double) -> Double {
        0.5 * (-1 + logVar2 - logVar1 + exp(logVar1 - logVar2) + (mean1 - mean2) * (mean1 - mean2) * exp(-logVar2))
    }

    /// −log N(x; μ, e^{lv}) = ½(log 2π + lv + (x−μ)² e^{−lv}).
    public static func gaussianNLL(_ x: Double, _ mean: Double, _ logVar: Double) -> Double {
        0.5 * (log(2 * Double.pi) + logVar + (x - mean) * (x - mean) * exp(-logVar))
    }

    /// The tanh approximation of the standard normal CDF used by the DDPM code.
    public static func approxStandardNormalCDF(_ x: Double) -> Double {
        0.5 * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    /// −log of the probability of the 8-bit bin of x ∈ [−1, 1] (bin width 2/255) under N(μ, e^{lv}).
    ///
    /// DDPM's L_0 decoder as in improved-diffusion's `discretized_gaussian_log_likelihood`: the bins at
    /// the edges extend to ±∞ (chosen by x < −0.999 and x > 0.999), the CDF is the tanh approximation,
    /// and each probability is clamped to at least 1e−12 before the log.
    public static func discretizedGaussianNLL(_ x: Double, _ mean: Double, _ logVar: Double) -> Double {
        let invStd = exp(-0.5 * logVar), centered = x - mean
        let cdfPlus = approxStandardNormalCDF(invStd * (centered + 1.0 / 255.0))
        let cdfMin = approxStandardNormalCDF(invStd * (centered - 1.0 / 255.0))
        if x < -0.999 { return -log(max(cdfPlus, 1e-12)) }
        if x > 0.999 { return -log(max(1 - cdfMin, 1e-12)) }
        return -log(max(cdfPlus - cdfMin, 1e-12))
    }
}

/// Applies `f` elementwise; every input has the shape of the first or holds a single value.
func elementwise(_ inputs: [(String, Tensor)], _ f: ([Double]) -> Double) throws -> Tensor {
    guard let (firstName, first) = inputs.first(where: { $0.1.count != 1 }) ?? inputs.first else {
        throw DiffusionError("no inputs")
    }
    for (name, tensor) in inputs where tensor.count != 1 {
        try Check.sameShape(tensor.shape, first.shape, name, firstName)
    }
    var args = [Double](repeating: 0, count: inputs.count)
    let out = (0..<first.count).map { i -> Float in
        for (k, input) in inputs.enumerated() { args[k] = Double(input.1.scalars[input.1.count == 1 ? 0 : i]) }
        return Float(f(args))
    }
    return Tensor(shape: first.shape, scalars: out)
}

/// Elementwise KL(N(mean1, e^{logVar1}) ‖ N(mean2, e^{logVar2})) in nats; a one-element input broadcasts.
public func klNormal(mean1: Tensor, logVar1: Tensor, mean2: Tensor, logVar2: Tensor) throws -> Tensor {
    try elementwise([("mean1", mean1), ("logvar1", logVar1), ("mean2", mean2), ("logvar2", logVar2)]) {
        GaussianMath.klNormal($0[0], $0[1], $0[2], $0[3])
    }
}

/// Elementwise −log N(x; mean, e^{logVar}) in nats.
public func gaussianNLL(x: Tensor, mean: Tensor, logVar: Tensor) throws -> Tensor {
    try elementwise([("x", x), ("mean", mean), ("logvar", logVar)]) { GaussianMath.gaussianNLL($0[0], $0[1], $0[2]) }
}

/// Elementwise DDPM decoder NLL (nats) of data x ∈ [−1, 1] on the 8-bit grid; see `GaussianMath`.
/// Takes the log-variance (improved-diffusion's `log_scales` is half of it).
public func discretizedGaussianNLL(x: Tensor, mean: Tensor, logVar: Tensor) throws -> Tensor {
    try elementwise([("x", x), ("mean", mean), ("logvar", logVar)]) {
        GaussianMath.discretizedGaussianNLL($0[0], $0[1], $0[2])
    }
}

/// The VAE's KL(N(mean, e^{logVar}) ‖ N(0, I)) summed over every axis but the first: one value per sample.
public func vaeKL(mean: Tensor, logVar: Tensor) throws -> Tensor {
    try Check.sameShape(logVar.shape, mean.shape, "logvar", "mean")
    let batch = mean.rank > 0 ? mean.shape[0] : 1
    let inner = batch > 0 ? mean.count / batch : 0
    let out = (0..<batch).map { b -> Float in
        var sum = 0.0
        for i in (b * inner)..<((b + 1) * inner) {
            let m = Double(mean.scalars[i]), lv = Double(logVar.scalars[i])
            sum += 0.5 * (m * m + exp(lv) - 1 - lv)
        }
        return Float(sum)
    }
    return Tensor(shape: [batch], scalars: out)
}

/// How per-timestep losses are weighted.
public enum LossWeighting: String, CaseIterable, Sendable {
    /// Every timestep weighs 1 (L_simple).
    case none
    /// Min-SNR-γ (Hang et al. 2023): min(SNR, γ) expressed for the prediction type.
    case minSNR = "min_snr"

    /// Parses `none` or `min_snr`.
    public init(name: String) throws {
        guard let weighting = LossWeighting(rawValue: name) else {
            throw DiffusionError("unknown weighting '\(name)' (expected none or min_snr)")
        }
        self = weighting
    }
}

/// The per-sample loss weights for timesteps `t`, as diffusers' training examples compute them from
/// `compute_snr`: min(SNR, γ)/SNR for ε, min(SNR, γ)/(SNR + 1) for v, min(SNR, γ) for x0. Where
/// SNR = 0 (zero terminal SNR) the ε weight is its limit 1 instead of diffusers' 0/0.
public func diffusionLossWeights(_ schedule: Schedule, t: [Int], prediction: Prediction = .eps,
                                 weighting: LossWeighting = .none, gamma: Double = 5) throws -> [Double] {
    for value in t { try schedule.checkTimestep(value) }
    guard gamma.isFinite, gamma > 0 else { throw DiffusionError("gamma must be a positive number, got \(NumberText.plain(gamma))") }
    guard weighting == .minSNR else { return [Double](repeating: 1, count: t.count) }
    return t.map { step in
        let snr = schedule.snr[step], clipped = min(snr, gamma)
        switch prediction {
        case .eps: return snr == 0 ? 1 : clipped / snr
        case .v: return clipped / (snr + 1)
        case .x0: return clipped
        }
    }
}
