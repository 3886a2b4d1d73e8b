import Foundation

/// Rows of schedule quantities, one per listed timestep, in Float64 (`table(s, every:)`, docs/builtins.md §
/// Teaching the math).
public struct ScheduleTable {
    /// Column names: `t` first, then quantity names as in `Schedule.quantities`.
    public let columns: [String]
    /// One row per timestep; the first value is t.
    public let rows: [[Double]]

    /// The table as aligned text: integers for t, 6 significant digits otherwise.
    public func render() -> String {
        let cells = [columns] + rows.map { row in
            row.enumerated().map { $0.offset == 0 ? String(Int($0.element)) : Teaching.number($0.element) }
        }
        let widths = columns.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
        return cells.map { row in
            row.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// The default columns of `table`.
public let defaultTableColumns = ["betas", "alpha_bar", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar",
                                  "posterior_variance", "snr", "log_snr"]

/// The schedule at t = 0, every, 2·every, … and always T − 1, with the chosen quantities.
public func table(_ schedule: Schedule, every: Int = 100, columns: [String] = defaultTableColumns) throws -> ScheduleTable {
    guard every >= 1 else { throw DiffusionError("every must be at least 1, got \(every)") }
    let all = Dictionary(uniqueKeysWithValues: schedule.quantities.map { ($0.name, $0.values) })
    let chosen = try columns.map { name -> [Double] in
        guard let values = all[name] else {
            throw DiffusionError("unknown schedule quantity '\(name)' (expected one of "
                                 + schedule.quantities.map(\.name).joined(separator: ", ") + ")")
        }
        return values
    }
    var ts = Array(stride(from: 0, to: schedule.T, by: every))
    if ts.last != schedule.T - 1 { ts.append(schedule.T - 1) }
    return ScheduleTable(columns: ["t"] + columns, rows: ts.map { t in [Double(t)] + chosen.map { $0[t] } })
}

/// Text that spells out every schedule quantity at t and the DDPM and DDIM updates with the numbers in.
///
/// The DDIM part steps from t to `ddimPrev` (default t − 1; negative means the final ᾱ, 1 unless the
/// schedule's settings say `setAlphaToOne = false`) with the given η.
public func explain(_ schedule: Schedule, t: Int, ddimPrev: Int? = nil, eta: Double = 0) throws -> String {
    try schedule.checkTimestep(t)
    let prev = ddimPrev ?? t - 1
    let sigmaSquared = try ddimVariance(schedule, t: t, tPrev: prev)
    guard eta.isFinite, eta >= 0 else { throw DiffusionError("eta must be a number ≥ 0, got \(eta)") }
    let n = Teaching.number, c = Teaching.combination
    let s = schedule
    let beta = s.betas[t], abar = s.alphaBar[t], a = s.sqrtAlphaBar[t], b = s.sqrtOneMinusAlphaBar[t]
    var lines = [
        "schedule \(s.kind.rawValue), T = \(s.T), t = \(t) (0-based; step \(t + 1) of the DDPM paper)",
        "  β_t                         = \(n(beta))",
        "  α_t = 1 − β_t               = \(n(s.alphas[t]))",
        "  ᾱ_t = α_0·…·α_t             = \(n(abar))",
        "  ᾱ_{t−1}                     = \(n(s.alphaBarPrev[t]))\(t == 0 ? "  (1 by convention at t = 0)" : "")",
        "  √ᾱ_t = \(n(a)),  √(1−ᾱ_t) = \(n(b))",
        "  SNR = ᾱ_t/(1−ᾱ_t)           = \(n(s.snr[t])),  log SNR = \(n(s.logSNR[t]))",
        "  β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t)·β_t = \(n(s.posteriorVariance[t])),  log β̃_t = \(n(s.posteriorLogVariance[t]))"
            + (t == 0 ? "  (log clipped to t = 1)" : ""),
        "",
        "forward   q(x_t | x_0):  x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε = \(n(a))·x_0 + \(n(b))·ε",
        "posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t):",
        "  μ̃_t = √ᾱ_{t−1}β_t/(1−ᾱ_t)·x_0 + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t)·x_t = \(n(s.posteriorMeanCoef1[t]))·x_0 + \(n(s.posteriorMeanCoef2[t]))·x_t",
        "",
        "DDPM step t → t−1 (ε-prediction):",
        "  x̂_0 = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t = " + c([(1 / a, "x_t"), (-b / a, "ε̂")]),
    ]
    let meanX = 1 / s.alphas[t].squareRoot(), meanEps = beta / (b * s.alphas[t].squareRoot())
    if t > 0 {
        lines += [
            "  x_{t−1} = (x_t − β_t/√(1−ᾱ_t)·ε̂)/√α_t + σ_t·z = " + c([(meanX, "x_t"), (-meanEps, "ε̂")]) + " + σ_t·z",
            "  σ_t = √β̃_t = \(n(s.posteriorVariance[t].squareRoot())) (fixed_small)  or  √β_t = \(n(beta.squareRoot())) (fixed_large)",
        ]
    } else {
        lines.append("  output = μ̃_0 = x̂_0 = " + c([(meanX, "x_t"), (-meanEps, "ε̂")]) + "  (no noise at t = 0)")
    }
    let aPrev = s.alphaBar(orFinalAt: prev, s.settings), sigma = eta * sigmaSquared.squareRoot()
    let direction = max(1 - aPrev - sigma * sigma, 0).squareRoot()
    let prevName = prev >= 0 ? "t' = \(prev)" : s.settings.setAlphaToOne ? "the end (ᾱ = 1)" : "the end (ᾱ = ᾱ_0)"
    lines += [
        "",
        "DDIM step t → \(prevName), η = \(n(eta)):",
        "  ᾱ_{t'} = \(n(aPrev)),  σ = η·√((1−ᾱ_{t'})/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_{t'})) = \(n(sigma))",
        "  x_{t'} = √ᾱ_{t'}·x̂_0 + √(1−ᾱ_{t'}−σ²)·ε̂ + σ·z = "
            + c([(aPrev.squareRoot(), "x̂_0"), (direction, "ε̂")] + (sigma > 0 ? [(sigma, "z")] : [])),
        "         = " + c([(aPrev.squareRoot() / a, "x_t"), (direction - aPrev.squareRoot() * b / a, "ε̂")]
                       + (sigma > 0 ? [(sigma, "z")] : [])),
    ]
    return lines.joined(separator: "\n")
}

enum Teaching {
    /// "a·x − b·y + c·z" with the signs written out.
    static func combination(_ terms: [(Double, String)]) -> String {
        var text = ""
        for (i, (coefficient, name)) in terms.enumerated() {
            let negative = coefficient < 0 || (coefficient == 0 && coefficient.sign == .minus)
            if i == 0 { text += negative ? "−" : "" } else { text += negative ? " − " : " + " }
            text += number(Swift.abs(coefficient)) + "·" + name
        }
        return text
    }

    /// A float64 in 6 significant digits (`%.6g`), without a trailing exponent sign clutter.
    static func number(_ x: Double) -> String {
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x.isNaN { return "nan" }
        return String(format: "%.6g", x)
    }
}
