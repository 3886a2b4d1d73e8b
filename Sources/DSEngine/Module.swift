/// A neural-network module: named parameters, buffers and submodules, as `torch.nn.Module`.
///
/// Names follow PyTorch so state dicts interchange with it: own parameters first (`weight`, `bias`),
/// then submodules in registration order with dotted prefixes (`0.weight`, `time_embedding.linear_1.bias`).
open class Module {
    public private(set) var ownParameters: [(name: String, tensor: Tensor)] = []
    public private(set) var ownBuffers: [(name: String, tensor: Tensor)] = []
    public private(set) var children: [(name: String, module: Module)] = []
    /// Training mode flag (kept for scripts; no layer here behaves differently).
    public var training = true

    public init() {}

    /// The type name shown to users (`Linear`, `Conv2d`, ...).
    open var typeName: String { String(describing: type(of: self)) }

    /// Registers (or replaces) a trainable parameter; it is marked `requiresGrad`.
    public func registerParameter(_ name: String, _ tensor: Tensor) {
        tensor.requiresGrad = true
        if let i = ownParameters.firstIndex(where: { $0.name == name }) { ownParameters[i].tensor = tensor } else {
            ownParameters.append((name, tensor))
        }
    }

    /// Registers a non-trainable tensor that still belongs to the state dict.
    public func registerBuffer(_ name: String, _ tensor: Tensor) {
        if let i = ownBuffers.firstIndex(where: { $0.name == name }) { ownBuffers[i].tensor = tensor } else {
            ownBuffers.append((name, tensor))
        }
    }

    /// Registers (or replaces) a submodule under `name`.
    @discardableResult
    public func registerModule<M: Module>(_ name: String, _ module: M) -> M {
        if let i = children.firstIndex(where: { $0.name == name }) { children[i].module = module } else {
            children.append((name, module))
        }
        return module
    }

    /// The computation; subclasses with one tensor input override this.
    open func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("\(typeName) cannot be called with one tensor")
    }

    /// `module(x)`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x) }

    /// Every parameter with its dotted name, depth first in registration order.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        var out = ownParameters.map { (prefix + $0.name, $0.tensor) }
        for (name, child) in children { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// Every trainable parameter (`model.params()`).
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// Every submodule with its dotted name, this module first (as `named_modules`).
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var out: [(String, Module)] = [(prefix, self)]
        for (name, child) in children {
            out += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
        }
        return out
    }

    /// The number of scalar parameters.
    public var numParams: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Parameters and buffers by dotted name, in PyTorch order; values are detached snapshots
    /// sharing storage until written (copy on write).
    public func stateDict(prefix: String = "") -> [(String, Tensor)] {
        var out = ownParameters.map { (prefix + $0.name, $0.tensor.detach()) }
        out += ownBuffers.map { (prefix + $0.name, $0.tensor.detach()) }
        for (name, child) in children { out += child.stateDict(prefix: prefix + name + ".") }
        return out
    }

    /// Live parameter and buffer tensors by dotted name (what `loadState` writes into).
    func stateTensors(prefix: String = "") -> [(String, Tensor)] {
        var out = ownParameters.map { (prefix + $0.name, $0.tensor) } + ownBuffers.map { (prefix + $0.name, $0.tensor) }
        for (name, child) in children { out += child.stateTensors(prefix: prefix + name + ".") }
        return out
    }

    /// The current name of an old-format state-dict key, or nil when this module knows no rename;
    /// a model whose checkpoints used other names (diffusers' legacy attention keys) overrides it.
    /// `loadState` asks only for keys that are not already names of this module.
    open func renamedStateKey(_ name: String) -> String? { nil }

    /// `state` with each key that is not a name of this module but that `renamedStateKey` maps to one
    /// (not given under its new name as well) renamed; other keys are kept as given.
    func renamingLegacyKeys(_ state: [(String, Tensor)], ownNames: Set<String>) -> [(String, Tensor)] {
        let givenNames = Set(state.map { $0.0 })
        return state.map { name, tensor in
            guard !ownNames.contains(name), let key = renamedStateKey(name), ownNames.contains(key),
                  !givenNames.contains(key) else { return (name, tensor) }
            return (key, tensor)
        }
    }

    /// Copies values from `state` into the parameters and buffers, after `renamedStateKey` renames
    /// old-format keys. With `strict`, missing and unexpected keys are errors; shape mismatches always
    /// are. The error lists every problem; nothing is written when it is thrown.
    public func loadState(_ original: [(String, Tensor)], strict: Bool = true) throws {
        let own = stateTensors()
        let ownNames = Set(own.map { $0.0 })
        let state = renamingLegacyKeys(original, ownNames: ownNames)
        let given = Dictionary(state, uniquingKeysWith: { _, last in last })
        let missing = own.map { $0.0 }.filter { given[$0] == nil }
        let unexpected = state.map { $0.0 }.filter { !ownNames.contains($0) }
        var mismatched: [String] = []
        for (name, t) in own { if let v = given[name], v.shape != t.shape {
            mismatched.append("\(name): expected \(t.shape), got \(v.shape)")
        } }
        var problems: [String] = []
        if strict && !missing.isEmpty { problems.append("missing keys: " + missing.joined(separator: ", ")) }
        if strict && !unexpected.isEmpty { problems.append("unexpected keys: " + unexpected.joined(separator: ", ")) }
        if !mismatched.isEmpty { problems.append("shape mismatch: " + mismatched.joined(separator: "; ")) }
        guard problems.isEmpty else {
            throw TensorError("cannot load state into \(typeName): " + problems.joined(separator: "; "))
        }
        for (name, t) in own { if let v = given[name] { t.scalars = v.scalars } }
    }

    /// Same as `loadState(_:strict:)` for an unordered dictionary.
    public func loadState(_ state: [String: Tensor], strict: Bool = true) throws {
        try loadState(state.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, strict: strict)
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for p in parameters() { p.grad = nil } }
}
