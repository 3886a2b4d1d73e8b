import DSDiffusion
import DSEngine
import DSLanguage

/// Runs diffusion code, turning `DiffusionError` and `TensorError` into `ScriptError`s with the same message.
func diffusion<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DiffusionError {
        throw ScriptError(error.message)
    } catch let error as TensorError {
        throw ScriptError(error.message)
    }
}

extension Arguments {
    /// A noise schedule argument.
    func schedule(_ position: Int?, _ name: String? = "s") throws -> Schedule {
        try native(position, name, as: NoiseScheduleObject.self, expected: "schedule").schedule
    }

    /// Timesteps: a number (one for the whole batch) or a tensor / list of per-sample integers.
    func timesteps(_ position: Int?, _ name: String? = "t") throws -> [Int] {
        try wholeNumbers(position, name, what: "timesteps", expected: "timestep (number or tensor)")
    }

    /// `class_labels:` — a number (one label for the batch) or a tensor / list of per-sample labels; nil when absent.
    func classLabels(_ position: Int?, _ name: String? = "class_labels") throws -> [Int]? {
        guard has(position, name) else { return nil }
        return try wholeNumbers(position, name, what: "class labels", expected: "class labels (number, list or tensor)")
    }

    /// One or more whole numbers given as a number, a list or a tensor.
    private func wholeNumbers(_ position: Int?, _ name: String?, what: String, expected: String) throws -> [Int] {
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

    /// `prediction:` — eps, x0 or v.
    func prediction(_ position: Int? = nil) throws -> Prediction {
        guard has(position, "prediction") else { return .eps }
        return try diffusion { try Prediction(name: try string(position, "prediction")) }
    }

    /// `spacing:` — leading, trailing or linspace.
    func spacing(_ position: Int? = nil) throws -> TimestepSpacing {
        guard has(position, "spacing") else { return .leading }
        return try diffusion { try TimestepSpacing(name: try string(position, "spacing")) }
    }

    /// `variance:` — fixed_small or fixed_large (learned_range for two-headed models).
    func varianceType(_ position: Int? = nil) throws -> VarianceType {
        guard has(position, "variance") else { return .fixedSmall }
        return try diffusion { try VarianceType(name: try string(position, "variance")) }
    }

    /// An optional tensor (`noise:`).
    func optionalTensor(_ position: Int?, _ name: String) throws -> Tensor? {
        has(position, name) ? try tensor(position, name) : nil
    }
}

/// The bridges between script values and the diffusion library's closures.
enum DiffusionBridge {
    /// A script callable (`model(x, t)`) as a `DenoiserModel`; t is passed as a tensor of per-sample steps.
    static func model(_ callee: Value, _ context: CallContext, name: String = "model") -> DenoiserModel {
        { xt, t in
            let steps = Tensor(shape: [t.count], scalars: t.map(Float.init))
            let result = try context.call(callee, Arguments([.tensor(xt), .tensor(steps)], functionName: name))
            guard case .native(let object as TensorObject) = result else {
                throw ScriptError("the model must return a tensor, got \(result.typeName)")
            }
            return object.tensor
        }
    }

    /// Checks that a value can be called as `model(x, t)`.
    static func checkCallable(_ a: Arguments, _ position: Int, _ name: String = "model") throws -> Value {
        let v = try a.value(position, name)
        switch v {
        case .function, .builtin: return v
        case .native(let object as ModelObject): return .native(object)
        default: throw a.typeError(position, name, expected: "model or function", got: v)
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

    /// A sampler's result: the sample, or with `trajectory` a dict `sample`, `xs`, `x0s`, `timesteps`.
    static func result(_ r: SampleResult, trajectory: Bool) -> Value {
        guard trajectory else { return .tensor(r.sample) }
        return .dict(DictObject([
            "sample": .tensor(r.sample),
            "xs": .list(ListObject(r.trajectory.map { .tensor($0) })),
            "x0s": .list(ListObject(r.predictedX0.map { .tensor($0) })),
            "timesteps": .list(ListObject(r.timesteps.map { .number(Double($0)) })),
        ]))
    }

    /// A shape given as `shape: [n, d]`.
    static func shape(_ a: Arguments, _ position: Int?) throws -> [Int] {
        let s = try a.intList(position, "shape")
        try TensorConversion.checkShape(s, function: a.functionName)
        return s
    }
}
