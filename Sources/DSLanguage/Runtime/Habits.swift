/// What people coming from Python, PyTorch, NumPy and diffusers write, and the dscript way: the one
/// table behind the hints added to errors ("model has no member 'parameters' (PyTorch's
/// model.parameters() is model.params())"). Each row names where it applies and carries an example
/// that must produce its hint (HabitTests runs every row).
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
    public let hint: String
    /// Code that a newcomer writes and that fails with `hint` in its message.
    public let example: String

    init(_ kind: Kind, _ written: String, _ hint: String, example: String) {
        self.kind = kind
        self.written = written
        self.hint = hint
        self.example = example
    }

    /// The row for `written` in `kind`, if any.
    public static func find(_ kind: Kind, _ written: String) -> Habit? {
        table.first { $0.kind == kind && $0.written == written }
    }

    public static let table: [Habit] = [
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
        Habit(.keyword, "min", "PyTorch's clamp(x, min=a, max=b) is clamp(x, a, b), or lo: and hi:", example: "clamp(randn([3]), min: 0)"),
        Habit(.keyword, "max", "PyTorch's clamp(x, min=a, max=b) is clamp(x, a, b), or lo: and hi:", example: "randn([3]).clamp(max: 1)"),
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
}
