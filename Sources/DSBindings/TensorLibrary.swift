import DSEngine
import DSLanguage

/// Global tensor built-ins (docs/builtins.md § Tensors and autograd): creation and random numbers.
/// Functions of tensors are in `TensorLibrary+Functions.swift`.
enum TensorLibrary {
    static let creation: [Builtin] = [
        Builtin("tensor(data, requires_grad = false)", "a tensor from a number or a nested list of numbers (rows must have equal lengths)",
                example: "tensor([[1, 2], [3, 4]])") { a, _ in
            let source = try a.value("data")
            var t = try TensorConversion.tensor(from: source, function: "tensor")
            if case .native(let object as TensorObject) = source { t = object.tensor.detach() }
            if try a.bool("requires_grad") { t.requiresGrad = true }
            return .tensor(t)
        },
        Builtin("zeros(...shape)", "a tensor of zeros; the shape is a list or several integers", example: "zeros([2, 3])") { a, _ in
            .tensor(try Tensor.zeros(try a.checkedShape(0)))
        },
        Builtin("ones(...shape)", "a tensor of ones", example: "ones([2, 3])") { a, _ in
            .tensor(try Tensor.ones(try a.checkedShape(0)))
        },
        Builtin("full(shape, value)", "a tensor filled with value", example: "full([2, 2], 0.5)") { a, _ in
            let shape = try a.intList("shape")
            try TensorConversion.checkShape(shape, function: a.functionName)
            return .tensor(try Tensor.full(shape, Float(try a.number("value"))))
        },
        Builtin("zeros_like(x)", "zeros with the shape of x", example: "zeros_like(x)") { a, _ in
            let x = try a.tensor("x")
            try Tensor.reserve(like: x)
            return .tensor(Tensor.zerosLike(x))
        },
        Builtin("ones_like(x)", "ones with the shape of x", example: "ones_like(x)") { a, _ in
            let x = try a.tensor("x")
            try Tensor.reserve(like: x)
            return .tensor(Tensor.onesLike(x))
        },
        Builtin("full_like(x, value)", "value everywhere, with the shape of x", example: "full_like(x, 2)") { a, _ in
            .tensor(try Tensor.full(try a.tensor("x").shape, Float(try a.number("value"))))
        },
        Builtin("eye(n)", "the n×n identity matrix", example: "eye(3)") { a, _ in
            let n = try a.int("n")
            try TensorConversion.checkShape([n, n], function: a.functionName)
            var scalars = [Float](repeating: 0, count: n * n)
            for i in 0..<n { scalars[i * n + i] = 1 }
            return .tensor(Tensor(shape: [n, n], scalars: scalars))
        },
        Builtin("arange(start, end = nil, step = 1)", "start, start + step, ... below end; arange(n) counts 0 ..< n",
                example: "arange(5)   # tensor([0., 1., 2., 3., 4.])") { a, _ in
            let first = try a.number("start")
            let (start, end) = a.has("end") ? (first, try a.number("end")) : (0, first)
            let step = try a.number("step")
            let count = ((end - start) / step).rounded(.up)
            if count.isFinite && count > Double(Engine.maxElements) {
                throw ScriptError("arange: \(formatNumber(count)) elements is too many (at most \(Engine.maxElements))")
            }
            return .tensor(try Tensor.arange(start, end, step: step))
        },
        Builtin("linspace(start, end, n)", "n evenly spaced values from start to end inclusive",
                example: "linspace(0, 1, 5)   # tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])") { a, _ in
            let n = try a.int("n")
            try TensorConversion.checkShape([n], function: a.functionName)
            return .tensor(try Tensor.linspace(try a.number("start"), try a.number("end"), n))
        },

        // MARK: Random numbers (the interpreter's generator; `--seed` or `seed(n)`)

        Builtin("seed(n)", "restarts the random generator with seed n", example: "seed(0)") { a, c in
            let n = try a.int("n")
            guard n >= 0 else { throw a.error("n", "seed must be non-negative") }
            RandomState.of(c).reseed(UInt64(n))
            return .null
        },
        Builtin("randn(...shape)", "standard normal samples", example: "randn([2, 3])") { a, c in
            .tensor(try Tensor.randn(try a.checkedShape(0), generator: RandomState.of(c)))
        },
        Builtin("rand(...shape)", "uniform samples in [0, 1)", example: "rand([2, 3])") { a, c in
            .tensor(try Tensor.rand(try a.checkedShape(0), generator: RandomState.of(c)))
        },
        Builtin("randint(lo, hi, shape)", "integers drawn uniformly from lo ..< hi", example: "randint(0, 1000, [8])") { a, c in
            let shape = try a.intList("shape")
            try TensorConversion.checkShape(shape, function: a.functionName)
            return .tensor(try Tensor.randint(try a.int("lo"), try a.int("hi"), shape, generator: RandomState.of(c)))
        },
        Builtin("randn_like(x)", "standard normal samples with the shape of x", example: "let noise = randn_like(x0)") { a, c in
            let x = try a.tensor("x")
            try Tensor.reserve(like: x)
            return .tensor(Tensor.randnLike(x, generator: RandomState.of(c)))
        },
        Builtin("rand_like(x)", "uniform samples in [0, 1) with the shape of x", example: "rand_like(x)") { a, c in
            .tensor(try Tensor.rand(try a.tensor("x").shape, generator: RandomState.of(c)))
        },
        Builtin("randperm(n)", "a random permutation of 0 ..< n", example: "randperm(5)") { a, c in
            let n = try a.int("n")
            try TensorConversion.checkShape([n], function: a.functionName)
            let keys = RandomState.of(c).uniform(n)
            let order = (0..<n).sorted { keys[$0] < keys[$1] }
            return .tensor(Tensor(shape: [n], scalars: order.map(Float.init)))
        },
    ]
}
