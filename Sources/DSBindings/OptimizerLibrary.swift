import DSEngine
import DSLanguage

/// Optimizers, gradient clipping, EMA and learning-rate schedules (docs/builtins.md § Layers and
/// optimizers), over the engine's implementations of torch.optim's exact update rules.
enum OptimizerLibrary {
    static let optimizers: [Builtin] = [
        Builtin("sgd(params, lr = 0.01, momentum = 0, nesterov = false, weight_decay = 0, dampening = 0) -> optimizer",
                "stochastic gradient descent (torch.optim.SGD); params: a list of tensors or a model",
                example: "let opt = sgd(model.params(), lr: 0.1, momentum: 0.9)") { a, _ in
            let params = try parameters(a)
            return .native(OptimizerObject(try SGD(params, lr: Float(try a.number("lr")),
                                                   momentum: Float(try a.number("momentum")),
                                                   dampening: Float(try a.number("dampening")),
                                                   weightDecay: Float(try a.number("weight_decay")),
                                                   nesterov: try a.bool("nesterov")), kind: "sgd"))
        },
        Builtin("adam(params, lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0) -> optimizer",
                "Adam (torch.optim.Adam; weight decay added to the gradient)",
                example: "let opt = adam(model.params(), lr: 1e-3)") { a, _ in
            let betas = try betaPair(a)
            return .native(OptimizerObject(try Adam(try parameters(a), lr: Float(try a.number("lr")), betas: betas,
                                                    eps: Float(try a.number("eps")),
                                                    weightDecay: Float(try a.number("weight_decay"))), kind: "adam"))
        },
        Builtin("adamw(params, lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0.01) -> optimizer",
                "AdamW (torch.optim.AdamW: decoupled weight decay)",
                example: "let opt = adamw(model.params(), lr: 1e-4, weight_decay: 0.01)") { a, _ in
            let betas = try betaPair(a)
            return .native(OptimizerObject(try Adam.adamW(try parameters(a), lr: Float(try a.number("lr")), betas: betas,
                                                          eps: Float(try a.number("eps")),
                                                          weightDecay: Float(try a.number("weight_decay"))), kind: "adamw"))
        },
        Builtin("clip_grad_norm(params, max)", "scales gradients so their total L2 norm is at most max; returns the norm before clipping",
                example: "let norm = clip_grad_norm(model.params(), 1.0)") { a, _ in
            let params = try parameters(a)
            let limit = try a.number("max")
            guard limit >= 0 else { throw a.error("max", "must be non-negative") }
            return .float(clipGradNorm(params, maxNorm: Float(limit)))
        },
        Builtin("ema(model, decay = 0.9999, warmup = false) -> ema",
                "exponential moving average of a model's parameters; .update() after each step, .copy_to(model)",
                example: "let avg = ema(model, decay: 0.999)") { a, _ in
            let model = try a.native("model", as: ModelObject.self, expected: "model")
            let decay = try a.number("decay")
            let average = try EMA(model.module, decay: Float(decay), warmup: try a.bool("warmup"))
            return .native(EMAObject(average, names: model.module.namedParameters().map { $0.0 }))
        },
        Builtin("lr_schedule(optimizer, kind = \"constant\", warmup = 0, total = 0, step_size = 1, gamma = 0.1) -> lr_schedule",
                "a learning-rate schedule (\"constant\", \"warmup\", \"cosine\", \"linear\", \"step\"); call .step() after each opt.step()",
                example: "let sched = lr_schedule(opt, \"cosine\", warmup: 100, total: 5000)") { a, _ in
            let optimizer = try a.native("optimizer", as: OptimizerObject.self, expected: "optimizer")
            let kind = try a.choice("kind", ["constant", "warmup", "cosine", "linear", "step"])
            let warmup = try a.int("warmup"), total = try a.int("total")
            let schedules: [String: () -> LRSchedule] = [
                "constant": { .constant }, "warmup": { .linearWarmup(warmup: warmup) },
                "cosine": { .cosine(warmup: warmup, total: total) }, "linear": { .linear(warmup: warmup, total: total) },
            ]
            let schedule: LRSchedule
            if let make = schedules[kind] {
                schedule = make()
            } else {
                schedule = .step(stepSize: try a.int("step_size"), gamma: try a.number("gamma"))
            }
            if (kind == "cosine" || kind == "linear") && total <= warmup {
                throw a.error("total", "total steps must exceed warmup for a \(kind) schedule")
            }
            return .native(ScheduleObject(optimizer, schedule, kind: kind))
        },
    ]

    /// The `params` argument: a list of tensors, one tensor or a model.
    static func parameters(_ a: Arguments) throws -> [Tensor] {
        let v = try a.value("params")
        if case .native(let model as ModelObject) = v { return model.module.parameters() }
        return try a.tensorList("params")
    }

    /// `betas = [0.9, 0.999]` of Adam and AdamW.
    static func betaPair(_ a: Arguments) throws -> (Float, Float) {
        let list = try a.list("betas")
        guard list.items.count == 2, case .number(let b1) = list.items[0], case .number(let b2) = list.items[1] else {
            throw a.error("betas", "a list of two numbers expected")
        }
        return (Float(b1), Float(b2))
    }
}
