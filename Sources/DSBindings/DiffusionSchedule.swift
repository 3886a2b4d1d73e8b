import DSDiffusion
import DSEngine
import DSLanguage
import OrderedCollections

/// A noise schedule as a dscript value (`type(s)` is `"schedule"`, docs/builtins.md § Diffusion): its
/// per-timestep quantities as float32 tensor fields (`s.alpha_bar`), `s.T`, the forward and posterior
/// methods, and `s.value(name, t)` for the exact float64 number behind a field.
public final class NoiseScheduleObject: NativeObject {
    public let schedule: Schedule
    private var fields: [String: Tensor] = [:]

    public init(_ schedule: Schedule) { self.schedule = schedule }

    public var typeName: String { "schedule" }

    /// Field names in display order (docs/builtins.md § Diffusion; `log_snr` is an extra).
    static let fieldNames = ["betas", "alphas", "alpha_bar", "alpha_bar_prev", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar",
                             "posterior_variance", "posterior_log_variance", "posterior_mean_coef1",
                             "posterior_mean_coef2", "snr", "log_snr"]

    /// The float64 values of a field, nil for an unknown name.
    func values(_ name: String) -> [Double]? {
        schedule.quantities.first(where: { $0.name == name })?.values
    }

    func field(_ name: String) -> Tensor? {
        if let cached = fields[name] { return cached }
        guard let values = values(name) else { return nil }
        let t = Tensor(shape: [values.count], scalars: values.map { Float($0) })
        fields[name] = t
        return t
    }

    static let byName: [String: Builtin] = Builtin.byShortName(methods)

    public func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "T", "steps": return .number(Double(schedule.T))
        case "kind": return .string(schedule.kind.rawValue)
        case "beta_start": return .number(schedule.betaStart)
        case "beta_end": return .number(schedule.betaEnd)
        case "config":
            var entries = OrderedDictionary<String, Value>()
            for (key, value) in SchedulerConfig.entries(for: schedule) { entries[key] = ImageModelLibrary.value(value) }
            return .dict(DictObject(entries))
        default: break
        }
        if let t = field(name) { return .tensor(t) }
        if let method = NoiseScheduleObject.byName[name] { return method.bound(to: self) }
        return nil
    }

    /// The members every schedule has besides its methods.
    static let typeMembers = ["T", "kind", "beta_start", "beta_end", "config"] + fieldNames

    public var memberNames: [String] { NoiseScheduleObject.typeMembers + NoiseScheduleObject.methods.map(\.shortName) }

    public var length: Int? { schedule.T }

    public func describe(repr: Bool) -> String {
        let kind = schedule.kind == .custom ? "custom" : "\"\(schedule.kind.rawValue)\""
        var text = "schedule(\(kind), steps: \(schedule.T)"
        if schedule.kind.usesBetaRange {
            text += ", beta_start: \(formatNumber(schedule.betaStart)), beta_end: \(formatNumber(schedule.betaEnd))"
        }
        if schedule.rescaledZeroTerminalSNR { text += ", rescale_zero_snr: true" }
        let changes = NoiseScheduleObject.settingChanges(schedule.settings)
        return text + (changes.isEmpty ? ")" : ", " + changes.joined(separator: ", ") + ")")
    }

    /// The sampler settings that differ from the defaults, as `name: value` in the samplers' keyword names.
    static func settingChanges(_ settings: SamplerSettings) -> [String] {
        let d = SamplerSettings()
        var out: [String] = []
        if settings.prediction != d.prediction { out.append("prediction: \"\(settings.prediction.rawValue)\"") }
        if settings.clip != d.clip { out.append("clip: \(settings.clip)") }
        if settings.clipRange != d.clipRange { out.append("clip_range: \(formatNumber(settings.clipRange))") }
        if let t = settings.threshold {
            out.append("threshold: {ratio: \(formatNumber(t.ratio)), max: \(formatNumber(t.maxValue))}")
        }
        if settings.spacing != d.spacing { out.append("spacing: \"\(settings.spacing.rawValue)\"") }
        if settings.stepsOffset != d.stepsOffset { out.append("steps_offset: \(settings.stepsOffset)") }
        if settings.setAlphaToOne != d.setAlphaToOne { out.append("set_alpha_to_one: \(settings.setAlphaToOne)") }
        if settings.variance != d.variance { out.append("variance: \"\(settings.variance.rawValue)\"") }
        if settings.karras != d.karras { out.append("karras: \(settings.karras)") }
        return out
    }

    // MARK: Methods

    static func this(_ a: Arguments) throws -> Schedule { try a.receiver(as: NoiseScheduleObject.self).schedule }

    static let methods: [Builtin] = [
        Builtin("schedule.q_sample(x0, t, noise) -> tensor", "x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·noise, a sample of q(x_t | x_0) (noise drawn when omitted)",
                example: "let xt = s.q_sample(x0, 500, randn_like(x0))") { a, c in
            let x0 = try a.tensor("x0"), t = try a.timesteps()
            let noise = try a.optionalTensor("noise") ?? Tensor.randnLike(x0, generator: RandomState.of(c))
            return .tensor(try this(a).qSample(x0, t: t, noise: noise))
        },
        Builtin("schedule.q_posterior(x0, xt, t)", "the posterior q(x_{t−1} | x_t, x_0): dict mean, variance, log_variance",
                example: "s.q_posterior(x0, xt, 10)[\"mean\"]") { a, _ in
            let p = try this(a).qPosterior(x0: try a.tensor("x0"), xt: try a.tensor("xt"), t: try a.timesteps())
            return .dict(DictObject(["mean": .tensor(p.mean), "variance": .tensor(p.variance), "log_variance": .tensor(p.logVariance)]))
        },
        Builtin("schedule.predict_x0(xt, t, eps) -> tensor", "x̂_0 = (x_t − √(1−ᾱ_t)·ε) / √ᾱ_t", example: "s.predict_x0(xt, 500, eps)") { a, _ in
            .tensor(try this(a).predictX0(xt: try a.tensor("xt"), t: try a.timesteps(), eps: try a.tensor("eps")))
        },
        Builtin("schedule.predict_eps(xt, t, x0) -> tensor", "ε̂ = (x_t − √ᾱ_t·x_0) / √(1−ᾱ_t)", example: "s.predict_eps(xt, 500, x0)") { a, _ in
            .tensor(try this(a).predictEps(xt: try a.tensor("xt"), t: try a.timesteps(), x0: try a.tensor("x0")))
        },
        Builtin("schedule.v_target(x0, t, eps) -> tensor", "v = √ᾱ_t·ε − √(1−ᾱ_t)·x_0, the v-prediction target", example: "s.v_target(x0, 500, eps)") { a, _ in
            .tensor(try this(a).vTarget(x0: try a.tensor("x0"), t: try a.timesteps(), eps: try a.tensor("eps")))
        },
        Builtin("schedule.plot(width = 60, height = 15, title = nil, color = nil)", "draws ᾱ_t, β̃_t, β_t (log scale) and log-SNR against t; plot(s) calls it",
                example: "plot(schedule(\"cosine\"))") { a, c in
            ScheduleCharts.draw(ScheduleCharts.plot(try this(a), options: try ChartLibrary.options(a, c)), c)
            return .null
        },
        Builtin("schedule.with(prediction = nil, clip = nil, clip_range = nil, threshold = nil, spacing = nil, steps_offset = nil, "
                    + "set_alpha_to_one = nil, variance = nil, karras = nil) -> schedule",
                "the same betas with other sampler settings (the keywords of schedule(...); the rest kept)",
                example: "let sv = s.with(prediction: \"v\", spacing: \"trailing\")") { a, _ in
            guard a.count == 0 else { throw ScriptError("schedule.with takes keyword arguments only (prediction: \"v\", ...)") }
            let s = try this(a)
            let settings = try a.samplerSettingKeywords(over: s.settings)
            return .native(NoiseScheduleObject(try s.with(settings)))
        },
        Builtin("schedule.value(name, t)", "the exact float64 value of a field at timestep t (a number)",
                example: "s.value(\"alpha_bar\", 999)   # 4.035829e-05") { a, _ in
            let object = try a.receiver(as: NoiseScheduleObject.self)
            let name = try a.string("name")
            guard let values = object.values(name) else {
                throw a.error("name", "unknown field '\(name)' (expected one of \(fieldNames.joined(separator: ", ")))")
            }
            let t = try a.int("t")
            guard t >= 0, t < values.count else {
                throw a.error("t", "timestep \(t) is outside [0, \(values.count))")
            }
            return .number(values[t])
        },
    ]
}
