import DSDiffusion
import DSEngine
import DSLanguage
import Foundation

/// Teaching built-ins (SPEC §10): `explain`, `table`, `plot_schedule`, `compare` and `check`, the
/// assertion the lessons use. Numbers are printed from the float64 schedule, never from float32 tensors.
enum DiffusionTeaching {
    static let functions: [Builtin] = [
        Builtin("explain(s, t, t_prev, eta = 0)", "prints every schedule quantity at t and the DDPM / DDIM updates with the numbers filled in",
                example: "explain(schedule(\"linear\"), 500)") { a, c in
            let s = try a.schedule(0), t = try a.int(1, "t")
            let prev: Int? = a.has(2, "t_prev") ? try a.int(2, "t_prev") : nil
            c.write(try diffusion { try explain(s, t: t, ddimPrev: prev, eta: try a.number(3, "eta", default: 0)) } + "\n")
            return .null
        },
        Builtin("table(s, every = 100, columns)", "prints the schedule every `every` steps (and at T − 1) as float64 columns",
                example: "table(schedule(\"cosine\"), every: 250)") { a, c in
            let s = try a.schedule(0)
            let every = try a.int(1, "every", default: 100)
            var columns = defaultTableColumns
            if a.has(2, "columns") {
                columns = try a.list(2, "columns").items.map { item in
                    guard case .string(let name) = item else { throw a.typeError(2, "columns", expected: "list of strings", got: item) }
                    return name
                }
            }
            c.write(try diffusion { try table(s, every: every, columns: columns) }.render() + "\n")
            return .null
        },
        Builtin("plot_schedule(s, width = 60, height = 12)", "draws ᾱ_t, β_t/β_max, β̃_t/β_max and log-SNR (rescaled) against t",
                example: "plot_schedule(schedule(\"cosine\"))") { a, c in
            let s = try a.schedule(0)
            let (w, h) = (try a.int(1, "width", default: 60), try a.int(2, "height", default: 12))
            let betaMax = s.betas.max() ?? 1
            let finite = s.logSNR.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            let series: [(Character, String, [Double])] = [
                ("a", "ᾱ_t", s.alphaBar),
                ("b", "β_t / \(Teaching2.number(betaMax))", s.betas.map { $0 / betaMax }),
                ("p", "β̃_t / \(Teaching2.number(betaMax))", s.posteriorVariance.map { $0 / betaMax }),
                ("s", "log SNR from \(Teaching2.number(lo)) to \(Teaching2.number(hi))",
                 s.logSNR.map { $0.isFinite ? ($0 - lo) / max(hi - lo, 1e-12) : 0 }),
            ]
            c.write(try Teaching2.chart(series, width: w, height: h, steps: s.T))
            return .null
        },
        Builtin("compare(schedules, width = 60, height = 12)", "overlays ᾱ_t of several schedules and prints ᾱ at a few timesteps",
                example: "compare([schedule(\"linear\"), schedule(\"cosine\")])") { a, c in
            let objects = try a.list(0, "schedules").items.enumerated().map { i, item -> NoiseScheduleObject in
                guard case .native(let object as NoiseScheduleObject) = item else {
                    throw a.error(0, "schedules", "element \(i) is a \(item.typeName), not a schedule")
                }
                return object
            }
            guard !objects.isEmpty, objects.count <= 9 else { throw a.error(0, "schedules", "1 to 9 schedules expected") }
            let marks = Array("123456789")
            let series = objects.enumerated().map { i, o in
                (marks[i], o.describe(repr: false), o.schedule.alphaBar)
            }
            let T = objects.map(\.schedule.T).max() ?? 1
            c.write(try Teaching2.chart(series, width: try a.int(1, "width", default: 60), height: try a.int(2, "height", default: 12), steps: T))
            return .null
        },
        Builtin("check(name, got, want, tol = 1e-6)",
                "prints got and want side by side with PASS or FAIL; fails (an error) when |got − want| > tol anywhere",
                example: "check(\"variance kept\", x.var(), 1, tol: 0.05)") { a, c in
            let name = try a.string(0, "name")
            let got = try values(a, 1, "got"), want = try values(a, 2, "want")
            let tol = try a.number(3, "tol", default: 1e-6)
            guard tol.isFinite, tol >= 0 else { throw a.error(3, "tol", "a number ≥ 0 expected") }
            guard got.count == want.count || want.count == 1 || got.count == 1 else {
                throw a.error(2, "want", "got has \(got.count) values, want has \(want.count)")
            }
            let n = max(got.count, want.count)
            var worst = 0.0
            for i in 0..<n {
                let g = got[got.count == 1 ? 0 : i], w = want[want.count == 1 ? 0 : i]
                let d = Swift.abs(g - w)
                worst = d.isNaN ? .infinity : Swift.max(worst, d)
            }
            let pass = worst <= tol
            func show(_ t: [Double]) -> String {
                t.count == 1 ? Teaching2.number(t[0])
                    : "[" + t.prefix(4).map { Teaching2.number($0) }.joined(separator: ", ") + (t.count > 4 ? ", …]" : "]")
            }
            c.write("  \(pass ? "PASS" : "FAIL")  \(name): \(show(got)) vs \(show(want))  (|diff| \(Teaching2.number(worst)) \(pass ? "≤" : ">") tol \(Teaching2.number(tol)))\n")
            if !pass {
                throw ScriptError("check '\(name)' failed: |got − want| = \(Teaching2.number(worst)) > tol \(Teaching2.number(tol))")
            }
            return .bool(true)
        },
    ]

    /// A number as itself (float64), a tensor or list as its float32 values widened.
    static func values(_ a: Arguments, _ position: Int, _ name: String) throws -> [Double] {
        if case .number(let x) = try a.value(position, name) { return [x] }
        let t = try a.tensor(position, name)
        guard t.count > 0 else { throw a.error(position, name, "no values to check") }
        return t.scalars.map(Double.init)
    }
}

/// Number formatting and a small text chart for the teaching functions.
enum Teaching2 {
    static func number(_ x: Double) -> String {
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x.isNaN { return "nan" }
        return String(format: "%.6g", x)
    }

    /// Series with values in [0, 1] drawn on a width × height grid, t on the horizontal axis.
    static func chart(_ series: [(Character, String, [Double])], width: Int, height: Int, steps: Int) throws -> String {
        guard (10...200).contains(width), (4...60).contains(height) else {
            throw ScriptError("chart size must be 10…200 wide and 4…60 high, got \(width) × \(height)")
        }
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        for (mark, _, values) in series where !values.isEmpty {
            for col in 0..<width {
                let t = min(values.count - 1, col * values.count / width)
                let v = min(max(values[t], 0), 1)
                guard v.isFinite else { continue }
                let row = height - 1 - Int((v * Double(height - 1)).rounded())
                grid[row][col] = mark
            }
        }
        var lines = grid.enumerated().map { i, row -> String in
            let label = i == 0 ? "1 ┤" : i == height - 1 ? "0 ┤" : "  │"
            return label + String(row)
        }
        lines.append("  └" + String(repeating: "─", count: width))
        let right = "t = \(steps - 1)"
        lines.append("   t = 0" + String(repeating: " ", count: max(1, width - 7 - right.count)) + right)
        for (mark, name, _) in series { lines.append("   \(mark)  \(name)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
