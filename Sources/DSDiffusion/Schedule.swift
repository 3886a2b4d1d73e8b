import Foundation

/// A noise schedule β_0 … β_{T−1} and every quantity derived from it, computed in Float64.
///
/// Timesteps are 0-based as in diffusers (t = 0 is the first noising step, step 1 of the DDPM paper).
/// The β formulas are diffusers' (`DDPMScheduler.__init__`); unlike diffusers, which rounds the
/// schedule to float32, everything here stays in float64 as in the original DDPM and improved-diffusion
/// code (float32 loses about 5e-5 relative precision in β̃_1 and up to 1e-3 in 1 − ᾱ near t = 0).
public final class Schedule {
    /// How the betas were made.
    public enum Kind: String, CaseIterable, Sendable {
        /// β evenly spaced from `betaStart` to `betaEnd` (DDPM).
        case linear
        /// √β evenly spaced, then squared (latent diffusion; DDPM code's `quad`).
        case scaledLinear = "scaled_linear"
        /// Nichol & Dhariwal's cosine ᾱ, s = 0.008, β capped at 0.999 (diffusers' `squaredcos_cap_v2`).
        case cosine
        /// σ(linspace(−6, 6, T))·(βend − βstart) + βstart (diffusers' and GeoDiff's `sigmoid`).
        case sigmoid
        /// diffusers' `laplace`: ᾱ(t) = √(snr/(1+snr)) with log snr = −½·sign(½−t)·ln(1 − 2|½−t| + 10⁻⁶), β capped at 0.999.
        case laplace
        /// diffusers' `exp`: ᾱ(t) = e^{−12t}, β capped at 0.999.
        case exp
        /// Betas given explicitly.
        case custom

        /// Whether `betaStart` and `betaEnd` shape the betas (the ᾱ-function kinds ignore them).
        public var usesBetaRange: Bool { self == .linear || self == .scaledLinear || self == .sigmoid }

        /// Parses a kind name; accepts diffusers' `squaredcos_cap_v2` for `cosine`.
        public init(name: String) throws {
            switch name {
            case "squaredcos_cap_v2": self = .cosine
            case "custom": throw DiffusionError("schedule kind 'custom' is made by passing the betas themselves")
            default:
                guard let kind = Kind(rawValue: name) else {
                    throw DiffusionError("unknown schedule kind '\(name)' (expected linear, scaled_linear, cosine "
                                         + "(squaredcos_cap_v2), sigmoid, laplace or exp)")
                }
                self = kind
            }
        }
    }

    /// The largest number of timesteps accepted (guards against huge allocations from a typo).
    public static let maxSteps = 1_000_000

    public let kind: Kind
    /// T, the number of diffusion timesteps.
    public let steps: Int
    public let betaStart: Double
    public let betaEnd: Double
    /// Whether the betas were rescaled to zero terminal SNR (Lin et al. 2023, Algorithm 1).
    public let rescaledZeroTerminalSNR: Bool
    /// How samplers use this schedule (prediction type, clipping, spacing, ...); see `with(_:)`.
    public let settings: SamplerSettings

    /// β_t.
    public let betas: [Double]
    /// α_t = 1 − β_t.
    public let alphas: [Double]
    /// ᾱ_t = Π_{s ≤ t} α_s (diffusers' `alphas_cumprod`).
    public let alphaBar: [Double]
    /// ᾱ_{t−1}, with 1 at t = 0.
    public let alphaBarPrev: [Double]
    public let sqrtAlphaBar: [Double]
    public let sqrtOneMinusAlphaBar: [Double]
    /// β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t, the variance of q(x_{t−1} | x_t, x_0); 0 at t = 0.
    public let posteriorVariance: [Double]
    /// log β̃_t, with t = 0 clipped to log β̃_1 as in the DDPM code (log 0 would be −∞).
    public let posteriorLogVariance: [Double]
    /// √ᾱ_{t−1} β_t / (1 − ᾱ_t): the coefficient of x_0 in the posterior mean μ̃_t.
    public let posteriorMeanCoef1: [Double]
    /// √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t): the coefficient of x_t in the posterior mean μ̃_t.
    public let posteriorMeanCoef2: [Double]
    /// SNR(t) = ᾱ_t / (1 − ᾱ_t).
    public let snr: [Double]
    /// log SNR(t) (−∞ where ᾱ_t = 0, as after the zero-terminal-SNR rescale).
    public let logSNR: [Double]

    /// T, the number of timesteps (the same as `steps`).
    public var T: Int { steps }

    /// Makes a named schedule; `kind` is `linear`, `scaled_linear`, `cosine` (or `squaredcos_cap_v2`), `sigmoid`,
    /// `laplace` or `exp`.
    public convenience init(kind: String, steps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02,
                            rescaleZeroTerminalSNR: Bool = false, settings: SamplerSettings = SamplerSettings()) throws {
        try self.init(kind: Kind(name: kind), steps: steps, betaStart: betaStart, betaEnd: betaEnd,
                      rescaleZeroTerminalSNR: rescaleZeroTerminalSNR, settings: settings)
    }

    /// Makes a named schedule with diffusers' formulas, evaluated in Float64.
    public convenience init(kind: Kind, steps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02,
                            rescaleZeroTerminalSNR: Bool = false, settings: SamplerSettings = SamplerSettings()) throws {
        try Schedule.checkSteps(steps)
        if kind.usesBetaRange {
            for (name, value) in [("beta_start", betaStart), ("beta_end", betaEnd)] {
                guard value.isFinite, value > 0, value < 1 else {
                    throw DiffusionError("\(name) must lie strictly between 0 and 1, got \(value)")
                }
            }
        }
        let betas: [Double]
        switch kind {
        case .linear:
            betas = Schedule.linspace(betaStart, betaEnd, steps)
        case .scaledLinear:
            betas = Schedule.linspace(betaStart.squareRoot(), betaEnd.squareRoot(), steps).map { $0 * $0 }
        case .sigmoid:
            betas = Schedule.linspace(-6, 6, steps).map { 1 / (1 + exp(-$0)) * (betaEnd - betaStart) + betaStart }
        case .cosine:
            betas = Schedule.betas(steps) { t in let c = cos((t + 0.008) / 1.008 * Double.pi / 2); return c * c }
        case .laplace:
            betas = Schedule.betas(steps) { t in
                let lambda = -0.5 * (0.5 - t < 0 ? -1.0 : 1.0) * log(1 - 2 * Swift.abs(0.5 - t) + 1e-6)
                let snr = Foundation.exp(lambda)
                return (snr / (1 + snr)).squareRoot()
            }
        case .exp:
            betas = Schedule.betas(steps) { t in Foundation.exp(-12 * t) }
        case .custom:
            throw DiffusionError("a custom schedule is made from its betas: Schedule(betas:)")
        }
        try self.init(kind: kind, checking: betas, betaStart: betaStart, betaEnd: betaEnd,
                      rescaleZeroTerminalSNR: rescaleZeroTerminalSNR, settings: settings)
    }

    /// Makes a schedule from explicit betas (each in (0, 1]; only the last may be 1).
    public convenience init(betas: [Double], rescaleZeroTerminalSNR: Bool = false,
                            settings: SamplerSettings = SamplerSettings()) throws {
        try Schedule.checkSteps(betas.count)
        try self.init(kind: .custom, checking: betas, betaStart: betas.first ?? 0, betaEnd: betas.last ?? 0,
                      rescaleZeroTerminalSNR: rescaleZeroTerminalSNR, settings: settings)
    }

    /// The same betas with other sampler settings.
    public func with(_ settings: SamplerSettings) throws -> Schedule {
        try settings.validate()
        return Schedule(kind: kind, betas: betas, betaStart: betaStart, betaEnd: betaEnd,
                        rescaled: rescaledZeroTerminalSNR, settings: settings)
    }

    private convenience init(kind: Kind, checking rawBetas: [Double], betaStart: Double, betaEnd: Double,
                             rescaleZeroTerminalSNR: Bool, settings: SamplerSettings) throws {
        let n = rawBetas.count
        for (t, b) in rawBetas.enumerated() {
            guard b.isFinite, b > 0, b <= 1 else {
                throw DiffusionError("beta at t = \(t) must lie in (0, 1], got \(b)")
            }
            if b == 1 && t != n - 1 {
                throw DiffusionError("beta at t = \(t) is 1, which makes every later alpha_bar 0 (only the last beta may be 1)")
            }
        }
        try settings.validate()
        var betas = rawBetas
        if rescaleZeroTerminalSNR {
            guard n >= 2 else { throw DiffusionError("rescaling to zero terminal SNR needs at least 2 timesteps") }
            betas = Schedule.rescaledToZeroTerminalSNR(betas)
        }
        self.init(kind: kind, betas: betas, betaStart: betaStart, betaEnd: betaEnd, rescaled: rescaleZeroTerminalSNR,
                  settings: settings)
    }

    /// Every quantity from checked (and, when asked for, already rescaled) betas.
    private init(kind: Kind, betas: [Double], betaStart: Double, betaEnd: Double, rescaled: Bool,
                 settings: SamplerSettings) {
        let n = betas.count
        self.kind = kind
        self.steps = n
        self.betaStart = betaStart
        self.betaEnd = betaEnd
        self.rescaledZeroTerminalSNR = rescaled
        self.settings = settings
        self.betas = betas
        alphas = betas.map { 1 - $0 }
        var product = 1.0
        alphaBar = alphas.map { product *= $0; return product }
        alphaBarPrev = [1.0] + alphaBar.dropLast()
        sqrtAlphaBar = alphaBar.map { $0.squareRoot() }
        sqrtOneMinusAlphaBar = alphaBar.map { (1 - $0).squareRoot() }
        let abar = alphaBar, prev = alphaBarPrev, alphas = alphas
        posteriorVariance = (0..<n).map { t in (1 - prev[t]) / (1 - abar[t]) * betas[t] }
        let pv = posteriorVariance
        // DDPM's posterior_log_variance_clipped: log(append(β̃_1, β̃[1:])); with T = 1 use log β_0.
        posteriorLogVariance = (0..<n).map { t in t > 0 ? log(pv[t]) : log(n > 1 ? pv[1] : betas[0]) }
        posteriorMeanCoef1 = (0..<n).map { t in prev[t].squareRoot() * betas[t] / (1 - abar[t]) }
        posteriorMeanCoef2 = (0..<n).map { t in alphas[t].squareRoot() * (1 - prev[t]) / (1 - abar[t]) }
        snr = abar.map { $0 / (1 - $0) }
        logSNR = abar.map { log($0) - log(1 - $0) }
    }

    /// Every per-timestep quantity, by its script name, in a fixed order (for tables and bindings).
    public var quantities: [(name: String, values: [Double])] {
        [("betas", betas), ("alphas", alphas), ("alpha_bar", alphaBar), ("alpha_bar_prev", alphaBarPrev),
         ("sqrt_alpha_bar", sqrtAlphaBar), ("sqrt_one_minus_alpha_bar", sqrtOneMinusAlphaBar),
         ("posterior_variance", posteriorVariance), ("posterior_log_variance", posteriorLogVariance),
         ("posterior_mean_coef1", posteriorMeanCoef1), ("posterior_mean_coef2", posteriorMeanCoef2),
         ("snr", snr), ("log_snr", logSNR)]
    }

    /// Throws unless 0 ≤ t < T.
    public func checkTimestep(_ t: Int) throws {
        guard t >= 0, t < steps else {
            throw DiffusionError("timestep \(t) is outside [0, \(steps)) for this \(steps)-step schedule")
        }
    }

    /// ᾱ at `t`, or 1 for a negative `t` (the step after the last, as diffusers' DDPM and `set_alpha_to_one`).
    func alphaBar(orOneAt t: Int) -> Double { t < 0 ? 1 : alphaBar[t] }

    /// ᾱ at `t`, or for a negative `t` DDIM's final ᾱ: 1 with `setAlphaToOne`, else ᾱ_0.
    func alphaBar(orFinalAt t: Int, _ settings: SamplerSettings) -> Double {
        t >= 0 ? alphaBar[t] : settings.setAlphaToOne ? 1 : alphaBar[0]
    }

    static func checkSteps(_ steps: Int) throws {
        guard steps >= 1 else { throw DiffusionError("a schedule needs at least 1 timestep, got \(steps)") }
        guard steps <= maxSteps else {
            throw DiffusionError("a schedule may have at most \(maxSteps) timesteps, got \(steps)")
        }
    }

    /// diffusers' `betas_for_alpha_bar`: β_i = min(1 − ᾱ((i+1)/T)/ᾱ(i/T), 0.999).
    static func betas(_ steps: Int, alphaBar f: (Double) -> Double) -> [Double] {
        let n = Double(steps)
        return (0..<steps).map { i in min(1 - f(Double(i + 1) / n) / f(Double(i) / n), 0.999) }
    }

    /// numpy's `linspace(start, stop, n)`: `i·step + start`, the last value set to `stop`.
    static func linspace(_ start: Double, _ stop: Double, _ n: Int) -> [Double] {
        guard n > 1 else { return n == 1 ? [start] : [] }
        let step = (stop - start) / Double(n - 1)
        var values = (0..<n).map { Double($0) * step + start }
        values[n - 1] = stop
        return values
    }

    /// Lin et al. 2023, Algorithm 1: shift and scale √ᾱ so that ᾱ_{T−1} = 0 and ᾱ_0 is unchanged.
    static func rescaledToZeroTerminalSNR(_ betas: [Double]) -> [Double] {
        var product = 1.0
        var root = betas.map { b -> Double in product *= 1 - b; return product.squareRoot() }
        let first = root[0], last = root[root.count - 1]
        root = root.map { ($0 - last) * (first / (first - last)) }
        let abar = root.map { $0 * $0 }
        return abar.indices.map { t in 1 - (t == 0 ? abar[0] : abar[t] / abar[t - 1]) }
    }
}
