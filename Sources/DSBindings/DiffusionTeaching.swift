import DSDiffusion
import DSEngine
import DSLanguage
import DSRender
import Foundation

/// Teaching built-ins (docs/builtins.md § Teaching the math): `explain`, `table`, `plot_schedule`,
/// `compare` and `check`, the assertion the lessons use. Numbers are printed from the float64 schedule,
/// never from float32 tensors.
enum DiffusionTeaching {
    static let functions: [Builtin] = [
        Builtin("explain(s, t, t_prev, eta = 0, sampler = nil)",
                "prints every schedule quantity at t and the DDPM / DDIM updates with the numbers filled in; with sampler: that sampler's step t → t_prev",
                example: "explain(schedule(\"linear\"), 500)\nexplain(schedule(\"linear\"), 500, t_prev: 400, sampler: \"dpmpp_2m\")") { a, c in
            let s = try a.schedule(), t = try a.int("t")
            let prev: Int? = a.has("t_prev") ? try a.int("t_prev") : nil
            let eta = try a.number("eta")
            if a.has("sampler") {
                c.write(try explainSampler(s, sampler: try SamplerKind(name: try a.string("sampler")), t: t, tPrev: prev, eta: eta) + "\n")
            } else {
                RichDisplay.explanation(try explanation(s, t: t, ddimPrev: prev, eta: eta), context: c)
            }
            return .null
        },
        Builtin("table(s, every = 100, columns)", "prints the schedule every `every` steps (and at T − 1) as float64 columns",
                example: "table(schedule(\"cosine\"), every: 250)") { a, c in
            let s = try a.schedule()
            let every = try a.int("every")
            var columns = defaultTableColumns
            if a.has("columns") {
                columns = try a.list("columns").items.map { item in
                    guard case .string(let name) = item else { throw a.typeError("columns", expected: "list of strings", got: item) }
                    return name
                }
            }
            let rows = try table(s, every: every, columns: columns)
            RichDisplay.table(TextTable(header: rows.columns, cells: rows.cells, leftAligned: 0), context: c)
            return .null
        },
        Builtin("compare(schedules, width = 60, height = 15, title = nil, color = nil)", "overlays ᾱ_t and log-SNR of several schedules (two charts)",
                example: "compare([schedule(\"linear\"), schedule(\"cosine\")])") { a, c in
            let objects = try a.list("schedules").items.enumerated().map { i, item -> NoiseScheduleObject in
                guard case .native(let object as NoiseScheduleObject) = item else {
                    throw a.error("schedules", "element \(i) is a \(item.typeName), not a schedule")
                }
                return object
            }
            guard !objects.isEmpty, objects.count <= 8 else { throw a.error("schedules", "1 to 8 schedules expected") }
            let options = try ChartLibrary.options(a, c)
            let kinds = objects.map { $0.schedule.kind.rawValue }
            let unique = Set(kinds).count == kinds.count
            let named = objects.map { (unique ? $0.schedule.kind.rawValue : $0.describe(repr: false), $0.schedule) }
            ScheduleCharts.draw(ScheduleCharts.compare(named, options: options), c)
            return .null
        },
        Builtin("check(name, got, want, tol = 1e-6)",
                "prints got and want side by side with PASS or FAIL; fails (an error) when |got − want| > tol anywhere (or, for true/false, when they differ)",
                example: "check(\"variance kept\", x.var(), 1, tol: 0.05)") { a, c in
            let name = try a.string("name")
            if case .bool(let got) = try a.value("got"), case .bool(let want) = try a.value("want") {
                RichDisplay.check(CheckRow(name: name, got: "\(got)", want: "\(want)", passed: got == want), context: c)
                if got != want { throw ScriptError("check '\(name)' failed: got \(got), want \(want)") }
                return .bool(true)
            }
            let got = try values(a, "got"), want = try values(a, "want")
            let tol = try a.number("tol")
            guard tol.isFinite, tol >= 0 else { throw a.error("tol", "a number ≥ 0 expected") }
            guard got.count == want.count || want.count == 1 || got.count == 1 else {
                throw a.error("want", "got has \(got.count) values, want has \(want.count)")
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
                t.count == 1 ? Teaching.number(t[0])
                    : "[" + t.prefix(4).map { Teaching.number($0) }.joined(separator: ", ") + (t.count > 4 ? ", …]" : "]")
            }
            RichDisplay.check(CheckRow(name: name, got: show(got), want: show(want), difference: Teaching.number(worst),
                                       tolerance: Teaching.number(tol), passed: pass), context: c)
            if !pass {
                throw ScriptError("check '\(name)' failed: |got − want| = \(Teaching.number(worst)) > tol \(Teaching.number(tol))")
            }
            return .bool(true)
        },
    ]

    /// A number as itself (float64), a tensor or list as its float32 values widened.
    static func values(_ a: Arguments, _ name: String) throws -> [Double] {
        if case .number(let x) = try a.value(name) { return [x] }
        let t = try a.tensor(name)
        guard t.count > 0 else { throw a.error(name, "no values to check") }
        return t.scalars.map(Double.init)
    }
}

/// The schedule charts of `plot(s)` and `compare`, drawn with the terminal charts of `Chart`.
enum ScheduleCharts {
    /// One chart: its series and options.
    typealias Part = (series: [ChartSeries], options: ChartOptions)

    /// Writes the charts, or shows them as SVG in a notebook.
    static func draw(_ parts: [Part], _ c: CallContext) {
        for (series, options) in parts {
            ChartLibrary.draw(series, .line, options, c) { Chart.lines(series, options: $0) }
        }
    }

    /// ᾱ_t, β̃_t and β_t on a log scale (t ≥ 1, where β̃ > 0), then log-SNR. β_t is drawn last:
    /// β̃_t lies on it except at small t, and would hide it.
    static func plot(_ s: Schedule, options: ChartOptions) -> [Part] {
        let ts = (1..<max(s.T, 2)).filter { $0 < s.T }.map(Double.init)
        func from1(_ v: [Double]) -> [Double] { Array(v.dropFirst()) }
        var first = options
        first.logY = true
        first.title = first.title ?? "ᾱ_t, β̃_t, β_t (log scale)"
        let quantities = [("ᾱ_t", from1(s.alphaBar)), ("β̃_t", from1(s.posteriorVariance)), ("β_t", from1(s.betas))]
        let lines = quantities.map { name, ys in
            ChartSeries(label: name, xs: zip(ts, ys).filter { $0.1 > 0 }.map(\.0), ys: ys.filter { $0 > 0 })
        }
        var second = options
        second.logY = false
        second.title = "log SNR(t) = log ᾱ_t/(1−ᾱ_t)"
        let finite = s.logSNR.enumerated().filter { $0.element.isFinite }
        let snr = ChartSeries(label: "log SNR", xs: finite.map { Double($0.offset) }, ys: finite.map(\.element))
        return [(lines, first), ([snr], second)]
    }

    /// ᾱ_t of each schedule, then log-SNR of each.
    static func compare(_ schedules: [(String, Schedule)], options: ChartOptions) -> [Part] {
        var first = options, second = options
        first.title = first.title ?? "ᾱ_t"
        second.title = "log SNR(t)"
        let abar = schedules.map { name, s in ChartSeries(label: name, ys: s.alphaBar) }
        let snr = schedules.map { name, s -> ChartSeries in
            let finite = s.logSNR.enumerated().filter { $0.element.isFinite }
            return ChartSeries(label: name, xs: finite.map { Double($0.offset) }, ys: finite.map(\.element))
        }
        return [(abar, first), (snr, second)]
    }
}
