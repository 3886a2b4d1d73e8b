import DSEngine
import Foundation

/// What a denoising model predicts.
public enum Prediction: String, CaseIterable, Sendable {
    /// The noise ε (diffusers' `epsilon`).
    case eps
    /// The clean sample x_0 (diffusers' `sample`).
    case x0
    /// The velocity v = √ᾱ·ε − √(1−ᾱ)·x_0 (diffusers' `v_prediction`).
    case v

    /// Parses `eps`, `x0`, `v` or diffusers' `epsilon`, `sample`, `v_prediction`.
    public init(name: String) throws {
        switch name {
        case "eps", "epsilon": self = .eps
        case "x0", "sample": self = .x0
        case "v", "v_prediction": self = .v
        default: throw DiffusionError("unknown prediction '\(name)' (expected eps, x0 or v)")
        }
    }
}

/// The mean and variance of the posterior q(x_{t−1} | x_t, x_0), each shaped like x_t.
public struct Posterior {
    public let mean: Tensor
    public let variance: Tensor
    public let logVariance: Tensor
}

/// Elements that share a timestep: one group for a single t, one per sample for per-sample t.
struct TimestepGroup {
    let t: Int
    let range: Range<Int>
}

extension Schedule {
    /// Splits a tensor of `shape` into groups by timestep; `t` holds one value or one per sample (axis 0).
    func groups(_ t: [Int], shape: [Int], allowNegative: Bool = false) throws -> [TimestepGroup] {
        for value in t where !(allowNegative && value < 0) { try checkTimestep(value) }
        let count = shape.reduce(1, *)
        if t.count == 1 { return [TimestepGroup(t: t[0], range: 0..<count)] }
        guard let batch = shape.first, t.count == batch, batch > 0 else {
            throw DiffusionError("expected 1 timestep or one per sample (\(shape.first ?? 1)), got \(t.count)")
        }
        let inner = count / batch
        return t.enumerated().map { TimestepGroup(t: $1, range: ($0 * inner)..<(($0 + 1) * inner)) }
    }

    /// out[i] = f(a[i], b[i], t of i), with shape checks; the arithmetic runs in Float64.
    func combine(_ a: Tensor, _ b: Tensor, t: [Int], names: (String, String),
                 _ f: (Double, Double, Int) -> Double) throws -> Tensor {
        try Check.sameShape(b.shape, a.shape, names.1, names.0)
        var out = [Float](repeating: 0, count: a.count)
        for group in try groups(t, shape: a.shape) {
            for i in group.range { out[i] = Float(f(Double(a.scalars[i]), Double(b.scalars[i]), group.t)) }
        }
        return Tensor(shape: a.shape, scalars: out)
    }

    /// x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε — a sample of q(x_t | x_0) (diffusers' `add_noise`).
    public func qSample(_ x0: Tensor, t: [Int], noise: Tensor) throws -> Tensor {
        try combine(x0, noise, t: t, names: ("x0", "noise")) { x, e, t in
            sqrtAlphaBar[t] * x + sqrtOneMinusAlphaBar[t] * e
        }
    }

    /// The posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I), DDPM eq. 7 (log-variance clipped at t = 0).
    public func qPosterior(x0: Tensor, xt: Tensor, t: [Int]) throws -> Posterior {
        let mean = try combine(x0, xt, t: t, names: ("x0", "xt")) { x0, xt, t in
            posteriorMeanCoef1[t] * x0 + posteriorMeanCoef2[t] * xt
        }
        let groups = try groups(t, shape: xt.shape)
        var variance = [Float](repeating: 0, count: xt.count), logVariance = variance
        for group in groups {
            for i in group.range {
                variance[i] = Float(posteriorVariance[group.t])
                logVariance[i] = Float(posteriorLogVariance[group.t])
            }
        }
        return Posterior(mean: mean, variance: Tensor(shape: xt.shape, scalars: variance),
                         logVariance: Tensor(shape: xt.shape, scalars: logVariance))
    }

    /// x̂_0 = (x_t − √(1−ᾱ_t)·ε) / √ᾱ_t.
    public func predictX0(xt: Tensor, t: [Int], eps: Tensor) throws -> Tensor {
        try combine(xt, eps, t: t, names: ("xt", "eps")) { x, e, t in
            (x - sqrtOneMinusAlphaBar[t] * e) / sqrtAlphaBar[t]
        }
    }

    /// ε̂ = (x_t − √ᾱ_t·x_0) / √(1−ᾱ_t).
    public func predictEps(xt: Tensor, t: [Int], x0: Tensor) throws -> Tensor {
        try combine(xt, x0, t: t, names: ("xt", "x0")) { x, x0, t in
            (x - sqrtAlphaBar[t] * x0) / sqrtOneMinusAlphaBar[t]
        }
    }

    /// v = √ᾱ_t·ε − √(1−ᾱ_t)·x_0 (diffusers' `get_velocity`), the v-prediction target.
    public func vTarget(x0: Tensor, t: [Int], eps: Tensor) throws -> Tensor {
        try combine(x0, eps, t: t, names: ("x0", "eps")) { x0, e, t in
            sqrtAlphaBar[t] * e - sqrtOneMinusAlphaBar[t] * x0
        }
    }

    /// Converts a model output from one parameterisation to another, given x_t and t.
    public func convert(_ output: Tensor, from: Prediction, to: Prediction, xt: Tensor, t: [Int]) throws -> Tensor {
        if from == to {
            try Check.sameShape(output.shape, xt.shape, "model output", "xt")
            _ = try groups(t, shape: xt.shape)
            return Tensor(shape: output.shape, scalars: output.scalars)
        }
        return try combine(xt, output, t: t, names: ("xt", "model output")) { x, out, t in
            let (x0, eps) = Schedule.x0AndEps(out, prediction: from, xt: x, a: sqrtAlphaBar[t], b: sqrtOneMinusAlphaBar[t])
            switch to {
            case .x0: return x0
            case .eps: return eps
            case .v: return sqrtAlphaBar[t] * eps - sqrtOneMinusAlphaBar[t] * x0
            }
        }
    }

    /// (x̂_0, ε̂) from one model output element, with a = √ᾱ_t and b = √(1−ᾱ_t) (diffusers' formulas).
    static func x0AndEps(_ out: Double, prediction: Prediction, xt: Double, a: Double, b: Double) -> (Double, Double) {
        switch prediction {
        case .eps: return ((xt - b * out) / a, out)
        case .x0: return (out, (xt - a * out) / b)
        case .v: return (a * xt - b * out, a * out + b * xt)
        }
    }
}

extension Schedule {
    /// `qSample` with one timestep for the whole batch.
    public func qSample(_ x0: Tensor, t: Int, noise: Tensor) throws -> Tensor { try qSample(x0, t: [t], noise: noise) }
    /// `qPosterior` with one timestep for the whole batch.
    public func qPosterior(x0: Tensor, xt: Tensor, t: Int) throws -> Posterior { try qPosterior(x0: x0, xt: xt, t: [t]) }
    /// `predictX0` with one timestep for the whole batch.
    public func predictX0(xt: Tensor, t: Int, eps: Tensor) throws -> Tensor { try predictX0(xt: xt, t: [t], eps: eps) }
    /// `predictEps` with one timestep for the whole batch.
    public func predictEps(xt: Tensor, t: Int, x0: Tensor) throws -> Tensor { try predictEps(xt: xt, t: [t], x0: x0) }
    /// `vTarget` with one timestep for the whole batch.
    public func vTarget(x0: Tensor, t: Int, eps: Tensor) throws -> Tensor { try vTarget(x0: x0, t: [t], eps: eps) }
}
