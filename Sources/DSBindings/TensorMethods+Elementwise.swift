import DSEngine
import DSLanguage

/// Elementwise and autograd methods of tensors. The core math built-ins (`abs(x)`, `sqrt(x)`,
/// `floor(x)`, `clamp(x, lo, hi)`, ...) call these methods when given a tensor.
extension TensorMethods {
    /// `tensor.NAME()` for an engine operation without arguments.
    static func unary(_ name: String, _ summary: String, _ example: String, _ op: @escaping (Tensor) throws -> Tensor) -> Builtin {
        Builtin("tensor.\(name)() -> tensor", summary, example: example) { a, _ in
            let x = try a.this
            try Tensor.reserve(like: x)
            return .tensor(try op(x))
        }
    }

    /// `tensor.NAME()` computed value by value, without gradient (rounding has a zero gradient).
    static func piecewise(_ name: String, _ summary: String, _ f: @escaping (Float) -> Float) -> Builtin {
        Builtin("tensor.\(name)() -> tensor", summary, example: "tensor([1.5, -0.5]).\(name)()") { a, _ in
            let t = try a.this
            try Tensor.reserve(like: t)
            return .tensor(Tensor(shape: t.shape, scalars: t.scalars.map(f)))
        }
    }

    static let elementwise: [Builtin] = [
        unary("abs", "absolute value, elementwise", "tensor([-1, 2]).abs()   # tensor([1., 2.])") { $0.abs() },
        unary("sqrt", "square root, elementwise", "tensor([4, 9]).sqrt()   # tensor([2., 3.])") { $0.sqrt() },
        unary("exp", "e to the power x, elementwise", "tensor([0]).exp()   # tensor([1.])") { $0.exp() },
        unary("log", "natural logarithm, elementwise", "tensor([1]).log()   # tensor([0.])") { $0.log() },
        unary("sin", "sine, elementwise", "tensor([0]).sin()") { $0.sin() },
        unary("cos", "cosine, elementwise", "tensor([0]).cos()") { $0.cos() },
        unary("tanh", "hyperbolic tangent, elementwise", "tensor([0]).tanh()") { $0.tanh() },
        unary("sigmoid", "logistic function 1 / (1 + e^-x), elementwise", "tensor([0]).sigmoid()   # tensor([0.5000])") { $0.sigmoid() },
        unary("relu", "max(x, 0), elementwise", "tensor([-1, 2]).relu()   # tensor([0., 2.])") { $0.relu() },
        unary("silu", "x * sigmoid(x), elementwise", "tensor([1]).silu()") { $0.silu() },
        unary("gelu", "Gaussian error linear unit (exact erf form), elementwise", "tensor([1]).gelu()") { $0.gelu() },
        unary("neg", "-x", "tensor([1]).neg()") { $0.neg() },
        unary("square", "x * x, elementwise", "tensor([3]).square()   # tensor([9.])") { try $0.square() },
        unary("rsqrt", "1 / sqrt(x), elementwise", "tensor([4]).rsqrt()   # tensor([0.5000])") { try $0.rsqrt() },
        unary("reciprocal", "1 / x, elementwise", "tensor([4]).reciprocal()   # tensor([0.2500])") { try $0.reciprocal() },
        piecewise("floor", "rounds down, elementwise (no gradient)") { $0.rounded(.down) },
        piecewise("ceil", "rounds up, elementwise (no gradient)") { $0.rounded(.up) },
        piecewise("round", "rounds half to even as PyTorch does, elementwise (no gradient)") { $0.rounded(.toNearestOrEven) },
        piecewise("sign", "-1, 0 or 1, elementwise (no gradient)") { $0 > 0 ? 1 : $0 < 0 ? -1 : 0 },
        Builtin("tensor.pow(p) -> tensor", "x ** p, elementwise (p a number or a tensor)", example: "tensor([2, 3]).pow(2)   # tensor([4., 9.])") { a, _ in
            .tensor(try a.this.pow(try a.tensor("p")))
        },
        Builtin("tensor.clamp(lo = nil, hi = nil) -> tensor", "limits every element to [lo, hi] (either may be nil)",
                example: "tensor([-2, 0.5, 3]).clamp(0, 1)   # tensor([0.0000, 0.5000, 1.0000])") { a, _ in
            let x = try a.this
            try Tensor.reserve(like: x)
            return .tensor(x.clamp(min: try a.float("lo"), max: try a.float("hi")))
        },
        Builtin("tensor.softmax(axis = -1) -> tensor", "exp(x) / sum(exp(x)) along axis", example: "tensor([1, 2, 3]).softmax()") { a, _ in
            .tensor(try a.this.softmax(axis: try a.int("axis")))
        },
        Builtin("tensor.log_softmax(axis = -1) -> tensor", "log of softmax along axis, computed stably", example: "tensor([1, 2, 3]).log_softmax()") { a, _ in
            .tensor(try a.this.logSoftmax(axis: try a.int("axis")))
        },
        Builtin("tensor.matmul(other) -> tensor", "matrix product (same as x @ other)", example: "eye(2).matmul(tensor([[1], [2]]))") { a, _ in
            .tensor(try a.this.matmul(try a.tensor("other")))
        },
    ]

    // MARK: Autograd

    static let autograd: [Builtin] = [
        Builtin("tensor.backward(gradient = nil, retain_graph = false)",
                "computes gradients of this (one-element) tensor into .grad of every leaf that requires them",
                example: "let w = param(tensor([2]))\n(w * w).sum().backward()\nw.grad   # tensor([4.])") { a, _ in
            let t = try a.this
            let gradient = a.has("gradient") ? try a.tensor("gradient") : nil
            try t.backward(gradient, retainGraph: try a.bool("retain_graph"))
            return .null
        },
        Builtin("tensor.zero_grad()", "forgets the accumulated gradient (.grad becomes nil)", example: "w.zero_grad()") { a, _ in
            try a.this.zeroGrad()
            return .null
        },
        Builtin("tensor.requires_grad_(flag = true) -> tensor", "marks a leaf as requiring gradients and returns it",
                example: "let w = zeros([3]).requires_grad_()") { a, _ in
            let object = try a.receiver(as: TensorObject.self)
            let flag = try a.bool("flag")
            guard object.tensor.isLeaf || !flag else {
                throw ScriptError("requires_grad can only be changed on a leaf tensor (use x.detach())")
            }
            object.tensor.requiresGrad = flag
            return .native(object)
        },
    ]
}
