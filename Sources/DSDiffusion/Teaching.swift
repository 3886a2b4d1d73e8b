import DSLimits
import Foundation

/// Rows of schedule quantities, one per listed timestep, in Float64 (`table(s, every:)`, docs/builtins.md §
/// Teaching the math).
public struct ScheduleTable {
    /// Column names: `t` first, then quantity names as in `Schedule.quantities`.
    public let columns: [String]
    /// One row per timestep; the first value is t.
    public let rows: [[Double]]

    /// The rows as text: t as an integer, the quantities in 6 significant digits (`Teaching.number`).
    /// (DSRender's `TextTable` lays them out, on a terminal and in a notebook.)
    public var cells: [[String]] {
        rows.map { row in row.enumerated().map { $0.offset == 0 ? String(Int($0.element)) : Teaching.number($0.element) } }
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

/// What `explain(s, t)` prints: a heading, the schedule quantities at t (one per line, their `=`
/// aligned) and the forward, posterior, DDPM and DDIM updates with the numbers in.
public struct Explanation {
    public struct Quantity: Equatable {
        /// The symbol, with its definition where it has one (`α_t = 1 − β_t`).
        public let name: String
        public let value: Double
        /// A remark after the value (`(1 by convention at t = 0)`), or empty.
        public let remark: String
    }

    public let heading: String
    public let quantities: [Quantity]
    /// The lines after the quantities: the processes and updates, blank lines between them.
    public let updates: [String]

    public var text: String {
        let width = quantities.map(\.name.count).max() ?? 0
        let rows = quantities.map { q in
            "  " + q.name + String(repeating: " ", count: width - q.name.count) + " = " + Teaching.number(q.value)
                + (q.remark.isEmpty ? "" : "  " + q.remark)
        }
        return ([heading] + rows + [""] + updates).joined(separator: "\n")
    }
}

/// Text that spells out every schedule quantity at t and the DDPM and DDIM updates with the numbers in.
///
/// The DDIM part steps from t to `ddimPrev` (default t − 1; negative means the final ᾱ, 1 unless the
/// schedule's settings say `setAlphaToOne = false`) with the given η.
public func explain(_ schedule: Schedule, t: Int, ddimPrev: Int? = nil, eta: Double = 0) throws -> String {
    try explanation(schedule, t: t, ddimPrev: ddimPrev, eta: eta).text
}

/// `explain`'s parts, for a notebook's table (`Explanation`).
public func explanation(_ schedule: Schedule, t: Int, ddimPrev: Int? = nil, eta: Double = 0) throws -> Explanation {
    try schedule.checkTimestep(t)
    let prev = ddimPrev ?? t - 1
    let sigmaSquared = try ddimVariance(schedule, t: t, tPrev: prev)
    guard eta.isFinite, eta >= 0 else { throw DiffusionError("eta must be a number ≥ 0, got \(NumberText.plain(eta))") }
    let n = Teaching.number, c = Teaching.combination
    let s = schedule
    let beta = s.betas[t], abar = s.alphaBar[t], a = s.sqrtAlphaBar[t], b = s.sqrtOneMinusAlphaBar[t]
    let heading = "schedule \(s.kind.rawValue), T = \(s.T), t = \(t) (0-based; step \(t + 1) of the DDPM paper)"
    let quantities = [
        ("β_t", beta, ""), ("α_t = 1 − β_t", s.alphas[t], ""), ("ᾱ_t = α_0·…·α_t", abar, ""),
        ("ᾱ_{t−1}", s.alphaBarPrev[t], t == 0 ? "(1 by convention at t = 0)" : ""),
        ("√ᾱ_t", a, ""), ("√(1−ᾱ_t)", b, ""), ("SNR = ᾱ_t/(1−ᾱ_t)", s.snr[t], ""), ("log SNR", s.logSNR[t], ""),
        ("β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t)·β_t", s.posteriorVariance[t], ""),
        ("log β̃_t", s.posteriorLogVariance[t], t == 0 ? "(log clipped to t = 1)" : ""),
    ].map { Explanation.Quantity(name: $0.0, value: $0.1, remark: $0.2) }
    var lines = [
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
    return Explanation(heading: heading, quantities: quantities, updates: lines)
}

/// The numbers of `explain`, `table` and `check`.
public enum Teaching {
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

    /// A float64 in 6 significant digits (`%.6g`); `nan`, `inf`, `-inf`.
    public static func number(_ x: Double) -> String {
        NumberText.significant(x, 6)
    }
}
