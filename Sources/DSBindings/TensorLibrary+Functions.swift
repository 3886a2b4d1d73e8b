import DSEngine
import DSLanguage
import DSRender

/// Global functions of tensors (docs/builtins.md § Tensors and autograd): joining, selection, activations,
/// losses, autograd.
extension TensorLibrary {
    /// `NAME(x)` for an engine operation on one tensor.
    static func activation(_ name: String, _ summary: String, _ op: @escaping (Tensor) throws -> Tensor) -> Builtin {
        Builtin("\(name)(x)", summary, example: "\(name)(tensor([-1, 0, 1]))") { a, _ in
            let x = try a.tensor("x")
            try Tensor.reserve(like: x)
            return .tensor(try op(x))
        }
    }

    static let functions: [Builtin] = [
        Builtin("cat(tensors, axis = 0)", "joins tensors along an existing axis", example: "cat([zeros([2, 3]), ones([1, 3])]).shape   # [3, 3]") { a, _ in
            .tensor(try Tensor.cat(try a.tensorList("tensors"), axis: try a.int("axis")))
        },
        Builtin("stack(tensors, axis = 0)", "joins same-shaped tensors along a new axis", example: "stack([zeros([3]), ones([3])]).shape   # [2, 3]") { a, _ in
            .tensor(try Tensor.stack(try a.tensorList("tensors"), axis: try a.int("axis")))
        },
        Builtin("where(condition, a, b)", "elementwise: a where condition is nonzero, else b (broadcasting)",
                example: "where(x > 0, x, 0)") { a, _ in
            .tensor(try Tensor.where(try a.tensor("condition"), try a.tensor("a"), try a.tensor("b")))
        },
        Builtin("matmul(a, b)", "matrix product (same as a @ b); batched over leading dimensions", example: "matmul(eye(2), ones([2, 3]))") { a, _ in
            .tensor(try a.tensor("a").matmul(try a.tensor("b")))
        },
        Builtin("mean(x, axis = nil, keepdim = false)", "mean of a tensor (all elements or along axis) or of a list of numbers",
                example: "mean(tensor([1, 2, 3]))   # tensor(2.)") { a, _ in
            if case .list(let list) = try a.value("x"), !list.items.contains(where: { if case .native = $0 { return true } else { return false } }) {
                let numbers = try list.items.enumerated().map { i, v -> Double in
                    guard case .number(let x) = v else { throw a.error("x", "list of numbers expected, element \(i) is a \(v.typeName)") }
                    return x
                }
                guard !numbers.isEmpty else { throw a.error("x", "mean of an empty list") }
                return .number(numbers.reduce(0, +) / Double(numbers.count))
            }
            return .tensor(try a.tensor("x").mean(axes: try a.axes(), keepdim: try a.bool("keepdim")))
        },
        Builtin("maximum(a, b)", "the larger of a and b, elementwise (broadcasting)", example: "maximum(x, 0)") { a, _ in
            .tensor(try a.tensor("a").maximum(try a.tensor("b")))
        },
        Builtin("minimum(a, b)", "the smaller of a and b, elementwise (broadcasting)", example: "minimum(x, 1)") { a, _ in
            .tensor(try a.tensor("a").minimum(try a.tensor("b")))
        },
        Builtin("logsumexp(x, axis = -1, keepdim = false)", "log(sum(exp(x))) along axis, computed stably",
                example: "logsumexp(tensor([1, 2, 3]))") { a, _ in
            .tensor(try a.tensor("x").logsumexp(axis: try a.int("axis"), keepdim: try a.bool("keepdim")))
        },
        activation("relu", "max(x, 0), elementwise") { $0.relu() },
        activation("silu", "x * sigmoid(x) (swish), elementwise") { $0.silu() },
        activation("sigmoid", "1 / (1 + e^-x), elementwise") { $0.sigmoid() },
        activation("tanh", "hyperbolic tangent, elementwise") { $0.tanh() },
        Builtin("gelu(x, approximate = \"none\")", "Gaussian error linear unit (\"tanh\" for the tanh approximation)",
                example: "gelu(tensor([1]))") { a, _ in
            let x = try a.tensor("x")
            try Tensor.reserve(like: x)
            return .tensor(x.gelu(approximate: try a.choice("approximate", ["none", "tanh"])))
        },
        Builtin("softmax(x, axis = -1)", "exp(x) / sum(exp(x)) along axis", example: "softmax(tensor([1, 2, 3]))") { a, _ in
            .tensor(try a.tensor("x").softmax(axis: try a.int("axis")))
        },
        Builtin("log_softmax(x, axis = -1)", "log(softmax(x)) along axis, computed stably", example: "log_softmax(tensor([1, 2, 3]))") { a, _ in
            .tensor(try a.tensor("x").logSoftmax(axis: try a.int("axis")))
        },
        Builtin("mse(a, b, reduction = \"mean\")", "mean squared error ((a - b) ** 2).mean(); reduction \"sum\" or \"none\"",
                example: "mse(model(x), target)") { a, _ in
            let x = try a.tensor("a"), y = try a.tensor("b")
            guard (try? broadcastShapes(x.shape, y.shape)) == x.shape || x.shape == y.shape else {
                throw ScriptError("mse: shapes \(TensorFormatter.formatShape(x.shape)) and \(TensorFormatter.formatShape(y.shape)) differ")
            }
            let squared = try x.sub(y).square()
            switch try a.choice("reduction", ["mean", "sum", "none"]) {
            case "sum": return .tensor(try squared.sum())
            case "none": return .tensor(squared)
            default: return .tensor(try squared.mean())
            }
        },
        Builtin("allclose(a, b, rtol = 1e-5, atol = 1e-8)", "true when |a - b| <= atol + rtol * |b| everywhere (shapes broadcast)",
                example: "allclose(x.sum(), tensor(6))") { a, _ in
            let x = try a.tensor("a"), y = try a.tensor("b")
            let rtol = Float(try a.number("rtol")), atol = Float(try a.number("atol"))
            for (name, tolerance) in [("rtol", rtol), ("atol", atol)] where !(tolerance >= 0) {
                throw a.error(name, "must be at least 0, got \(tolerance)")
            }
            return .bool(try x.isClose(y, rtol: rtol, atol: atol).scalars.allSatisfy { $0 == 1 })
        },

        // MARK: Autograd

        Builtin("param(x)", "a leaf tensor that requires gradients (a copy of x)", example: "let w = param(randn([3, 2]))") { a, _ in
            let t = try a.tensor("x")
            let leaf = Tensor(shape: t.shape, scalars: t.scalars)
            leaf.requiresGrad = true
            return .tensor(leaf)
        },
        Builtin("no_grad(fn)", "calls fn() with gradient recording off (restored afterwards, even on error)",
                example: "no_grad(fn() { w -= 0.1 * w.grad })") { a, c in
            let callee = try a.value("fn")
            return try Engine.withNoGrad { try c.call(callee, Arguments([], functionName: "no_grad")) }
        },
        Builtin("enable_grad(fn)", "calls fn() with gradient recording on (inside no_grad)", example: "enable_grad(fn() { ... })") { a, c in
            let callee = try a.value("fn")
            return try Engine.withGradEnabled(true) { try c.call(callee, Arguments([], functionName: "enable_grad")) }
        },
        Builtin("is_grad_enabled()", "true unless inside no_grad", example: "is_grad_enabled()   # true") { _, _ in
            .bool(Engine.isGradEnabled)
        },
    ]
}
