import DSEngine
import DSLanguage
import OrderedCollections

/// Layers (docs/builtins.md § Layers and optimizers): constructors of engine modules, `sequential`,
/// `load_state`, the timestep embedding. Parameters are initialised from the interpreter's generator
/// (PyTorch's default rule).
enum NNLibrary {
    /// Built-in activations that become engine activation modules inside `sequential`.
    static let activationModules: [String: () -> Module] = [
        "silu": { Activation.silu() }, "relu": { Activation.relu() }, "gelu": { Activation.gelu() },
        "tanh": { Activation.tanh() }, "sigmoid": { Activation.sigmoid() },
    ]

    static let layers: [Builtin] = [
        Builtin("linear(in, out, bias = true) -> model", "a fully connected layer y = x Wᵀ + b (weight [out, in])",
                example: "let layer = linear(2, 64)\nlayer(randn([8, 2])).shape   # [8, 64]") { a, c in
            .native(ModelObject(try Linear(try a.int("in"), try a.int("out"), bias: try a.bool("bias"),
                                           generator: RandomState.of(c))))
        },
        Builtin("conv2d(in, out, kernel, stride = 1, padding = 0, bias = true) -> model", "a 2-D convolution over [N, C, H, W] (weight [out, in, k, k])",
                example: "let conv = conv2d(3, 16, 3, padding: 1)") { a, c in
            .native(ModelObject(try Conv2d(try a.int("in"), try a.int("out"), kernelSize: try a.int("kernel"),
                                           stride: try a.int("stride"), padding: try a.int("padding"),
                                           bias: try a.bool("bias"), generator: RandomState.of(c))))
        },
        Builtin("group_norm(groups, channels, eps = 1e-5) -> model", "group normalisation over [N, C, ...] with per-channel scale and shift",
                example: "let norm = group_norm(8, 32)") { a, _ in
            .native(ModelObject(try GroupNorm(try a.int("groups"), try a.int("channels"),
                                              eps: Float(try a.number("eps")))))
        },
        Builtin("layer_norm(dim, eps = 1e-5) -> model", "layer normalisation over the last dimension(s) (dim: a size or a shape)",
                example: "let norm = layer_norm(64)") { a, _ in
            .native(ModelObject(try LayerNorm(try a.intList("dim"), eps: Float(try a.number("eps")))))
        },
        Builtin("sequential(layers) -> model", "runs layers in order; layers may be models or functions (silu, fn(x) => ...)",
                example: "let net = sequential([linear(2, 64), silu, linear(64, 2)])") { a, c in
            let list = try a.list("layers")
            let modules = try list.items.enumerated().map { i, item in try module(of: item, a, c, position: i) }
            try checkNesting(modules, a)
            return .native(ModelObject(Sequential(modules)))
        },
        Builtin("timestep_embedding(t, dim, flip_sin_to_cos = false, freq_shift = 1, scale = 1, max_period = 10000) -> tensor",
                "sinusoidal embedding [len(t), dim] of timesteps, as diffusers' get_timestep_embedding",
                example: "timestep_embedding(tensor([0, 500, 999]), 64).shape   # [3, 64]") { a, _ in
            var t = try a.tensor("t")
            if t.shape.isEmpty { t = try t.reshape([1]) }
            try TensorConversion.checkShape([t.count, try a.int("dim")], function: a.functionName)
            return .tensor(try timestepEmbedding(t, dim: try a.int("dim"),
                                                 flipSinToCos: try a.bool("flip_sin_to_cos"),
                                                 freqShift: Float(try a.number("freq_shift")),
                                                 scale: Float(try a.number("scale")),
                                                 maxPeriod: Float(try a.number("max_period"))))
        },
        Builtin("upsample(x, scale = 2) -> tensor", "nearest-neighbour upsampling of [N, C, H, W] images", example: "upsample(zeros([1, 3, 8, 8])).shape   # [1, 3, 16, 16]") { a, _ in
            let x = try a.tensor("x"), scale = try a.number("scale")
            let largest = Double(x.shape.dropFirst(2).max() ?? 0)
            guard !(largest * scale > Double(Engine.maxElements)) else { throw a.error("scale", "scale \(formatNumber(scale)) is too large") }
            return .tensor(try x.upsampleNearest(scale: scale))
        },
        Builtin("avg_pool2d(x, kernel = 2, stride = nil) -> tensor", "average pooling of [N, C, H, W] images (stride defaults to kernel)",
                example: "avg_pool2d(zeros([1, 3, 8, 8])).shape   # [1, 3, 4, 4]") { a, _ in
            let stride = a.has("stride") ? try a.int("stride") : nil
            return .tensor(try a.tensor("x").avgPool2d(kernel: try a.int("kernel"), stride: stride))
        },
        Builtin("attention(q, k, v, mask = nil, scale = nil) -> tensor", "scaled dot-product attention softmax(q kᵀ · scale + mask) v over [..., L, D] (mask is added)",
                example: "attention(q, k, v).shape") { a, _ in
            let mask = a.has("mask") ? try a.tensor("mask") : nil
            let scale = a.has("scale") ? Float(try a.number("scale")) : nil
            return .tensor(try Tensor.scaledDotProductAttention(try a.tensor("q"), try a.tensor("k"), try a.tensor("v"),
                                                                mask: mask, scale: scale))
        },
        Builtin("load_state(model, state, strict = true)",
                "copies tensors from a dict (name → tensor) into the model; lists missing, unexpected and mis-shaped keys (unet and autoencoder_kl accept legacy diffusers attention names)",
                example: "load_state(model, load(\"model.safetensors\"))") { a, _ in
            let model = try a.native("model", as: ModelObject.self, expected: "model")
            let state = try stateList(try a.dict("state"), a)
            try model.module.loadState(state, strict: try a.bool("strict"))
            return .null
        },
        Builtin("params(model)", "the trainable tensors of a model (same as model.params())", example: "adam(params(net), lr: 1e-3)") { a, _ in
            let model = try a.native("model", as: ModelObject.self, expected: "model")
            return .list(ListObject(model.module.parameters().map { .tensor($0) }))
        },
    ]

    /// A layer for `sequential`: a model, an activation built-in, or any other callable.
    /// Models nest at most this deep inside `sequential`, and a model counts at most this many
    /// layers with repeats: `m = sequential([m, m])` in a loop doubles the layers each time, and
    /// parameter names, `state_dict` and recursion over the tree would blow up.
    static let maxNesting = 100
    static let maxLayerCount = 1_000_000

    /// Refuses layer trees too deep or too large (counting a shared layer once per use), iteratively.
    static func checkNesting(_ modules: [Module], _ a: Arguments) throws {
        var stack = modules.map { ($0, 1) }
        var visited = 0
        while let (module, depth) = stack.popLast() {
            visited += 1
            guard depth < maxNesting else {
                throw a.error("layers", "models nest more than \(maxNesting) levels deep")
            }
            guard visited <= maxLayerCount else {
                throw a.error("layers", "the model would hold more than \(maxLayerCount) layers (counting repeats)")
            }
            for child in module.children { stack.append((child.module, depth + 1)) }
        }
    }

    static func module(of item: Value, _ a: Arguments, _ c: CallContext, position i: Int) throws -> Module {
        switch item {
        case .native(let object as ModelObject):
            return object.module
        case .builtin(let function) where function.receiver == nil:
            if let make = activationModules[function.name] { return make() }
            return ScriptFunctionModule(item, label: function.name, context: c)
        case .function(let function):
            return ScriptFunctionModule(item, label: function.name, context: c)
        case .native(let object):
            throw a.error("layers", "element \(i) is a \(object.typeName), not a layer")
        default:
            throw a.error("layers", "element \(i) is a \(item.typeName), not a layer or function")
        }
    }

    /// The tensors of a state dict (argument `state`), in its order.
    static func stateList(_ dict: DictObject, _ a: Arguments) throws -> [(String, Tensor)] {
        try dict.entries.map { key, value in
            guard case .native(let object as TensorObject) = value else {
                throw a.error("state", "entry '\(key)' is a \(value.typeName), not a tensor")
            }
            return (key, object.tensor)
        }
    }
}

/// Methods of models, registered for `:help` as `model.NAME`.
extension ModelObject {
    static let methods: [Builtin] = [
        Builtin("model.params()", "the trainable tensors, in state-dict order", example: "let opt = adam(model.params(), lr: 1e-3)") { a, _ in
            .list(ListObject(try a.receiver(as: ModelObject.self).module.parameters().map { .tensor($0) }))
        },
        Builtin("model.named_params()", "dict of dotted name → trainable tensor", example: "keys(model.named_params())") { a, _ in
            let model = try a.receiver(as: ModelObject.self)
            var entries = OrderedDictionary<String, Value>()
            for (name, t) in model.module.namedParameters() { entries[name] = .tensor(t) }
            return .dict(DictObject(entries))
        },
        Builtin("model.state_dict()", "dict of dotted name → tensor (parameters and buffers, detached copies)",
                example: "save(\"model.safetensors\", model.state_dict())") { a, _ in
            let model = try a.receiver(as: ModelObject.self)
            var entries = OrderedDictionary<String, Value>()
            for (name, t) in model.module.stateDict() { entries[name] = .tensor(t) }
            return .dict(DictObject(entries))
        },
        Builtin("model.load_state(state, strict = true)", "same as load_state(model, state, strict)", example: "model.load_state(d)") { a, _ in
            let model = try a.receiver(as: ModelObject.self)
            let state = try NNLibrary.stateList(try a.dict("state"), a)
            try model.module.loadState(state, strict: try a.bool("strict"))
            return .null
        },
        Builtin("model.zero_grad()", "clears the gradient of every parameter", example: "model.zero_grad()") { a, _ in
            try a.receiver(as: ModelObject.self).module.zeroGrad()
            return .null
        },
        Builtin("model.train(flag = true) -> model", "sets training mode (returns the model)", example: "model.train()") { a, _ in
            let model = try a.receiver(as: ModelObject.self)
            ModelObject.setTraining(model.module, try a.bool("flag"))
            return .native(model)
        },
        Builtin("model.eval() -> model", "sets evaluation mode (returns the model)", example: "model.eval()") { a, _ in
            let model = try a.receiver(as: ModelObject.self)
            ModelObject.setTraining(model.module, false)
            return .native(model)
        },
        Builtin("model.children()", "the direct submodules, as a list of models", example: "len(net.children())") { a, _ in
            .list(ListObject(try a.receiver(as: ModelObject.self).module.children.map { .native(ModelObject.wrap($0.module)) }))
        },
    ]
}
