import DSDiffusion
import DSEngine
import DSLanguage

extension Arguments {
    /// A noise schedule argument.
    func schedule(_ name: String = "s") throws -> Schedule {
        try native(name, as: NoiseScheduleObject.self, expected: "schedule").schedule
    }

    /// Timesteps: a number (one for the whole batch) or a tensor / list of per-sample integers.
    func timesteps(_ name: String = "t") throws -> [Int] {
        try wholeNumbers(name, what: "timesteps", expected: "timestep (number or tensor)")
    }

    /// `class_labels:` — a number (one label for the batch) or a tensor / list of per-sample labels; nil when absent.
    func classLabels(_ name: String = "class_labels") throws -> [Int]? {
        guard has(name) else { return nil }
        return try wholeNumbers(name, what: "class labels", expected: "class labels (number, list or tensor)")
    }

    /// One or more whole numbers given as a number, a list or a tensor.
    private func wholeNumbers(_ name: String, what: String, expected: String) throws -> [Int] {
        let position = position(of: name)
        let v = try value(position, name)
        let values: [Float]
        switch v {
        case .number(let x): values = [Float(x)]
        case .native(let object as TensorObject): values = object.tensor.scalars
        case .list: values = try tensor(position, name).scalars
        default: throw typeError(position, name, expected: expected, got: v)
        }
        guard !values.isEmpty else { throw error(position, name, "no \(what) given") }
        return try values.map { x in
            guard x.isFinite, x.rounded() == x, Swift.abs(x) < 1e9 else {
                throw error(position, name, "\(what) must be whole numbers, got \(formatNumber(Double(x)))")
            }
            return Int(x)
        }
    }

    /// `prediction:` — eps, x0 or v (or diffusers' names); `fallback` when absent.
    func prediction(default fallback: Prediction) throws -> Prediction {
        guard has("prediction") else { return fallback }
        return try Prediction(name: try string("prediction"))
    }

    /// `spacing:` — leading, trailing or linspace; `fallback` when absent.
    func spacing(default fallback: TimestepSpacing) throws -> TimestepSpacing {
        guard has("spacing") else { return fallback }
        return try TimestepSpacing(name: try string("spacing"))
    }

    /// `variance:` — one of diffusers' variance types; `fallback` when absent.
    func varianceType(default fallback: VarianceType) throws -> VarianceType {
        guard has("variance") else { return fallback }
        return try VarianceType(name: try string("variance"))
    }

    /// The schedule's sampler settings with the call's `variance:`, `spacing:`, `clip:` and `prediction:`
    /// on top (those of them the function takes).
    func samplerSettings(_ schedule: Schedule) throws -> SamplerSettings {
        var settings = schedule.settings
        if takes("variance") { settings.variance = try varianceType(default: settings.variance) }
        if takes("spacing") { settings.spacing = try spacing(default: settings.spacing) }
        if takes("clip") { settings.clip = try bool("clip", default: settings.clip) }
        if takes("prediction") { settings.prediction = try prediction(default: settings.prediction) }
        return settings
    }

    /// The sampler settings `schedule(...)` and `s.with(...)` take, over `base`: each of `prediction`,
    /// `clip`, `clip_range`, `threshold` (`{ratio:, max:}`; `threshold: nil` turns it off), `spacing`,
    /// `steps_offset`, `set_alpha_to_one`, `variance` and `karras` that the caller gave.
    func samplerSettingKeywords(over base: SamplerSettings) throws -> SamplerSettings {
        var settings = base
        if given("prediction") != nil { settings.prediction = try Prediction(name: try string("prediction")) }
        if given("clip") != nil { settings.clip = try bool("clip") }
        if given("clip_range") != nil { settings.clipRange = try number("clip_range") }
        if given("spacing") != nil { settings.spacing = try TimestepSpacing(name: try string("spacing")) }
        if given("steps_offset") != nil { settings.stepsOffset = try int("steps_offset") }
        if given("set_alpha_to_one") != nil { settings.setAlphaToOne = try bool("set_alpha_to_one") }
        if given("variance") != nil { settings.variance = try VarianceType(name: try string("variance")) }
        if given("karras") != nil { settings.karras = try bool("karras") }
        if given("threshold") != nil {
            let d = try dict("threshold")
            guard Set(d.entries.keys).isSubset(of: ["ratio", "max"]) else {
                throw error("threshold", "expected a dict with ratio and max (Imagen's dynamic thresholding), or nil")
            }
            func number(_ key: String, _ fallback: Double) throws -> Double {
                guard let v = d.entries[key] else { return fallback }
                guard case .number(let x) = v else { throw error("threshold", "\(key) must be a number") }
                return x
            }
            settings.threshold = try DynamicThreshold(ratio: try number("ratio", 0.995), maxValue: try number("max", 1))
        } else if keywords.contains(where: { $0.name == "threshold" }) {
            settings.threshold = nil
        }
        try settings.validate()
        return settings
    }

    /// An optional tensor (`noise:`).
    func optionalTensor(_ name: String) throws -> Tensor? {
        has(name) ? try tensor(name) : nil
    }
}

/// The bridges between script values and the diffusion library's closures.
enum DiffusionBridge {
    /// A script callable (`model(x, t)`, or `model(x, t, class_labels: y)` when labels are given) as a
    /// `DenoiserModel`; t is passed as a tensor of per-sample steps.
    static func model(_ callee: Value, _ context: CallContext, name: String = "model", classLabels: Tensor? = nil) -> DenoiserModel {
        { xt, t in
            try call(callee, context, name, xt, steps: t.map(Float.init), labels: classLabels)
        }
    }

    /// A script callable as a `LabelledDenoiserModel` (labels passed per call, for training with `cond_drop:`).
    static func labelledModel(_ callee: Value, _ context: CallContext) -> LabelledDenoiserModel {
        { xt, t, labels in
            try call(callee, context, "model", xt, steps: t.map(Float.init), labels: labels.map(labelTensor))
        }
    }

    /// A script callable as the samplers' `ConditionalModel`: one (possibly fractional) timestep for the
    /// batch, passed as a tensor of B equal values.
    static func conditionalModel(_ callee: Value, _ context: CallContext) -> ConditionalModel {
        { xt, t, labels in
            try call(callee, context, "model", xt, steps: [Float](repeating: Float(t), count: xt.shape.first ?? 1),
                     labels: labels.map(labelTensor))
        }
    }

    static func labelTensor(_ labels: [Int]) -> Tensor { Tensor(shape: [labels.count], scalars: labels.map(Float.init)) }

    /// `callee(xt, steps)` (plus `class_labels:` when given), which must return a tensor.
    private static func call(_ callee: Value, _ context: CallContext, _ name: String, _ xt: Tensor, steps: [Float],
                             labels: Tensor?) throws -> Tensor {
        let keywords: [(name: String, value: Value)] = labels.map { [("class_labels", .tensor($0))] } ?? []
        let result = try context.call(callee, Arguments([.tensor(xt), .tensor(Tensor(shape: [steps.count], scalars: steps))],
                                                        keywords: keywords, functionName: name))
        guard case .native(let object as TensorObject) = result else {
            throw ScriptError("the model must return a tensor, got \(result.typeName)")
        }
        return object.tensor
    }

    /// The model's `null_label` field (a conditional `mlp_denoiser` has one), or nil.
    static func nullLabel(of callee: Value, _ context: CallContext) throws -> Int? {
        guard case .native(let object) = callee, let value = try object.member("null_label", context: context),
              case .number(let label) = value else { return nil }
        return Int(label)
    }

    /// Checks that a value can be called as `model(x, t)`.
    static func checkCallable(_ a: Arguments, _ name: String = "model") throws -> Value {
        let v = try a.value(name)
        switch v {
        case .function, .builtin: return v
        case .native(let object as ModelObject): return .native(object)
        default: throw a.typeError(name, expected: "model or function", got: v)
        }
    }

    /// Standard normal noise from the interpreter's seeded generator.
    static func noise(_ context: CallContext) -> NoiseSource {
        let generator = RandomState.of(context)
        return { shape in try Tensor.randn(shape, generator: generator) }
    }

    /// Ctrl-C checks and a progress bar on a terminal (nothing when quiet or not a terminal).
    static func hooks(_ context: CallContext, label: String) -> SamplerHooks {
        guard context.settings.interactiveErrorStream, !context.settings.quiet else {
            return SamplerHooks(checkInterrupt: { try context.checkInterrupt() })
        }
        var bar: ProgressBar? = nil
        return SamplerHooks(progress: { done, total in
            if bar == nil { bar = ProgressBar(total: total, description: label, context: context) }
            bar?.update(1)
            if done >= total { bar?.close(); bar = nil }
        }, checkInterrupt: { try context.checkInterrupt() })
    }

    /// A timestep sampler's result (DDPM, DDIM, inversion), as `result` of a `SamplerRun`.
    static func result(_ r: SampleResult, trajectory: Bool) -> Value {
        result(r.mapTimesteps(Double.init), trajectory: trajectory)
    }

    /// A sampler's result: the sample, or with `trajectory` a dict `sample`, `xs`, `x0s`, `timesteps`.
    static func result(_ r: SamplerRun, trajectory: Bool) -> Value {
        guard trajectory else { return .tensor(r.sample) }
        return .dict(DictObject([
            "sample": .tensor(r.sample),
            "xs": .list(ListObject(r.trajectory.map { .tensor($0) })),
            "x0s": .list(ListObject(r.predictedX0.map { .tensor($0) })),
            "timesteps": .list(ListObject(r.timesteps.map { .number($0) })),
        ]))
    }

    /// A shape given as `shape: [n, d]`, or the shape of the starting noise when that is given instead.
    static func shape(_ a: Arguments, noise: Tensor? = nil) throws -> [Int] {
        if let noise, !a.has("shape") { return noise.shape }
        let s = try a.intList("shape")
        try TensorConversion.checkShape(s, function: a.functionName)
        return s
    }

    /// The noises a DDPM sampler draws after x_T, given by the script (`step_noises:` a list of tensors,
    /// or one tensor whose first axis runs over the steps), or drawn from the generator when absent.
    /// x_T itself is `noise:`, else the generator's first draw.
    struct StepNoises {
        let source: NoiseSource
        /// Throws when the script gave more noises than the sampler used.
        let checkUsed: () throws -> Void
    }

    static func stepNoises(_ a: Arguments, _ context: CallContext) throws -> StepNoises {
        let generator = noise(context)
        guard a.has("step_noises") else { return StepNoises(source: generator, checkUsed: {}) }
        let given: [Tensor]
        if case .list(let list) = try a.value("step_noises") {
            given = try list.items.enumerated().map { i, v in
                guard case .native(let object as TensorObject) = v else {
                    throw a.error("step_noises", "item \(i) is a \(v.typeName), not a tensor")
                }
                return object.tensor
            }
        } else {
            let stacked = try a.tensor("step_noises")
            guard stacked.rank >= 1 else { throw a.error("step_noises", "expected a list of tensors or a tensor [steps, ...]") }
            given = try (0..<stacked.shape[0]).map { try stacked.index([.index($0)]) }
        }
        var used = 0, drawsStart = !a.has("noise")
        let source: NoiseSource = { shape in
            if drawsStart {
                drawsStart = false
                return try generator(shape)
            }
            guard used < given.count else {
                throw ScriptError("step_noises holds \(given.count) tensors but the sampler needs more (one per step with t > 0)")
            }
            defer { used += 1 }
            return given[used]
        }
        return StepNoises(source: source, checkUsed: {
            guard used == given.count else {
                throw ScriptError("step_noises holds \(given.count) tensors but the sampler used \(used) (one per step with t > 0)")
            }
        })
    }
}

/// The arguments `ddpm_sample` and `ddim_sample` share: the model (called with the class labels),
/// the schedule, the starting noise or the shape, the sampler settings and whether to keep the
/// trajectory.
struct SampleCall {
    let model: DenoiserModel, schedule: Schedule, start: Tensor?, shape: [Int], settings: SamplerSettings, trajectory: Bool

    init(_ a: Arguments, _ c: CallContext) throws {
        let callee = try DiffusionBridge.checkCallable(a)
        schedule = try a.schedule()
        start = try a.optionalTensor("noise")
        shape = try DiffusionBridge.shape(a, noise: start)
        trajectory = try a.bool("trajectory")
        settings = try a.samplerSettings(schedule)
        model = DiffusionBridge.model(callee, c, classLabels: try a.optionalTensor("class_labels"))
    }
}
