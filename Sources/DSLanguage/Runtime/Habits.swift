/// What people coming from Python, PyTorch, NumPy and diffusers write, and the dscript way: the one
/// table behind the hints added to errors ("model has no member 'parameters' (PyTorch's
/// model.parameters() is model.params())"). Each row names where it applies (a keyword row may name
/// the one function it belongs to: torch's `steps=` means n for `linspace` only) and carries an
/// example that must produce its hint (SuggestionTests runs every row).
public struct Habit {
    public enum Kind {
        /// An undefined name.
        case name
        /// A member that is not there.
        case member
        /// A property called like a method (`x.numel()`).
        case call
        /// An unknown keyword argument.
        case keyword
        /// A syntax error the parser recognises (`written` is the key it looks up).
        case syntax
    }

    public let kind: Kind
    public let written: String
    /// The function (its short name: `linspace`, `clamp` for both `clamp(x, ...)` and `x.clamp(...)`)
    /// a keyword row belongs to; nil for a row that applies everywhere.
    public let function: String?
    public let hint: String
    /// Code that a newcomer writes and that fails with `hint` in its message.
    public let example: String

    init(_ kind: Kind, _ written: String, in function: String? = nil, _ hint: String, example: String) {
        self.kind = kind
        self.written = written
        self.function = function
        self.hint = hint
        self.example = example
    }

    /// The row for `written` in `kind`: the one of `function` when there is one, else the row that
    /// applies everywhere, if any.
    public static func find(_ kind: Kind, _ written: String, function: String? = nil) -> Habit? {
        let rows = table.filter { $0.kind == kind && $0.written == written }
        return rows.first { $0.function != nil && $0.function == function } ?? rows.first { $0.function == nil }
    }

    /// PyTorch's `size=` of the tensor makers, which dscript calls the shape.
    static func sizeRow(_ function: String) -> Habit {
        Habit(.keyword, "size", in: function, "torch's size= is the shape: \(function)([2, 3]) or \(function)(2, 3)",
              example: "\(function)(size: [2, 3])")
    }

    /// Every row: the ones with a hint of their own, then the ones that share a hint.
    public static let table: [Habit] = rows + signatureRows

    /// The rows with a hint of their own.
    static let rows: [Habit] = [
        // Python
        Habit(.name, "True", "Python's True is true", example: "print(True)"),
        Habit(.name, "False", "Python's False is false", example: "print(False)"),
        Habit(.name, "None", "Python's None is nil", example: "let x = None"),
        Habit(.syntax, "f-string", "strings interpolate already: \"step {i}\" needs no f", example: "let i = 3\nprint(f\"step {i}\")"),
        Habit(.syntax, "tuple", "tuples and shapes are lists: (128,) is [128]", example: "let shape = (128,)"),
        Habit(.syntax, "for-pair", "for takes one variable: for i in 0..<len(xs) { let x = xs[i] }, or for p in enumerate(xs) with p[0], p[1]",
              example: "for i, x in enumerate([5, 6]) { print(i) }"),
        Habit(.syntax, "def", "functions are written fn f(x) { return x }", example: "def f(x): return x"),
        Habit(.syntax, "elif", "Python's elif is else if", example: "if 1 > 2 { print(1) } elif 2 > 1 { print(2) }"),
        Habit(.syntax, "lambda", "Python's lambda x: x * 2 is fn(x) => x * 2", example: "let double = lambda x: x * 2"),
        Habit(.syntax, "in", "Python's x in xs is contains(xs, x), for lists, strings and dict keys",
              example: "let d = {\"a\": 1}\nif \"a\" in d { print(1) }"),
        Habit(.syntax, "&&", "write and", example: "print(true && false)"),
        Habit(.syntax, "||", "write or", example: "print(true || false)"),
        Habit(.syntax, "import", "import runs dscript files (import \"helpers\"); tensor functions are built-ins already",
              example: "import numpy as np"),
        Habit(.member, "append", "Python's xs.append(v) is push(xs, v)", example: "[1].append(2)"),
        Habit(.member, "items", "Python's d.items() is keys(d) and values(d), or for k in d { d[k] }", example: "let d = {\"a\": 1}\nd.items()"),
        Habit(.keyword, "end", "print ends the line; join the parts first: print(a + b)", example: "print(\"a\", end: \"\")"),
        Habit(.member, "upper", "Python's s.upper() is upper(s)", example: "\"abc\".upper()"),
        Habit(.member, "lower", "Python's s.lower() is lower(s)", example: "\"ABC\".lower()"),
        Habit(.member, "split", "Python's s.split(sep) is split(s, sep); a tensor's torch.split is x.chunk(n)",
              example: "\"a,b\".split(\",\")"),
        Habit(.member, "join", "Python's sep.join(xs) is join(xs, sep)", example: "\",\".join([\"a\", \"b\"])"),
        Habit(.member, "replace", "Python's s.replace(a, b) is replace(s, a, b)", example: "\"ab\".replace(\"a\", \"c\")"),
        Habit(.name, "float", "numbers are one type: float(x) is num(x) (a string) or x itself", example: "let x = float(\"1.5\")"),
        Habit(.name, "isinstance", "type(x) names a value's type: type(x) == \"tensor\"", example: "print(isinstance(1, 2))"),
        Habit(.name, "dict", "dicts are written {\"a\": 1} (and {} when empty)", example: "let d = dict()"),
        // PyTorch
        Habit(.name, "torch", "torch's functions are built-ins: torch.zeros(3) is zeros([3]), torch.manual_seed(0) is seed(0)",
              example: "let x = torch.zeros(3)"),
        Habit(.name, "nn", "torch.nn's layers are built-ins: nn.Linear(2, 3) is linear(2, 3)", example: "let layer = nn.Linear(2, 3)"),
        Habit(.name, "F", "torch.nn.functional is built in: F.silu(x) is silu(x), F.mse_loss(a, b) is mse(a, b)",
              example: "F.silu(randn([2]))"),
        Habit(.name, "manual_seed", "torch.manual_seed(n) is seed(n)", example: "manual_seed(0)"),
        Habit(.member, "parameters", "PyTorch's model.parameters() is model.params()", example: "linear(2, 2).parameters()"),
        Habit(.member, "load_state_dict", "PyTorch's model.load_state_dict(sd) is load_state(model, sd)",
              example: "linear(2, 2).load_state_dict({})"),
        Habit(.member, "dim", "PyTorch's x.dim() is x.ndim", example: "randn([2]).dim()"),
        Habit(.member, "numpy", "x.numpy() is x.tolist() (nested lists of numbers)", example: "randn([2]).numpy()"),
        Habit(.member, "cuda", "tensors live in CPU memory: drop .cuda() and .to(device)", example: "randn([2]).cuda()"),
        Habit(.member, "to", "tensors and models live in CPU memory in float32: drop .to(...)", example: "linear(2, 2).to(\"cpu\")"),
        Habit(.member, "float", "tensors are float32 already: drop .float()", example: "randn([2]).float()"),
        Habit(.member, "half", "tensors are float32: drop .half() (save(path, x, dtype: \"float16\") writes half precision)",
              example: "randn([2]).half()"),
        Habit(.member, "cpu", "tensors live in CPU memory already: drop .cpu()", example: "randn([2]).cpu()"),
        Habit(.call, "numel", "PyTorch's x.numel() is x.numel, a number", example: "randn([2, 3]).numel()"),
        Habit(.keyword, "dim", "PyTorch's dim= is axis:", example: "randn([2, 2]).sum(dim: 0)"),
        Habit(.keyword, "dtype", "tensors are float32: drop dtype= (save(path, x, dtype: \"float16\") writes other types)",
              example: "zeros(2, dtype: \"float64\")"),
        Habit(.keyword, "device", "tensors live in CPU memory: drop device=", example: "randn(2, device: \"cuda\")"),
        Habit(.keyword, "requires_grad", "x.requires_grad_() turns gradients on: randn([2]).requires_grad_()",
              example: "randn(2, requires_grad: true)"),
        Habit(.keyword, "generator", "there is one generator: seed(n) before drawing", example: "randn(2, generator: 1)"),
        Habit(.keyword, "steps", in: "linspace", "torch.linspace(start, end, steps=n) is linspace(start, end, n)",
              example: "linspace(0, 1, steps: 5)"),
        Habit(.keyword, "chunks", in: "chunk", "torch's x.chunk(chunks, dim) is x.chunk(n, axis)", example: "randn([4]).chunk(chunks: 2)"),
        Habit(.keyword, "dims", in: "flip", "torch's x.flip(dims) is x.flip(axis)", example: "randn([2, 2]).flip(dims: [0])"),
        Habit(.keyword, "exponent", in: "pow", "torch's x.pow(exponent) is x.pow(p), or x ** p", example: "randn([2]).pow(exponent: 2)"),
        Habit(.keyword, "kernel_size", in: "avg_pool2d", "F.avg_pool2d(x, kernel_size) is avg_pool2d(x, kernel)",
              example: "avg_pool2d(randn([1, 1, 4, 4]), kernel_size: 2)"),
        Habit(.keyword, "normalized_shape", in: "layer_norm", "nn.LayerNorm(normalized_shape) is layer_norm(dim)",
              example: "layer_norm(normalized_shape: 4)"),
        Habit(.keyword, "scale_factor", in: "upsample", "F.interpolate(x, scale_factor=2) is upsample(x, scale: 2) (nearest)",
              example: "upsample(randn([1, 1, 2, 2]), scale_factor: 2)"),
        Habit(.keyword, "attn_mask", in: "attention", "F.scaled_dot_product_attention's attn_mask= is mask:",
              example: "let q = randn([1, 2, 4])\nattention(q, q, q, attn_mask: nil)"),
        Habit(.keyword, "max_norm", in: "clip_grad_norm", "torch's clip_grad_norm_(params, max_norm) is clip_grad_norm(params, max)",
              example: "clip_grad_norm(linear(2, 2).params(), max_norm: 1)"),
        // NumPy
        Habit(.name, "np", "NumPy's functions are built-ins: np.zeros((2, 3)) is zeros([2, 3])", example: "np.zeros(3)"),
        Habit(.keyword, "keepdims", "NumPy's keepdims= is keepdim:", example: "randn([2, 2]).sum(axis: 0, keepdims: true)"),
        // diffusers
        Habit(.name, "DDPMScheduler", "diffusers' DDPMScheduler is schedule(\"linear\", steps: 1000) with ddpm_step or ddpm_sample",
              example: "let scheduler = DDPMScheduler()"),
        Habit(.name, "DDIMScheduler", "diffusers' DDIMScheduler is schedule(...) with ddim_timesteps, ddim_step or ddim_sample",
              example: "let scheduler = DDIMScheduler()"),
        Habit(.member, "alphas_cumprod", "diffusers' scheduler.alphas_cumprod is s.alpha_bar", example: "schedule(\"linear\").alphas_cumprod"),
        Habit(.member, "add_noise", "diffusers' scheduler.add_noise(x0, noise, t) is s.q_sample(x0, t, noise)",
              example: "schedule(\"linear\").add_noise(0, 0, 1)"),
        Habit(.member, "set_timesteps", "diffusers' scheduler.set_timesteps(n) is ddim_timesteps(s, n)",
              example: "schedule(\"linear\").set_timesteps(10)"),
        Habit(.member, "num_train_timesteps", "diffusers' num_train_timesteps is s.T", example: "schedule(\"linear\").num_train_timesteps"),
        Habit(.keyword, "num_train_timesteps", "diffusers' num_train_timesteps= is steps:",
              example: "schedule(\"linear\", num_train_timesteps: 10)"),
        Habit(.keyword, "beta_schedule", "diffusers' beta_schedule= is schedule's first argument: schedule(\"cosine\")",
              example: "schedule(beta_schedule: \"cosine\")"),
        Habit(.keyword, "num_inference_steps", "diffusers' num_inference_steps= is steps:",
              example: "ddim_sample(fn(x, t) => x, schedule(\"linear\"), shape: [1, 2], num_inference_steps: 10)"),
    ]

    /// Keyword rows of one PyTorch signature: every keyword dscript names otherwise gets the same
    /// hint, each with an example that fails with it.
    static func keywordRows(in function: String, _ hint: String, _ examples: KeyValuePairs<String, String>) -> [Habit] {
        examples.map { Habit(.keyword, $0.key, in: function, hint, example: $0.value) }
    }

    /// The rows that share a hint.
    static let signatureRows: [Habit] = [
        keywordRows(in: "clamp", "PyTorch's clamp(x, min=a, max=b) is clamp(x, a, b), or lo: and hi:", [
            "min": "clamp(randn([3]), min: 0)",
            "max": "randn([3]).clamp(max: 1)",
        ]),
        keywordRows(in: "full", "torch.full(size, fill_value) is full(shape, value)", [
            "size": "full(size: [2], value: 1)",
            "fill_value": "full([2], fill_value: 1)",
        ]),
        keywordRows(in: "randint", "torch.randint(low, high, size) is randint(lo, hi, shape)", [
            "size": "randint(0, 5, size: [3])",
            "low": "randint(low: 0, hi: 5, shape: [3])",
            "high": "randint(0, high: 5, shape: [3])",
        ]),
        keywordRows(in: "linear", "nn.Linear(in_features, out_features) is linear(in, out)", [
            "in_features": "linear(in_features: 2, out_features: 3)",
            "out_features": "linear(2, out_features: 3)",
        ]),
        keywordRows(in: "conv2d", "nn.Conv2d(in_channels, out_channels, kernel_size) is conv2d(in, out, kernel)", [
            "in_channels": "conv2d(in_channels: 1, out: 2, kernel: 3)",
            "out_channels": "conv2d(1, out_channels: 2, kernel: 3)",
            "kernel_size": "conv2d(1, 2, kernel_size: 3)",
        ]),
        keywordRows(in: "group_norm", "nn.GroupNorm(num_groups, num_channels) is group_norm(groups, channels)", [
            "num_groups": "group_norm(num_groups: 2, channels: 4)",
            "num_channels": "group_norm(2, num_channels: 4)",
        ]),
        ["std", "var"].map { (method: String) in
            Habit(.keyword, "correction", in: method, "torch's correction=0 is unbiased: false (correction=1 is unbiased: true)",
                  example: "randn([4]).\(method)(correction: 0)")
        },
        ["zeros", "ones", "randn", "rand"].map(sizeRow),
    ].flatMap { $0 }
}
