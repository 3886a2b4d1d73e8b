import Foundation

/// diffusers' `scheduler_config.json` (`DDPMScheduler`, `DDIMScheduler`, the σ-based schedulers of
/// `sample()`, and the keys every scheduler shares): read into a `Schedule` that carries its
/// `SamplerSettings`, and written back for `DDPMScheduler` / `DDIMScheduler`.
///
/// Keys missing from a file take the defaults of its `_class_name` (diffusers' `clip_sample=True` for
/// DDPM and DDIM, `set_alpha_to_one=False` for PNDM, `linspace` spacing for the σ-based classes). For
/// a class dscript knows (`classKeys`), keys the class does not take are ignored as diffusers ignores
/// them. Every key dscript does not read is listed in `warnings` by name, unless its value is what
/// dscript's samplers do anyway (`checkedKeys`): never dropped in silence.
public struct SchedulerConfig {
    public static let fileName = "scheduler_config.json"

    /// The scheduler class named by the file (`DDPMScheduler`, ...), nil when it names none.
    public let className: String?
    public let schedule: Schedule
    /// One line per key that dscript read but does not use.
    public let warnings: [String]
    /// The file's (key, value) pairs as written.
    public var values: [(String, ConfigValue)] = []

    /// The keys `Schedule` and `SamplerSettings` use, in diffusers' order.
    static let knownKeys = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                            "variance_type", "clip_sample", "set_alpha_to_one", "steps_offset", "prediction_type",
                            "thresholding", "dynamic_thresholding_ratio", "clip_sample_range", "sample_max_value",
                            "timestep_spacing", "rescale_betas_zero_snr", "use_karras_sigmas"]

    /// Reads `path`: a `scheduler_config.json` file, or a folder holding one (a pipeline's `scheduler/`).
    /// `className` (a pipeline's `model_index.json` entry) is the class read, whatever the file's
    /// `_class_name` says, as diffusers builds the class the pipeline names; a mismatch is a warning.
    public static func load(path: String, className: String? = nil) throws -> SchedulerConfig {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DiffusionError("load_scheduler: no file or folder '\(path)'")
        }
        let file = isFolder.boolValue ? URL(fileURLWithPath: path).appendingPathComponent(fileName).path : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DiffusionError("load_scheduler: cannot read '\(file)'" + (isFolder.boolValue ? " (no \(fileName) in the folder)" : ""))
        }
        let pairs = try ModelConfig.parseJSON(data, source: file)
        let written = pairs.first { $0.0 == "_class_name" }?.1
        guard let className, written != .string(className) else { return try parse(pairs, source: file) }
        let read = try parse([("_class_name", .string(className))] + pairs.filter { $0.0 != "_class_name" }, source: file)
        guard let written else { return read }
        return SchedulerConfig(className: read.className, schedule: read.schedule,
                               warnings: ["\(file): _class_name is \(written.json) but the pipeline names \(className); "
                                          + "read as \(className), as diffusers does"] + read.warnings, values: read.values)
    }

    /// A schedule from a scheduler config's (key, value) pairs; `source` names the file in messages.
    public static func parse(_ pairs: [(String, ConfigValue)], source: String) throws -> SchedulerConfig {
        var values: [String: ConfigValue] = [:]
        var warnings: [String] = []
        let className = pairs.first { $0.0 == "_class_name" }.flatMap { if case .string(let s) = $0.1 { return s } else { return nil } }
        for (key, value) in pairs where !key.hasPrefix("_") {
            switch use(of: key, className: className) {
            case .read: values[key] = value
            case .checked: warnings += checkedWarning(key, value, className: className, source: source).map { [$0] } ?? []
            case .notOfClass:
                warnings.append("\(source): key '\(key)' is not a setting of \(className ?? "") (ignored, as diffusers does)")
            case .unused: warnings.append("\(source): key '\(key)' is not used by dscript (ignored)")
            }
        }
        let betaKeys = ["beta_schedule", "beta_start", "beta_end", "trained_betas"]
        if !betaKeys.contains(where: { values[$0] != nil }) {
            warnings.insert("\(source): \(className ?? "the config") has no \(betaKeys.dropLast().joined(separator: ", ")) or "
                            + "trained_betas; read as DDPMScheduler's default betas (linear, 0.0001 to 0.02)", at: 0)
        }
        let family = className == nil || className == "DDPMScheduler" || className == "DDIMScheduler"
        var defaults: [(String, ConfigValue)] = [
            ("num_train_timesteps", .number(1000)), ("beta_start", .number(0.0001)), ("beta_end", .number(0.02)),
            ("beta_schedule", .string("linear")), ("trained_betas", .null), ("variance_type", .string("fixed_small")),
            ("clip_sample", .bool(family)), ("set_alpha_to_one", .bool(className != "PNDMScheduler")),
            ("steps_offset", .number(0)), ("prediction_type", .string("epsilon")), ("thresholding", .bool(false)),
            ("dynamic_thresholding_ratio", .number(0.995)), ("clip_sample_range", .number(1)),
            ("sample_max_value", .number(1)), ("timestep_spacing", .string("leading")), ("rescale_betas_zero_snr", .bool(false)),
            ("use_karras_sigmas", .bool(false)),
        ]
        for (key, value) in className.flatMap({ classDefaults[$0] }) ?? [] {
            if let i = defaults.firstIndex(where: { $0.0 == key }) { defaults[i].1 = value }
        }
        // variance_type null (DPM-Solver, Euler, ... write it) is a model that predicts no variance.
        if values["variance_type"] == .null { values["variance_type"] = nil }
        for i in defaults.indices { if let given = values[defaults[i].0] { defaults[i].1 = given } }
        let c = try ModelConfig(owner: "load_scheduler: \(source)", defaults: defaults, given: [])
        return SchedulerConfig(className: className, schedule: try schedule(c), warnings: warnings, values: pairs)
    }

    static func schedule(_ c: ModelConfig) throws -> Schedule {
        var settings = SamplerSettings()
        settings.prediction = try Prediction(name: c.choice("prediction_type", ["epsilon", "sample", "v_prediction"]))
        settings.clip = try c.bool("clip_sample")
        settings.clipRange = try c.number("clip_sample_range")
        if try c.bool("thresholding") {
            settings.threshold = try c.naming("dynamic_thresholding_ratio") {
                try DynamicThreshold(ratio: c.number("dynamic_thresholding_ratio"), maxValue: c.number("sample_max_value"))
            }
        }
        settings.spacing = try TimestepSpacing(name: c.choice("timestep_spacing", TimestepSpacing.allCases.map(\.rawValue)))
        settings.stepsOffset = try c.int("steps_offset")
        settings.setAlphaToOne = try c.bool("set_alpha_to_one")
        settings.variance = try VarianceType(name: c.choice("variance_type", VarianceType.allCases.map(\.rawValue)))
        settings.karras = try c.bool("use_karras_sigmas")
        try c.naming("clip_sample_range") { try settings.validate() }
        let rescale = try c.bool("rescale_betas_zero_snr")
        let steps = try c.int("num_train_timesteps", min: 1)
        if case .list(let items) = c["trained_betas"] {
            let betas = try items.map { item -> Double in
                guard case .number(let b) = item else { throw c.fail("trained_betas", "must be a list of numbers") }
                return b
            }
            guard betas.count == steps else {
                throw c.fail("trained_betas", "has \(betas.count) values but num_train_timesteps is \(steps)")
            }
            return try c.naming("trained_betas") { try Schedule(betas: betas, rescaleZeroTerminalSNR: rescale, settings: settings) }
        }
        guard c["trained_betas"] == .null else { throw c.fail("trained_betas", "must be a list of numbers or null") }
        let kind = try c.choice("beta_schedule", ["linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid", "laplace", "exp"])
        return try c.naming("beta_schedule") {
            try Schedule(kind: kind, steps: steps, betaStart: c.number("beta_start"), betaEnd: c.number("beta_end"),
                         rescaleZeroTerminalSNR: rescale, settings: settings)
        }
    }
}

extension SchedulerConfig {
    /// diffusers' name of a prediction type.
    static func diffusersName(_ prediction: Prediction) -> String {
        switch prediction {
        case .eps: return "epsilon"
        case .x0: return "sample"
        case .v: return "v_prediction"
        }
    }

    /// The beta schedules each class computes itself; any other schedule is written as `trained_betas`.
    static let classSchedules: [String: Set<Schedule.Kind>] = [
        "DDPMScheduler": [.linear, .scaledLinear, .cosine, .sigmoid, .laplace],
        "DDIMScheduler": [.linear, .scaledLinear, .cosine],
    ]

    /// The config of `schedule` as (key, value) pairs: the keys of `className` (`DDPMScheduler` or
    /// `DDIMScheduler`), or every key both use when nil.
    public static func entries(for schedule: Schedule, className: String? = nil) -> [(String, ConfigValue)] {
        let s = schedule.settings
        let named = classSchedules[className ?? "DDPMScheduler"]?.contains(schedule.kind) ?? false
        let kindName = schedule.kind == .cosine ? "squaredcos_cap_v2" : schedule.kind.rawValue
        let all: [(String, ConfigValue)] = [
            ("num_train_timesteps", .number(Double(schedule.T))),
            ("beta_start", .number(schedule.betaStart)), ("beta_end", .number(schedule.betaEnd)),
            ("beta_schedule", .string(named ? kindName : "linear")),
            ("trained_betas", named ? .null : .list(schedule.betas.map { .number($0) })),
            ("variance_type", .string(s.variance.rawValue)), ("clip_sample", .bool(s.clip)),
            ("set_alpha_to_one", .bool(s.setAlphaToOne)), ("steps_offset", .number(Double(s.stepsOffset))),
            ("prediction_type", .string(diffusersName(s.prediction))), ("thresholding", .bool(s.threshold != nil)),
            ("dynamic_thresholding_ratio", .number(s.threshold?.ratio ?? 0.995)), ("clip_sample_range", .number(s.clipRange)),
            ("sample_max_value", .number(s.threshold?.maxValue ?? 1)), ("timestep_spacing", .string(s.spacing.rawValue)),
            ("rescale_betas_zero_snr", .bool(schedule.rescaledZeroTerminalSNR)), ("use_karras_sigmas", .bool(s.karras)),
        ]
        let keys = className.flatMap { classKeys[$0] } ?? knownKeys
        return keys.compactMap { key in all.first { $0.0 == key } }
    }

    /// The settings of `className.from_config(config)` for the config of `schedule` (how diffusers users
    /// swap a pipeline's scheduler): keys the class does not take are dropped, keys it lacks take its defaults.
    public static func settings(of schedule: Schedule, as className: String) throws -> SamplerSettings {
        try parse([("_class_name", .string(className))] + entries(for: schedule), source: className).schedule.settings
    }

    /// `scheduler_config.json` text for `className` (`DDPMScheduler` or `DDIMScheduler`).
    public static func json(for schedule: Schedule, className: String) throws -> String {
        guard writableClasses.contains(className) else {
            throw DiffusionError("a scheduler config is written for DDPMScheduler or DDIMScheduler, not '\(className)'")
        }
        let config = try ModelConfig(owner: "scheduler", defaults: entries(for: schedule, className: className), given: [])
        return config.json(className: className)
    }
}
