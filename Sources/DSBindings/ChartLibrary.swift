import DSEngine
import DSLanguage
import DSRender
import Foundation

/// Chart built-ins (docs/builtins.md § Files, pictures and data): `plot`, `scatter`, `hist` print Unicode
/// charts drawn by `Chart`; `save_svg` writes the same charts as SVG files. `plot(obj)` of a native object
/// with a `plot` method (a schedule) calls that method.
enum ChartLibrary {
    static let table: [Builtin] = [
        Builtin("plot(x, y = nil, labels = nil, title = nil, width = 60, height = 15, log = false, color = nil)",
                "line chart in braille: plot(y), plot(x, y), plot([y1, y2], labels: [...]); log: true for a log-scale y",
                example: "plot([losses, smoothed], labels: [\"loss\", \"ema\"], log: true)") { a, c in
            if case .native(let object) = try a.value("x"), !(object is TensorObject),
               let method = try object.member("plot", context: c) {
                var rest = a
                rest.positional.removeFirst()
                return try c.call(method, Arguments(rest.positional, keywords: rest.keywords))
            }
            if case .native(let object) = try a.value("x"), !(object is TensorObject) {
                guard let series = try ChartLibrary.scheduleSeries(object, c) else {
                    throw a.error("x", "\(object.typeName) cannot be plotted")
                }
                var options = try ChartLibrary.options(a, c)
                options.logY = try a.bool("log")
                if options.title == nil { options.title = "schedule against t (β and log-SNR rescaled to 0…1)" }
                ChartLibrary.draw(series, .line, options, c) { Chart.lines(series, options: $0) }
                return .null
            }
            let series = try ChartLibrary.lineSeries(a)
            let labelled = try ChartLibrary.labelled(series, a)
            var options = try ChartLibrary.options(a, c)
            options.logY = try a.bool("log")
            ChartLibrary.draw(labelled, .line, options, c) { Chart.lines(labelled, options: $0) }
            return .null
        },
        Builtin("scatter(points, others = nil, labels = nil, title = nil, width = 60, height = 15, color = nil)",
                "scatter plot in braille of [N, 2] points; a second set (samples against data) is drawn in a second colour",
                example: "scatter(data, samples)") { a, c in
            var sets = [ChartSeries](try ChartLibrary.points(a, "points"))
            if a.has("others") {
                sets += try ChartLibrary.points(a, "others")
                sets[0].label = "data"
                sets[1].label = "samples"
            }
            let labelled = try ChartLibrary.labelled(sets, a)
            ChartLibrary.draw(labelled, .scatter, try ChartLibrary.options(a, c), c) { Chart.scatter(labelled, options: $0) }
            return .null
        },
        Builtin("hist(x, bins = 20, range = nil, title = nil, width = 60, height = 12, color = nil)",
                "histogram of the values of a tensor or list, drawn with block bars",
                example: "hist(randn([10000]), bins: 30)") { a, c in
            let values = try a.tensor("x").scalars.map(Double.init)
            let bins = try a.int("bins")
            guard (1...400).contains(bins) else { throw a.error("bins", "1…400 expected, got \(bins)") }
            var range: (Double, Double)? = nil
            if a.has("range") {
                let (lo, hi) = try a.valueRange()
                range = (Double(lo), Double(hi))
            }
            ChartLibrary.draw([ChartSeries(ys: values)], .hist, try ChartLibrary.options(a, c), c, bins: bins) {
                Chart.histogram(values, bins: bins, range: range, options: $0)
            }
            return .null
        },
        Builtin("save_svg(path, x, y = nil, kind = \"line\", labels = nil, title = nil, log = false, bins = 20, width = 640, height = 400)",
                "writes a chart as an SVG file: kind \"line\" (x, y as for plot), \"scatter\" (points, other points) or \"hist\" (values)",
                example: "save_svg(\"loss.svg\", losses, log: true, title: \"loss\")") { a, _ in
            let path = try a.string("path")
            let kind = Chart.SVGKind(rawValue: try a.choice("kind", ["line", "scatter", "hist"])) ?? .line
            var series: [ChartSeries]
            switch kind {
            case .line: series = try lineSeries(a)
            case .scatter: series = try points(a, "x") + (a.has("y") ? try points(a, "y") : [])
            case .hist: series = [ChartSeries(ys: try a.tensor("x").scalars.map(Double.init))]
            }
            series = try labelled(series, a)
            var options = ChartOptions()
            if a.has("title") { options.title = try a.string("title") }
            options.logY = try a.bool("log")
            let (width, height) = (try a.int("width"), try a.int("height"))
            guard (200...8000).contains(width), (150...8000).contains(height) else {
                throw ScriptError("save_svg: width must be 200…8000 and height 150…8000 pixels, got \(width)×\(height)")
            }
            let bins = try a.int("bins")
            guard (1...400).contains(bins) else { throw a.error("bins", "1…400 expected, got \(bins)") }
            let text = Chart.svg(series, kind: kind, options: options, width: width, height: height, bins: bins)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ScriptError("save_svg: cannot write \(path): \(FormatError.reason(error))")
            }
            return .null
        },
    ]

    /// Writes a chart's text, or shows it as SVG where the front end takes rich output (a notebook).
    static func draw(
        _ series: [ChartSeries], _ kind: Chart.SVGKind, _ options: ChartOptions, _ c: CallContext, bins: Int = 20,
        text: (ChartOptions) -> String
    ) {
        if RichDisplay.chart(series, kind: kind, options: options, bins: bins, text: text, context: c) { return }
        c.write(text(options))
    }

    /// For an object with schedule fields (`alpha_bar`, `betas`, `posterior_variance`, `snr`):
    /// ᾱ_t, β_t and β̃_t over the largest β, and log-SNR rescaled to 0…1, against t. Nil otherwise.
    static func scheduleSeries(_ object: NativeObject, _ c: CallContext) throws -> [ChartSeries]? {
        func field(_ name: String) throws -> [Double]? {
            guard case .native(let t as TensorObject)? = try object.member(name, context: c) else { return nil }
            return t.tensor.scalars.map(Double.init)
        }
        guard let alphaBar = try field("alpha_bar"), let betas = try field("betas"), !alphaBar.isEmpty else { return nil }
        let t = alphaBar.indices.map(Double.init)
        let betaMax = Swift.max(betas.max() ?? 1, 1e-300)
        let label = { (x: Double) in ProgressBar.formatValue(x) }
        var series = [ChartSeries(label: "ᾱ_t", xs: t, ys: alphaBar),
                      ChartSeries(label: "β_t / \(label(betaMax))", xs: t, ys: betas.map { $0 / betaMax })]
        if let posterior = try field("posterior_variance") {
            series.append(ChartSeries(label: "β̃_t / \(label(betaMax))", xs: t, ys: posterior.map { $0 / betaMax }))
        }
        let logSNR = alphaBar.map { log($0 / (1 - $0)) }
        let finite = logSNR.filter(\.isFinite)
        if let lo = finite.min(), let hi = finite.max(), hi > lo {
            series.append(ChartSeries(label: "log SNR \(label(lo))…\(label(hi))", xs: t, ys: logSNR.map { ($0 - lo) / (hi - lo) }))
        }
        return series
    }

    /// The series of `plot(y)` / `plot(x, y)` (and of `save_svg`): x, and y when it is given.
    static func lineSeries(_ a: Arguments) throws -> [ChartSeries] {
        guard a.has("y") else { return try series(a, "x").map { ChartSeries(ys: $0) } }
        let xs = try series(a, "x")
        guard xs.count == 1 else { throw a.error("x", "one series of x values expected, got \(xs.count)") }
        return try series(a, "y").enumerated().map { i, ys in
            guard ys.count == xs[0].count else {
                throw a.error("y", "series \(i + 1) has \(ys.count) values but x has \(xs[0].count)")
            }
            return ChartSeries(xs: xs[0], ys: ys)
        }
    }

    /// Width, height, title and colour of a terminal chart, with the defaults of its signature.
    static func options(_ a: Arguments, _ c: CallContext) throws -> ChartOptions {
        var o = ChartOptions()
        o.width = try a.int("width")
        o.height = try a.int("height")
        guard (8...400).contains(o.width) else { throw a.error("width", "8…400 expected, got \(o.width)") }
        guard (3...200).contains(o.height) else { throw a.error("height", "3…200 expected, got \(o.height)") }
        if a.has("title") { o.title = try a.string("title") }
        o.color = try a.bool("color", default: PictureLibrary.colorful(c))
        return o
    }

    /// Applies `labels: [...]`, one string per series.
    static func labelled(_ series: [ChartSeries], _ a: Arguments) throws -> [ChartSeries] {
        var series = series
        guard let v = a.optional("labels") else { return series }
        guard case .list(let l) = v, l.items.count == series.count else {
            throw a.error("labels", "a list with one string per series (\(series.count)) expected")
        }
        for (i, item) in l.items.enumerated() {
            guard case .string(let s) = item else { throw a.error("labels", "label \(i + 1) is a \(item.typeName), not a string") }
            series[i].label = s
        }
        return series
    }

    /// One or more series of numbers: a 1-D tensor, list or range is one series; a 2-D tensor
    /// gives one per row; a list of tensors or lists gives one per item.
    static func series(_ a: Arguments, _ name: String) throws -> [[Double]] {
        let v = try a.value(name)
        if case .list(let l) = v, l.items.contains(where: { if case .number = $0 { return false }; return true }) {
            guard !l.items.isEmpty else { throw a.error(name, "no values") }
            return try l.items.enumerated().map { i, item in
                let t = try TensorConversion.tensor(from: item, function: a.functionName)
                guard t.rank <= 1 else { throw a.error(name, "series \(i + 1) has shape \(TensorFormatter.formatShape(t.shape)); one dimension expected") }
                return t.scalars.map(Double.init)
            }
        }
        let t = try a.tensor(name)
        switch t.rank {
        case 0, 1: return [t.scalars.map(Double.init)]
        case 2:
            let n = t.shape[1]
            return (0..<t.shape[0]).map { r in t.scalars[r * n ..< (r + 1) * n].map(Double.init) }
        default:
            throw a.error(name, "values of shape \(TensorFormatter.formatShape(t.shape)) cannot be plotted (one or two dimensions)")
        }
    }

    /// Points from an [N, 2] tensor or a list of [x, y] pairs.
    static func points(_ a: Arguments, _ name: String) throws -> [ChartSeries] {
        let t = try a.tensor(name)
        guard t.rank == 2, t.shape[1] == 2 else {
            throw a.error(name, "points of shape [N, 2] expected, got \(TensorFormatter.formatShape(t.shape))")
        }
        let n = t.shape[0]
        return [ChartSeries(xs: (0..<n).map { Double(t.scalars[2 * $0]) }, ys: (0..<n).map { Double(t.scalars[2 * $0 + 1]) })]
    }
}
