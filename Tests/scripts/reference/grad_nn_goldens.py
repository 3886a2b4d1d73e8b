"""Golden scripts for Tests/scripts/autograd/ and Tests/scripts/nn/."""
from golden import F, Golden, code, comment, error_goldens, literal


AUTOGRAD_BASICS = Golden("autograd/gradients.dscript", "Gradients of small expressions against PyTorch's",
                         "torch.autograd", [
    code("let w = param(tensor([1, -2, 0.5]))", "w = torch.tensor([1., -2, 0.5], requires_grad=True)"),
    ("print(w.requires_grad, w.is_leaf)", "True", "True"),
    code("let f = (w ** 3 + 2 * w).sum()", "f = (w ** 3 + 2 * w).sum()"),
    ("print(f.requires_grad, f.is_leaf)", "True", "False"),
    code("f.backward()", "f.backward()"),
    comment("analytic: 3w^2 + 2 = [5, 14, 2.75]"),
    ("print(w.grad)", "w.grad"),
    comment("gradients accumulate until cleared"),
    code("(w * w).sum().backward()", "(w * w).sum().backward()"),
    ("print(w.grad)", "w.grad"),
    code("w.zero_grad()", "w.grad = None"),
    ("print(w.grad)", "None"),
    code("let v = param(tensor([0.5, 1, 2]))", "v = torch.tensor([0.5, 1, 2], requires_grad=True)"),
    code("(exp(v) * log(v + 3) / sqrt(v + 5)).sum().backward()", "(torch.exp(v) * torch.log(v + 3) / torch.sqrt(v + 5)).sum().backward()"),
    ("print(v.grad)", "v.grad"),
    code("let W = param(tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))", "W = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)"),
    code("let x = tensor([[1, 2], [3, -1], [0, 0.5], [2, 2]])", "x = torch.tensor([[1., 2], [3, -1], [0, 0.5], [2, 2]])"),
    code("let y = (x @ W).tanh().mean()", "y = (x @ W).tanh().mean()"),
    ("print(y)", "y"),
    code("y.backward()", "y.backward()"),
    ("print(W.grad)", "W.grad"),
    comment("broadcasting reduces the gradient back to the parameter's shape"),
    code("let b = param(tensor([1, 2, 3]))", "b = torch.tensor([1., 2, 3], requires_grad=True)"),
    code("((x @ W.detach()) * b).sum().backward()", "((x @ W.detach()) * b).sum().backward()"),
    ("print(b.grad)", "b.grad"),
    comment("indexing scatters the gradient back"),
    code("let m = param(arange(6).reshape([2, 3]))", "m = torch.arange(6.).reshape(2, 3).requires_grad_()"),
    code("(m[:, 0] * 2 + m[1, 2] + m[tensor([0, 0])].sum()).sum().backward()", "(m[:, 0] * 2 + m[1, 2] + m[torch.tensor([0, 0])].sum()).sum().backward()"),
    ("print(m.grad)", "m.grad"),
    comment("softmax cross-entropy: gradient is softmax minus one-hot"),
    code("let z = param(tensor([1, 2, 0.5]))", "z = torch.tensor([1., 2, 0.5], requires_grad=True)"),
    code("(-log_softmax(z)[1]).backward()", "(-torch.log_softmax(z, 0)[1]).backward()"),
    ("print(z.grad)", "z.grad"),
    code("let s = param(tensor([[1, 2], [3, 5]]))", "s = torch.tensor([[1., 2], [3, 5]], requires_grad=True)"),
    code("(s.var(axis: 0).sum() + s.std() + s.mean(axis: 1).max()).backward()",
         "(s.var(0).sum() + s.std() + s.mean(1).max()).backward()"),
    ("print(s.grad)", "s.grad"),
    code("let c = param(tensor([0.9, 0.8, 0.5]))", "c = torch.tensor([0.9, 0.8, 0.5], requires_grad=True)"),
    code("c.cumprod().sum().backward()", "c.cumprod(0).sum().backward()"),
    ("print(c.grad)", "c.grad"),
    code("let p = param(tensor([-1, 2]))", "p = torch.tensor([-1., 2], requires_grad=True)"),
    code("let q = param(tensor([3, 4]))", "q = torch.tensor([3., 4], requires_grad=True)"),
    code("(where(p > 0, p * p, q).sum() + cat([p, q]).reshape([2, 2]).sum(axis: 0).sum() + (stack([p, q]) ** 2).sum()).backward()",
         "(torch.where(p > 0, p * p, q).sum() + torch.cat([p, q]).reshape(2, 2).sum(0).sum() + (torch.stack([p, q]) ** 2).sum()).backward()"),
    ("print(p.grad, q.grad)", "p.grad", "q.grad"),
    code("let r = param(tensor([[1, -2], [3, 0.5]]))", "r = torch.tensor([[1., -2], [3, 0.5]], requires_grad=True)"),
    code("(mse(r, zeros([2, 2])) + r.abs().sum() + r.clamp(0, 2).sum() + r.T[0, 1] + (r % 2).sum()).backward()",
         "(F.mse_loss(r, torch.zeros(2, 2)) + r.abs().sum() + r.clamp(0, 2).sum() + r.T[0, 1] + (r % 2).sum()).backward()".replace("F.", F + ".")),
    ("print(r.grad)", "r.grad"),
    code("let h = param(tensor([[0.2, -1.5, 3]]))", "h = torch.tensor([[0.2, -1.5, 3]], requires_grad=True)"),
    code("(silu(h) + gelu(h) + sigmoid(h) + relu(h) + tanh(h) + softmax(h)).sum().backward()",
         f"({F}.silu(h) + {F}.gelu(h) + torch.sigmoid(h) + {F}.relu(h) + torch.tanh(h) + torch.softmax(h, -1)).sum().backward()"),
    ("print(h.grad)", "h.grad"),
])


AUTOGRAD_MODES = Golden("autograd/modes.dscript", "no_grad, detach, requires_grad",
                        "torch.no_grad semantics", [
    code("let w = param(tensor([1, 2]))"),
    literal("print(is_grad_enabled())", "true"),
    code("let y = no_grad(fn() { return w * 2 })"),
    literal("print(y.requires_grad, (w * 2).requires_grad, w.detach().requires_grad)", "false true false"),
    literal("print(no_grad(fn() => is_grad_enabled()), is_grad_enabled())", "false true"),
    comment("the recording flag is restored when the function fails"),
    literal("try { no_grad(fn() { error(\"boom\") }) } catch e { print(e) }", "boom"),
    literal("print(is_grad_enabled())", "true"),
    literal("print(no_grad(fn() => enable_grad(fn() => is_grad_enabled())))", "true"),
    code("let x = tensor([1, 2, 3])"),
    literal("print(x.requires_grad)", "false"),
    code("x.requires_grad = true"),
    code("(x * x).sum().backward()"),
    literal("print(x.grad)", "tensor([2., 4., 6.])"),
    code("x.grad = nil"),
    literal("print(x.grad)", "nil"),
    code("let z = zeros([2]).requires_grad_()"),
    literal("print(z)", "tensor([0., 0.], requires_grad=true)"),
    comment("a plain SGD step written by hand"),
    code("let v = param(tensor([1, -1]))"),
    code("(v * v).sum().backward()"),
    code("no_grad(fn() { v -= 0.25 * v.grad })"),
    literal("print(v)", "tensor([ 0.5000, -0.5000])"),
])


AUTOGRAD_ERRORS = error_goldens("autograd", "error messages", [
    ("backward_not_scalar", "let w = param(zeros([2]))\n(w * 2).backward()", 2, "backward() without a gradient needs a one-element tensor"),
    ("backward_no_grad", "tensor([1]).backward()", 1, "does not require grad"),
    ("requires_grad_non_leaf", "let w = param(zeros([2]))\n(w * 2).requires_grad = false", 2, "requires_grad can only be changed on a leaf tensor"),
])


LAYERS = Golden("nn/layers.dscript", "Layers with known weights against torch.nn",
                "torch.nn.Linear, Conv2d, GroupNorm, LayerNorm, Sequential", [
    code("seed(0)"),
    code("let lin = linear(3, 2)", "lin = torch.nn.Linear(3, 2)"),
    ("print(lin)", "'Linear(in_features=3, out_features=2, bias=true)'"),
    ("print(lin.weight.shape, lin.bias.shape, lin.num_params, type(lin))", "[2, 3]", "[2]", "8", "'model'"),
    code("load_state(lin, {weight: tensor([[0.1, 0.2, 0.3], [-0.5, 0.5, 1]]), bias: tensor([0.01, -0.02])})",
         "lin.load_state_dict({'weight': torch.tensor([[0.1, 0.2, 0.3], [-0.5, 0.5, 1]]), 'bias': torch.tensor([0.01, -0.02])})"),
    code("let x = tensor([[1, 2, 3], [-1, 0, 4]])", "x = torch.tensor([[1., 2, 3], [-1, 0, 4]])"),
    ("print(lin(x))", "lin(x)"),
    ("print(lin(x[0]))", "lin(x[0])"),
    comment("PyTorch's default initialisation bound: |w| <= 1/sqrt(fan_in)"),
    code("let big = linear(100, 50)"),
    literal("print(big.weight.abs().max().item() <= 0.1, big.weight.std().item() > 0.05)", "true true"),
    literal("print(linear(4, 4, bias: false).num_params, keys(linear(4, 4, bias: false).state_dict()))", "16 [\"weight\"]"),
    code("let conv = conv2d(1, 2, 3, padding: 1)", "conv = torch.nn.Conv2d(1, 2, 3, padding=1)"),
    code("let cw = arange(18).reshape([2, 1, 3, 3]) / 7 - 0.8", "cw = torch.arange(18.).reshape(2, 1, 3, 3) / 7 - 0.8"),
    code("load_state(conv, {weight: cw, bias: tensor([0.5, -0.5])})",
         "conv.load_state_dict({'weight': cw, 'bias': torch.tensor([0.5, -0.5])})"),
    code("let img = arange(32).reshape([2, 1, 4, 4]) / 8", "img = torch.arange(32.).reshape(2, 1, 4, 4) / 8"),
    ("print(conv(img))", "conv(img)"),
    ("print(conv)", "'Conv2d(1, 2, kernel_size=3, stride=1, padding=1)'"),
    ("print(conv2d(3, 8, 3, stride: 2)(zeros([1, 3, 9, 9])).shape)", "[1, 8, 4, 4]"),
    code("let gn = group_norm(2, 4)", "gn = torch.nn.GroupNorm(2, 4)"),
    code("let gx = (arange(32).reshape([2, 4, 2, 2]) - 10) ** 2 / 50", "gx = (torch.arange(32.).reshape(2, 4, 2, 2) - 10) ** 2 / 50"),
    ("print(gn(gx)[1])", "gn(gx)[1]"),
    ("print(keys(gn.state_dict()))", "['weight', 'bias']"),
    code("let ln = layer_norm(3)", "ln = torch.nn.LayerNorm(3)"),
    ("print(ln(x))", "ln(x)"),
    ("print(ln)", "'LayerNorm([3], eps=1e-05)'"),
])


SEQUENTIAL = Golden("nn/sequential.dscript", "sequential with layers, built-in activations and dscript functions",
                    "torch.nn.Sequential", [
    code("seed(1)"),
    code("fn double(x) { return x * 2 }"),
    code("let net = sequential([linear(2, 3), silu, double, linear(3, 1)])",
         "net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.SiLU(), torch.nn.Identity(), torch.nn.Linear(3, 1))"),
    ("print(keys(net.state_dict()))", "list(net.state_dict().keys())"),
    ("print(net.num_params, len(net), len(net.params()))", "sum(p.numel() for p in net.parameters())", "4", "4"),
    code("load_state(net, {\"0.weight\": tensor([[1, -1], [0.5, 0.5], [-2, 1]]), \"0.bias\": tensor([0, 0.1, 0.2]), "
         "\"3.weight\": tensor([[0.3, -0.3, 0.6]]), \"3.bias\": tensor([0.05])})",
         "net.load_state_dict({'0.weight': torch.tensor([[1., -1], [0.5, 0.5], [-2, 1]]), '0.bias': torch.tensor([0, 0.1, 0.2]),"
         " '3.weight': torch.tensor([[0.3, -0.3, 0.6]]) * 2, '3.bias': torch.tensor([0.05])})"),
    comment("(the PyTorch mirror folds `double` into the last weight)"),
    code("let pts = tensor([[0, 1], [2, -1], [0.5, 0.5]])", "pts = torch.tensor([[0., 1], [2, -1], [0.5, 0.5]])"),
    ("print(net(pts))", "net(pts)"),
    ("print(net[0](pts).shape, net[-1].weight.shape)", "[3, 3]", "[1, 3]"),
    ("print(net)", "'Sequential(\\n  (0): Linear(in_features=2, out_features=3, bias=true)\\n  (1): SiLU()\\n"
     "  (2): Function(double)\\n  (3): Linear(in_features=3, out_features=1, bias=true)\\n)'"),
    comment("a dscript function that is not a model can still be composed and trained through"),
    code("let lin = linear(2, 1)"),
    code("let model = sequential([lin, fn(h) => h.tanh()])"),
    code("model(pts).sum().backward()"),
    literal("print(lin.weight.grad.shape)", "[1, 2]"),
    literal("print(net.train() == net, net.training, net.eval().training)", "true true false"),
])


TIMESTEP = Golden("nn/timestep_embedding.dscript", "Sinusoidal timestep embeddings",
                  "diffusers.models.embeddings.get_timestep_embedding", [
    code("", "from diffusers.models.embeddings import get_timestep_embedding as gte"),
    code("let t = tensor([0, 1, 250, 999])", "t = torch.tensor([0., 1, 250, 999])"),
    ("print(timestep_embedding(t, 8))", "gte(t, 8)"),
    ("print(timestep_embedding(t, 8, flip_sin_to_cos: true, freq_shift: 0))", "gte(t, 8, flip_sin_to_cos=True, downscale_freq_shift=0)"),
    ("print(timestep_embedding(7, 5))", "gte(torch.tensor([7.]), 5)"),
    ("print(timestep_embedding(t, 64).shape)", "[4, 64]"),
    comment("Arguments beyond ±8192 take the libm path (diffusers: get_timestep_embedding(torch.tensor([100000., -20000.]), 4))."),
    ("print(timestep_embedding(tensor([100000, -20000]), 4))", "gte(torch.tensor([100000., -20000.]), 4)"),
])


OPTIMIZERS = Golden("nn/optimizers.dscript", "Optimizer steps against torch.optim",
                    "torch.optim.SGD, Adam, AdamW; clip_grad_norm_; diffusers schedules", [
    code("", "def run(make, steps=3):\n"
              "    w = torch.tensor([1., -2, 0.5], requires_grad=True)\n"
              "    opt = make([w])\n"
              "    for _ in range(steps):\n"
              "        opt.zero_grad()\n"
              "        ((w - 0.3) ** 2 * torch.tensor([1., 2, 3])).sum().backward()\n"
              "        opt.step()\n"
              "    return w.detach()"),
    code("fn run(make) {\n    let w = param(tensor([1, -2, 0.5]))\n    let opt = make([w])\n    for i in 0..<3 {\n"
         "        opt.zero_grad()\n        (((w - 0.3) ** 2) * tensor([1, 2, 3])).sum().backward()\n        opt.step()\n    }\n"
         "    return w.detach()\n}"),
    ("print(run(fn(p) => sgd(p, lr: 0.1)))", "run(lambda p: torch.optim.SGD(p, lr=0.1))"),
    ("print(run(fn(p) => sgd(p, lr: 0.1, momentum: 0.9)))", "run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))"),
    ("print(run(fn(p) => sgd(p, lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01)))",
     "run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01))"),
    ("print(run(fn(p) => adam(p, lr: 0.1)))", "run(lambda p: torch.optim.Adam(p, lr=0.1))"),
    ("print(run(fn(p) => adam(p, lr: 0.05, betas: [0.8, 0.9], eps: 1e-6, weight_decay: 0.1)))",
     "run(lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1))"),
    ("print(run(fn(p) => adamw(p, lr: 0.1)))", "run(lambda p: torch.optim.AdamW(p, lr=0.1))"),
    code("let w = param(tensor([3, 4]))"),
    code("let opt = sgd([w], lr: 0.5)"),
    literal("print(opt.lr)", "0.5"),
    code("opt.lr = 0.001"),
    literal("print(opt.lr)", "0.001"),
    code("w.sum().backward()"),
    code("(w * w).sum().backward()", "w = torch.tensor([3., 4], requires_grad=True); w.sum().backward(); (w * w).sum().backward()"),
    ("print(clip_grad_norm([w], 1))", "f32(torch.nn.utils.clip_grad_norm_([w], 1))"),
    ("print(w.grad)", "w.grad"),
    comment("EMA: shadow -= (1 - decay) * (shadow - param)"),
    code("let lin = linear(1, 1)"),
    code("load_state(lin, {weight: tensor([[1]]), bias: tensor([0])})"),
    code("let avg = ema(lin, decay: 0.5)"),
    code("load_state(lin, {weight: tensor([[3]]), bias: tensor([2])})"),
    code("avg.update()"),
    literal("print(avg.state_dict()[\"weight\"], avg.updates)", "tensor([[2.]], shape=[1, 1]) 1"),
    code("avg.copy_to(lin)"),
    literal("print(lin.bias)", "tensor([1.], requires_grad=true)"),
    comment("cosine schedule with warm-up, as diffusers.optimization.get_cosine_schedule_with_warmup"),
    code("", "from diffusers.optimization import get_cosine_schedule_with_warmup as cosine\n"
              "ow = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
              "sched = cosine(ow, 2, 10)\n"
              "lrs = []\n"
              "for _ in range(6):\n"
              "    lrs.append(f32(ow.param_groups[0]['lr']))\n"
              "    ow.step(); sched.step()"),
    code("let o2 = sgd([param(zeros([1]))], lr: 0.1)"),
    code("let sched = lr_schedule(o2, \"cosine\", warmup: 2, total: 10)"),
    code("let lrs = []"),
    code("for i in 0..<6 { push(lrs, o2.lr); sched.step() }"),
    comment("(float32 learning rates: compared to 6 decimals)"),
    ("for v in lrs { print(\"{v:.6f}\") }", "'\\n'.join(f'{v:.6f}' for v in lrs)"),
])


TRAINING = Golden("nn/training.dscript", "A small denoiser-style training loop converges",
                  "behavioural check, no reference numbers", [
    code("seed(0)"),
    code("let net = sequential([linear(2, 32), silu, linear(32, 32), silu, linear(32, 2)])"),
    code("let opt = adam(net.params(), lr: 0.01)"),
    code("let data = randn([256, 2]) * tensor([1, 0.2]) + tensor([0.5, -1])"),
    code("let first = nil"),
    code("let last = nil"),
    code("for step in 0..<200 {\n    let idx = randint(0, 256, [64])\n    let x = data[idx]\n"
         "    let noise = randn_like(x)\n    let loss = mse(net(x + 0.1 * noise), x)\n    opt.zero_grad()\n    loss.backward()\n"
         "    clip_grad_norm(net.params(), 1.0)\n    opt.step()\n    if step == 0 { first = loss.item() }\n    last = loss.item()\n}"),
    literal("print(last < first / 10)", "true"),
    literal("print(opt.steps)", "200"),
])


NN_ERRORS = error_goldens("nn", "error messages", [
    ("load_state", "let lin = linear(2, 3)\nload_state(lin, {weight: zeros([3, 3]), extra: zeros([1])})", 1,
     "missing keys: bias; unexpected keys: extra; shape mismatch: weight: expected [3, 2], got [3, 3]"),
    ("linear_input", "let lin = linear(2, 3)\nlin(zeros([4, 5]))", 1, "[4, 5]"),
    ("sequential_item", "sequential([linear(2, 2), 3])", 1, "bad argument #1 to 'sequential' (element 1 is a number, not a layer or function)"),
    ("optimizer_params", "sgd([1, \"a\"], lr: 0.1)", 1, "bad argument #1 to 'sgd' (list of tensors expected, element 1 is a string)"),
])


ALL = [AUTOGRAD_BASICS, AUTOGRAD_MODES, *AUTOGRAD_ERRORS, LAYERS, SEQUENTIAL, TIMESTEP, OPTIMIZERS, TRAINING, *NN_ERRORS]
