/// What `load_scheduler` knows about diffusers' scheduler classes (0.42.1): the keys each takes, the
/// defaults that differ from `DDPMScheduler`'s, and the keys dscript does not read because its samplers
/// do one thing (a value that asks for another is warned about by name).
extension SchedulerConfig {
    /// How dscript treats one key of a scheduler config.
    public enum KeyUse: Equatable {
        /// Read into the `Schedule` or its `SamplerSettings`.
        case read
        /// Not read: dscript's samplers do what these values say; any other value is warned about.
        case checked([ConfigValue])
        /// Not a key of the file's class: ignored and named, as diffusers' `from_config` ignores it.
        case notOfClass
        /// Read nowhere: warned about.
        case unused
    }

    /// The keys of each class dscript knows (`__init__`'s parameters, in order). A key the file's class
    /// does not take is ignored, as in diffusers, where the file's class builds the scheduler.
    public static let classKeys: [String: [String]] = [
        "DDPMScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "variance_type",
                          "clip_sample", "prediction_type", "thresholding", "dynamic_thresholding_ratio",
                          "clip_sample_range", "sample_max_value", "timestep_spacing", "steps_offset",
                          "rescale_betas_zero_snr"],
        "DDIMScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "clip_sample",
                          "set_alpha_to_one", "steps_offset", "prediction_type", "thresholding",
                          "dynamic_thresholding_ratio", "clip_sample_range", "sample_max_value", "timestep_spacing",
                          "rescale_betas_zero_snr"],
        "EulerDiscreteScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                                   "prediction_type", "interpolation_type", "use_karras_sigmas", "use_exponential_sigmas",
                                   "use_beta_sigmas", "sigma_min", "sigma_max", "timestep_spacing", "timestep_type",
                                   "steps_offset", "rescale_betas_zero_snr", "final_sigmas_type"],
        "EulerAncestralDiscreteScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                                            "prediction_type", "timestep_spacing", "steps_offset", "rescale_betas_zero_snr"],
        "HeunDiscreteScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                                  "prediction_type", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
                                  "clip_sample", "clip_sample_range", "timestep_spacing", "steps_offset"],
        "DPMSolverMultistepScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                                        "solver_order", "prediction_type", "thresholding", "dynamic_thresholding_ratio",
                                        "sample_max_value", "algorithm_type", "solver_type", "lower_order_final",
                                        "euler_at_final", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
                                        "use_lu_lambdas", "use_flow_sigmas", "flow_shift", "final_sigmas_type",
                                        "lambda_min_clipped", "variance_type", "timestep_spacing", "steps_offset",
                                        "rescale_betas_zero_snr", "use_dynamic_shifting", "time_shift_type"],
        "UniPCMultistepScheduler": ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
                                    "solver_order", "prediction_type", "thresholding", "dynamic_thresholding_ratio",
                                    "sample_max_value", "predict_x0", "solver_type", "lower_order_final", "disable_corrector",
                                    "solver_p", "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
                                    "use_flow_sigmas", "flow_shift", "timestep_spacing", "steps_offset", "final_sigmas_type",
                                    "rescale_betas_zero_snr", "use_dynamic_shifting", "time_shift_type", "sigma_min",
                                    "sigma_max", "shift_terminal"],
    ]

    /// The classes whose config `json(for:className:)` writes.
    static let writableClasses: Set<String> = ["DDPMScheduler", "DDIMScheduler"]

    /// The σ-based classes default to `linspace` timesteps; Heun to Stable Diffusion's βs.
    static let classDefaults: [String: [(String, ConfigValue)]] = {
        let linspace: (String, ConfigValue) = ("timestep_spacing", .string("linspace"))
        return [
            "EulerDiscreteScheduler": [linspace], "EulerAncestralDiscreteScheduler": [linspace],
            "DPMSolverMultistepScheduler": [linspace], "UniPCMultistepScheduler": [linspace],
            "HeunDiscreteScheduler": [linspace, ("beta_start", .number(0.00085)), ("beta_end", .number(0.012))],
        ]
    }()

    /// A key dscript does not read: the values that mean what dscript's samplers do, for the classes
    /// listed (all when empty), and what dscript does instead of any other value.
    struct CheckedKey {
        let key: String
        let classes: [String]
        let accepted: [ConfigValue]
        let does: String
    }

    static let dpm = "DPMSolverMultistepScheduler", unipc = "UniPCMultistepScheduler"
    static let sigmaSpacing = "dscript's σ steps follow the timestep spacing, or Karras et al. with use_karras_sigmas"
    static let noFlow = "dscript's schedules are variance-preserving βs (no flow-matching σs or shifts)"

    static let checkedKeys: [CheckedKey] = [
        CheckedKey(key: "solver_order", classes: [dpm, unipc], accepted: [.number(2)],
                   does: "dscript's dpmpp_2m, dpmpp_2m_sde and unipc are second order"),
        CheckedKey(key: "solver_type", classes: [dpm], accepted: [.string("midpoint")],
                   does: "dscript's DPM-Solver++ takes the midpoint form"),
        CheckedKey(key: "solver_type", classes: [unipc], accepted: [.string("bh2")], does: "dscript's UniPC is bh2"),
        CheckedKey(key: "algorithm_type", classes: [dpm], accepted: [.string("dpmsolver++")],
                   does: "the sampler is chosen by sample(..., sampler:): \"dpmpp_2m\" is dpmsolver++, "
                       + "sampler: \"dpmpp_2m_sde\" is sde-dpmsolver++"),
        // With the last step to σ = 0 and order 2, DPM-Solver++'s last step is first order whatever these say.
        CheckedKey(key: "lower_order_final", classes: [dpm], accepted: [.bool(true), .bool(false)],
                   does: "dscript's DPM-Solver++ takes its last step at first order"),
        CheckedKey(key: "lower_order_final", classes: [unipc], accepted: [.bool(true)],
                   does: "dscript's UniPC takes its last step at first order"),
        CheckedKey(key: "euler_at_final", classes: [dpm], accepted: [.bool(false), .bool(true)],
                   does: "dscript's DPM-Solver++ takes its last step at first order"),
        CheckedKey(key: "final_sigmas_type", classes: [], accepted: [.string("zero")], does: "dscript's samplers end at σ = 0"),
        CheckedKey(key: "use_lu_lambdas", classes: [], accepted: [.bool(false)], does: sigmaSpacing),
        CheckedKey(key: "use_exponential_sigmas", classes: [], accepted: [.bool(false)], does: sigmaSpacing),
        CheckedKey(key: "use_beta_sigmas", classes: [], accepted: [.bool(false)], does: sigmaSpacing),
        CheckedKey(key: "sigma_min", classes: [], accepted: [.null], does: "dscript's Karras σs span the schedule's own σs"),
        CheckedKey(key: "sigma_max", classes: [], accepted: [.null], does: "dscript's Karras σs span the schedule's own σs"),
        CheckedKey(key: "interpolation_type", classes: [], accepted: [.string("linear")],
                   does: "dscript interpolates σ linearly in t"),
        CheckedKey(key: "timestep_type", classes: [], accepted: [.string("discrete")],
                   does: "dscript calls the model with the schedule's timesteps"),
        CheckedKey(key: "lambda_min_clipped", classes: [], accepted: [.number(-.infinity)],
                   does: "dscript does not clip λ (every timestep of the grid is kept)"),
        CheckedKey(key: "use_flow_sigmas", classes: [], accepted: [.bool(false)], does: noFlow),
        CheckedKey(key: "flow_shift", classes: [], accepted: [.number(1)], does: noFlow),
        CheckedKey(key: "use_dynamic_shifting", classes: [], accepted: [.bool(false)], does: noFlow),
        CheckedKey(key: "time_shift_type", classes: [], accepted: [.string("exponential")], does: noFlow),
        CheckedKey(key: "shift_terminal", classes: [], accepted: [.null], does: noFlow),
        CheckedKey(key: "predict_x0", classes: [unipc], accepted: [.bool(true)], does: "dscript's UniPC predicts x̂_0"),
        CheckedKey(key: "disable_corrector", classes: [unipc], accepted: [.list([])], does: "dscript's UniPC corrects every step"),
        CheckedKey(key: "solver_p", classes: [unipc], accepted: [.null], does: "dscript's UniPC is its own predictor"),
    ]

    /// The checked-key rows that apply to `key` in a file of `className`: the class's own, else (for a
    /// class dscript does not know) every row of the key.
    static func checkedRows(_ key: String, className: String?) -> [CheckedKey] {
        let rows = checkedKeys.filter { $0.key == key }
        let own = rows.filter { $0.classes.isEmpty || className.map($0.classes.contains) == true }
        return own.isEmpty && className.flatMap({ classKeys[$0] }) == nil ? rows : own
    }

    /// How dscript treats `key` in a config of `className` (nil or unknown: every key dscript reads is read).
    public static func use(of key: String, className: String?) -> KeyUse {
        let classList = className.flatMap { classKeys[$0] }
        if let classList, !classList.contains(key) { return .notOfClass }
        if knownKeys.contains(key) { return .read }
        let rows = checkedRows(key, className: className)
        return rows.isEmpty ? .unused : .checked(rows.flatMap(\.accepted))
    }

    /// The warning for `value` of a checked `key`, nil when dscript does what it says.
    static func checkedWarning(_ key: String, _ value: ConfigValue, className: String?, source: String) -> String? {
        let rows = checkedRows(key, className: className)
        guard !rows.flatMap(\.accepted).contains(value), let row = rows.first else { return nil }
        let expected = rows.flatMap(\.accepted).map(\.json).joined(separator: " or ")
        return "\(source): key '\(key)' is \(value.json), but \(row.does) (\(key) \(expected)); ignored"
    }
}
