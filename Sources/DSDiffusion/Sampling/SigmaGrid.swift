import Foundation

/// The noise levels a σ-based sampler visits: the model's timestep at each step and the σ of each
/// step, with σ = √((1 − ᾱ)/ᾱ) (the variance-exploding scale of Karras et al.), ending at σ = 0.
///
/// Two families, as in diffusers:
/// - `.discrete` (EulerDiscrete, EulerAncestralDiscrete, HeunDiscrete): `linspace` timesteps are
///   fractional (`linspace(0, T−1, n)`), σ is interpolated linearly in t, and Karras σs are mapped back
///   to fractional timesteps.
/// - `.multistep` (DPMSolverMultistep, UniPCMultistep): integer timesteps (`linspace` takes n of
///   `round(linspace(0, T−1, n+1))`, `leading` uses the ratio T // (n+1)), and Karras σs are mapped
///   back to timesteps rounded to integers.
///
/// One deliberate difference: for Karras σs on a `squaredcos_cap_v2` schedule diffusers'
/// DPMSolverMultistep skips the rounding and then truncates the timesteps with its int64 cast; dscript
/// rounds for every schedule (diffusers' UniPC does too).
public struct SigmaGrid: Equatable {
    /// Which diffusers scheduler family the grid follows.
    public enum Family: Sendable {
        case discrete
        case multistep
    }

    /// The timestep the model sees at each step (fractional for some `.discrete` grids).
    public let timesteps: [Double]
    /// σ at each step, then the final σ = 0: one more entry than `timesteps`.
    public let sigmas: [Double]

    public init(timesteps: [Double], sigmas: [Double]) {
        self.timesteps = timesteps
        self.sigmas = sigmas
    }

    /// The grid of an `steps`-step sampler of `family` on `schedule`, identical to diffusers' `set_timesteps`.
    public init(_ schedule: Schedule, steps: Int, family: Family, spacing: TimestepSpacing, karras: Bool = false,
                stepsOffset: Int = 0) throws {
        let T = schedule.T
        guard T >= 2 else { throw DiffusionError("σ-based samplers need a schedule of at least 2 timesteps") }
        let trainSigmas = SigmaGrid.trainingSigmas(schedule)
        let logSigmas = trainSigmas.map { log($0) }
        var timesteps = try SigmaGrid.gridTimesteps(T: T, steps: steps, family: family, spacing: spacing,
                                                      stepsOffset: stepsOffset)
        var sigmas: [Double]
        if karras {
            let range = family == .discrete
                ? timesteps.map { SigmaGrid.interpolate(trainSigmas, at: $0) } : trainSigmas.reversed()
            sigmas = SigmaGrid.karras(max: range[0], min: range[range.count - 1], steps: steps)
            timesteps = sigmas.map { SigmaGrid.timestep(ofSigma: $0, logSigmas: logSigmas) }
            if family == .multistep { timesteps = timesteps.map { $0.rounded(.toNearestOrEven) } }
        } else {
            sigmas = timesteps.map { SigmaGrid.interpolate(trainSigmas, at: $0) }
        }
        for i in 1..<max(sigmas.count, 1) where !(sigmas[i] < sigmas[i - 1]) {
            throw DiffusionError("\(steps) steps are too many for this \(T)-step schedule: σ does not decrease "
                                 + "from step \(i - 1) to step \(i) (\(Teaching.number(sigmas[i - 1])) → \(Teaching.number(sigmas[i])))")
        }
        self.init(timesteps: timesteps, sigmas: sigmas + [0])
    }

    /// √((1 − ᾱ_t)/ᾱ_t) for t = 0 … T−1. A zero ᾱ (zero terminal SNR) is replaced by 2⁻²⁴, as diffusers
    /// does for its σ-based schedulers, so that the first σ is finite.
    public static func trainingSigmas(_ schedule: Schedule) -> [Double] {
        schedule.alphaBar.map { abar in
            let a = abar > 0 ? abar : 0x1p-24
            return ((1 - a) / a).squareRoot()
        }
    }

    /// The descending timesteps before any Karras conversion (as Float64, fractional for `.discrete` linspace).
    static func gridTimesteps(T: Int, steps: Int, family: Family, spacing: TimestepSpacing,
                              stepsOffset: Int) throws -> [Double] {
        try checkSteps(T: T, steps: steps, stepsOffset: stepsOffset)
        var timesteps: [Double]
        switch (family, spacing) {
        case (.discrete, .linspace):
            timesteps = Schedule.linspace(0, Double(T - 1), steps).reversed()
        case (.multistep, .linspace):
            timesteps = Schedule.linspace(0, Double(T - 1), steps + 1).reversed().dropLast().map { $0.rounded(.toNearestOrEven) }
        case (.multistep, .leading):
            let ratio = T / (steps + 1)
            timesteps = (1...steps).reversed().map { Double($0 * ratio + stepsOffset) }
        case (.discrete, .leading), (_, .trailing):
            // The same lists as DDIM's (`ddimTimesteps`), integers.
            timesteps = try spacedTimesteps(T: T, steps: steps, spacing: spacing, stepsOffset: stepsOffset).map(Double.init)
        }
        if let bad = timesteps.first(where: { $0 < 0 || $0 > Double(T - 1) }) {
            throw DiffusionError("steps_offset \(stepsOffset) puts timestep \(formatted(bad)) outside [0, \(T))")
        }
        return timesteps
    }

    /// numpy's `interp(t, arange(n), values)`: linear between neighbours, clamped at both ends.
    static func interpolate(_ values: [Double], at t: Double) -> Double {
        if t <= 0 { return values[0] }
        if t >= Double(values.count - 1) { return values[values.count - 1] }
        let low = Int(t.rounded(.down))
        let w = t - Double(low)
        return w == 0 ? values[low] : values[low] + w * (values[low + 1] - values[low])
    }

    /// Karras et al. (2022) eq. 5 with ρ = 7: `steps` σs from `max` down to `min`, evenly spaced in σ^(1/ρ).
    static func karras(max: Double, min: Double, steps: Int) -> [Double] {
        let rho = 7.0
        let low = pow(min, 1 / rho), high = pow(max, 1 / rho)
        return Schedule.linspace(0, 1, steps).map { ramp in pow(high + ramp * (low - high), rho) }
    }

    /// diffusers' `_sigma_to_t`: the fractional timestep whose σ matches, interpolating log σ linearly.
    static func timestep(ofSigma sigma: Double, logSigmas: [Double]) -> Double {
        let logSigma = log(Swift.max(sigma, 1e-10))
        let last = logSigmas.count - 1
        // The last index whose log σ is ≤ log sigma (0 if none), at most T − 2.
        var low = 0
        for (i, value) in logSigmas.enumerated() where logSigma - value >= 0 { low = i }
        low = Swift.min(low, last - 1)
        let lowValue = logSigmas[low], highValue = logSigmas[low + 1]
        let w = Swift.min(Swift.max((lowValue - logSigma) / (lowValue - highValue), 0), 1)
        return (1 - w) * Double(low) + w * Double(low + 1)
    }

    static func formatted(_ t: Double) -> String { t.rounded() == t ? String(Int(t)) : String(t) }
}
