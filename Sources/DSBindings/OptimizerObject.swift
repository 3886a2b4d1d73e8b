import DSEngine
import DSLanguage
import OrderedCollections

/// An optimizer as a dscript value: `opt.step()`, `opt.zero_grad()`, `opt.lr` (read and write).
final class OptimizerObject: NativeObject {
    let optimizer: Optimizer
    let kind: String

    init(_ optimizer: Optimizer, kind: String) {
        self.optimizer = optimizer
        self.kind = kind
    }

    var typeName: String { "optimizer" }

    static let methods: [Builtin] = [
        Builtin("optimizer.step()", "updates every parameter that has a gradient", example: "loss.backward(); opt.step()") { a, _ in
            try a.receiver(as: OptimizerObject.self).optimizer.step()
            return .null
        },
        Builtin("optimizer.zero_grad()", "clears the gradients of the parameters", example: "opt.zero_grad()") { a, _ in
            try a.receiver(as: OptimizerObject.self).optimizer.zeroGrad()
            return .null
        },
    ]
    static let byName = Builtin.byShortName(methods)

    func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "lr": return .float(optimizer.lr)
        case "steps": return .number(Double(optimizer.stepCount))
        case "params": return .list(ListObject(optimizer.params.map { .tensor($0) }))
        default: return OptimizerObject.byName[name].map { $0.bound(to: self) }
        }
    }

    func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        guard name == "lr" else { throw ScriptError("cannot set member '\(name)' of optimizer") }
        guard case .number(let lr) = value, lr >= 0, lr.isFinite else {
            throw ScriptError("lr must be a non-negative number, got \(context.describe(value, repr: true))")
        }
        optimizer.lr = Float(lr)
    }

    /// The members every optimizer has besides its methods.
    static let typeMembers = ["lr", "steps", "params"]
    var memberNames: [String] { OptimizerObject.typeMembers + OptimizerObject.methods.map(\.shortName) }

    func describe(repr: Bool) -> String {
        "<optimizer \(kind): \(optimizer.params.count) tensors, lr \(formatFloat(optimizer.lr)), \(optimizer.stepCount) steps>"
    }
}

/// `ema(model, decay:)`: `.update()`, `.copy_to(model)`, `.decay`, `.state_dict()`.
final class EMAObject: NativeObject {
    let average: EMA
    let names: [String]

    init(_ average: EMA, names: [String]) {
        self.average = average
        self.names = names
    }

    var typeName: String { "ema" }

    static let methods: [Builtin] = [
        Builtin("ema.update()", "moves the averages toward the current parameters", example: "opt.step(); avg.update()") { a, _ in
            try a.receiver(as: EMAObject.self).average.update()
            return .null
        },
        Builtin("ema.copy_to(model = nil)", "writes the averaged values into the model (default: the one it follows)",
                example: "avg.copy_to(model)") { a, _ in
            let ema = try a.receiver(as: EMAObject.self)
            if a.has("model") {
                try ema.average.copyTo(try a.native("model", as: ModelObject.self, expected: "model").module)
            } else {
                try ema.average.copyTo()
            }
            return .null
        },
        Builtin("ema.state_dict()", "dict of parameter name → averaged tensor", example: "save(\"ema.safetensors\", avg.state_dict())") { a, _ in
            let ema = try a.receiver(as: EMAObject.self)
            var entries = OrderedDictionary<String, Value>()
            for (name, t) in zip(ema.names, ema.average.shadow) { entries[name] = .tensor(t.detach()) }
            return .dict(DictObject(entries))
        },
    ]
    static let byName = Builtin.byShortName(methods)

    func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "decay": return .number(Double(average.decay))
        case "updates": return .number(Double(average.updates))
        case "shadow": return .list(ListObject(average.shadow.map { .tensor($0) }))
        default: return EMAObject.byName[name].map { $0.bound(to: self) }
        }
    }

    func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        guard name == "decay" else { throw ScriptError("cannot set member '\(name)' of ema") }
        guard case .number(let d) = value, d >= 0, d <= 1 else { throw ScriptError("decay must be a number in [0, 1]") }
        average.decay = Float(d)
    }

    /// The members every ema has besides its methods.
    static let typeMembers = ["decay", "updates", "shadow"]
    var memberNames: [String] { EMAObject.typeMembers + EMAObject.methods.map(\.shortName) }

    func describe(repr: Bool) -> String {
        "<ema decay \(formatFloat(average.decay)): \(average.shadow.count) tensors, \(average.updates) updates>"
    }
}

/// `lr_schedule(opt, kind, ...)`: `.step()` sets `opt.lr` to base · factor(step).
final class ScheduleObject: NativeObject {
    let optimizer: OptimizerObject
    let schedule: LRSchedule
    let kind: String
    let base: Float
    var step = 0

    init(_ optimizer: OptimizerObject, _ schedule: LRSchedule, kind: String) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.kind = kind
        self.base = optimizer.optimizer.lr
        optimizer.optimizer.lr = schedule.lr(base, at: 0)
    }

    var typeName: String { "lr_schedule" }

    static let methods: [Builtin] = [
        Builtin("lr_schedule.step()", "advances the schedule one step and sets the optimizer's lr", example: "sched.step()") { a, _ in
            let s = try a.receiver(as: ScheduleObject.self)
            s.step += 1
            s.optimizer.optimizer.lr = s.schedule.lr(s.base, at: s.step)
            return .float(s.optimizer.optimizer.lr)
        },
    ]

    func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "lr": return .float(optimizer.optimizer.lr)
        case "last_step": return .number(Double(step))
        case "step": return ScheduleObject.methods[0].bound(to: self)
        default: return nil
        }
    }

    /// The members every lr_schedule has.
    static let typeMembers = ["lr", "last_step", "step"]
    var memberNames: [String] { ScheduleObject.typeMembers }

    func describe(repr: Bool) -> String { "<lr schedule \(kind) at step \(step): lr \(formatFloat(optimizer.optimizer.lr))>" }
}
