import DSEngine
import DSLanguage
import DSRender

/// A neural-network module as a dscript value (`type(m)` is `"model"`): callable (`m(x)`), with
/// `params()`, `state_dict()`, `num_params`, `train()` / `eval()`, its own parameters as fields
/// (`lin.weight`), and its children by index (`seq[0]`) or name (`m.time_embedding`).
public final class ModelObject: NativeObject {
    public let module: Module
    /// How the model is called; by default one tensor goes through `module.forward`. Models with
    /// several inputs (`unet(x, t)`) supply their own.
    public let invoke: ((Arguments, CallContext) throws -> Value)?
    /// Methods particular to one kind of model (`vae.encode`), bound to this object; found before
    /// parameters and children.
    public var extraMethods: [Builtin] = []
    /// Read-only fields particular to one kind of model (`unet.config`), computed on access.
    public var extraFields: [String: () -> Value] = [:]

    public init(_ module: Module, invoke: ((Arguments, CallContext) throws -> Value)? = nil) {
        self.module = module
        self.invoke = invoke
    }

    public var typeName: String { "model" }

    public func call(_ arguments: Arguments, context: CallContext) throws -> Value? {
        if let invoke { return try invoke(arguments, context) }
        var a = arguments
        a.functionName = module.typeName
        guard a.count == 1 || (a.count == 0 && a.has(nil, "x")) else {
            throw ScriptError("\(module.typeName) takes one tensor, got \(a.count) arguments")
        }
        let x = try a.tensor(0, "x")
        return .tensor(try module.forward(x))
    }

    // MARK: Members

    static let byName: [String: Builtin] = Builtin.byShortName(methods)

    public func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "num_params": return .number(Double(module.numParams))
        case "training": return .bool(module.training)
        case "type": return .string(module.typeName)
        default: break
        }
        if let field = extraFields[name] { return field() }
        if let method = extraMethods.first(where: { $0.shortName == name }) {
            return method.bound(to: self)
        }
        if let method = ModelObject.byName[name] {
            return method.bound(to: self)
        }
        if let p = module.ownParameters.first(where: { $0.name == name }) { return .tensor(p.tensor) }
        if let b = module.ownBuffers.first(where: { $0.name == name }) { return .tensor(b.tensor) }
        if let child = module.children.first(where: { $0.name == name }) { return .native(ModelObject.wrap(child.module)) }
        return nil
    }

    public func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        if name == "training" {
            guard case .bool(let flag) = value else { throw ScriptError("training must be a boolean, got \(value.typeName)") }
            ModelObject.setTraining(module, flag)
            return
        }
        throw ScriptError("cannot set member '\(name)' of model (use load_state to change parameters)")
    }

    /// The members every model has besides its methods, layers, parameters and buffers.
    static let typeMembers = ["num_params", "training", "type"]

    public var memberNames: [String] {
        ModelObject.typeMembers + extraFields.keys.sorted() + extraMethods.map(\.shortName)
            + ModelObject.methods.map(\.shortName)
            + module.ownParameters.map(\.name) + module.ownBuffers.map(\.name)
            + module.children.map(\.name).filter { $0.first?.isLetter ?? false }
    }

    /// `seq[i]`: the i-th child (negative counts from the end).
    public func index(_ components: [IndexComponent], context: CallContext) throws -> Value {
        guard components.count == 1, case .value(let v) = components[0] else {
            throw ScriptError("a model is indexed by one child number or name")
        }
        let children = module.children
        switch v {
        case .number(let x):
            guard x.rounded() == x, x >= Double(-children.count), x < Double(children.count) else {
                throw ScriptError("child index \(formatNumber(x)) is out of range for a model with \(children.count) children")
            }
            let i = Int(x)
            return .native(ModelObject.wrap(children[i < 0 ? i + children.count : i].module))
        case .string(let s):
            guard let child = children.first(where: { $0.name == s }) else {
                throw ScriptError("model has no child '\(s)'")
            }
            return .native(ModelObject.wrap(child.module))
        default:
            throw ScriptError("a model is indexed by a number or a string, not \(v.typeName)")
        }
    }

    public var length: Int? { module.children.count }

    public func elements(context: CallContext) throws -> [Value]? {
        module.children.map { .native(ModelObject.wrap($0.module)) }
    }

    public func describe(repr: Bool) -> String { ModelObject.describe(module) }

    public func isEqual(to other: NativeObject) -> Bool {
        guard let o = other as? ModelObject else { return false }
        return o.module === module
    }

    // MARK: Helpers

    /// Wraps a child module (a dscript function stays callable through its own module).
    static func wrap(_ module: Module) -> ModelObject { ModelObject(module) }

    static func setTraining(_ module: Module, _ flag: Bool) {
        for (_, m) in module.namedModules() { m.training = flag }
    }

    /// PyTorch's module printout: `Linear(in_features=2, out_features=3, bias=True)`, nested
    /// children indented as `(name): ...`.
    static func describe(_ module: Module, indent: String = "") -> String {
        let head = module.typeName + "(" + extraDescription(module)
        if module.children.isEmpty { return head + ")" }
        var lines = [head]
        for (name, child) in module.children {
            lines.append(indent + "  (\(name)): " + describe(child, indent: indent + "  "))
        }
        lines.append(indent + ")")
        return lines.joined(separator: "\n")
    }

    static func extraDescription(_ module: Module) -> String {
        if let m = module as? Linear {
            return "in_features=\(m.inFeatures), out_features=\(m.outFeatures), bias=\(m.bias != nil)"
        }
        if let m = module as? Conv2d {
            var text = "\(m.inChannels), \(m.outChannels), kernel_size=\(m.kernelSize), stride=\(m.stride)"
            if m.padding != 0 { text += ", padding=\(m.padding)" }
            if m.bias == nil { text += ", bias=false" }
            return text
        }
        if let m = module as? GroupNorm { return "\(m.numGroups), \(m.numChannels), eps=\(formatFloat(m.eps))" }
        if let m = module as? LayerNorm {
            return TensorFormatter.formatShape(m.normalizedShape) + ", eps=\(formatFloat(m.eps))"
        }
        if let m = module as? ScriptFunctionModule { return m.label }
        return ""
    }
}

/// A dscript function (or built-in) used as a layer, e.g. in `sequential([linear(2, 8), silu])`.
final class ScriptFunctionModule: Module {
    let function: Value
    let label: String
    private weak var context: CallContext?

    init(_ function: Value, label: String, context: CallContext) {
        self.function = function
        self.label = label
        self.context = context
    }

    override var typeName: String { "Function" }

    override func forward(_ x: Tensor) throws -> Tensor {
        guard let context else { throw ScriptError("the interpreter of this function is gone") }
        let result = try context.call(function, Arguments([.tensor(x)], functionName: label))
        guard case .native(let object as TensorObject) = result else {
            throw ScriptError("layer function '\(label)' must return a tensor, got \(result.typeName)")
        }
        return object.tensor
    }
}
