#!/usr/bin/env python3
# Generates the PyTorch golden fixtures for Tests/EngineTests.
# Command: /work/venv-ref/bin/python scripts/make-engine-goldens.py
# Writes Tests/Fixtures/engine/*.json: each has a "command" field and tensors as {"shape", "data"}.
import json, math, os, sys
import torch
import torch.nn.functional as F

COMMAND = "/work/venv-ref/bin/python scripts/make-engine-goldens.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "engine")
torch.set_default_dtype(torch.float32)


def t(x):
    x = x.detach().to(torch.float32).contiguous()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def write(name, cases):
    os.makedirs(OUT, exist_ok=True)
    doc = {"command": COMMAND, "torch": torch.__version__, "cases": cases}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=0, separators=(",", ":"))


def leaf(*shape):
    return torch.randn(*shape).requires_grad_(True)


def mlp():
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.SiLU(), torch.nn.Linear(16, 16),
                                torch.nn.SiLU(), torch.nn.Linear(16, 2))
    x, target = torch.randn(8, 3), torch.randn(8, 2)
    out = model(x)
    loss = F.mse_loss(out, target)
    loss.backward()
    case = {"x": t(x), "target": t(target), "out": t(out), "loss": t(loss)}
    case["state"] = {k: t(v) for k, v in model.state_dict().items()}
    case["grads"] = {k: t(p.grad) for k, p in model.named_parameters()}
    write("mlp", {"mlp": case})


def conv():
    torch.manual_seed(2)
    cases = {}
    variants = [("k3s1p1", 3, 4, 3, 1, 1, 1, 1), ("k3s2p1", 3, 4, 3, 2, 1, 1, 1), ("k1", 4, 6, 1, 1, 0, 1, 1),
                ("k3d2p2", 2, 3, 3, 1, 2, 2, 1), ("g2", 4, 6, 3, 1, 1, 1, 2), ("k2s2p0", 3, 2, 2, 2, 0, 1, 1)]
    for name, cin, cout, k, s, p, d, g in variants:
        x, w, b = leaf(2, cin, 7, 6), leaf(cout, cin // g, k, k), leaf(cout)
        y = F.conv2d(x, w, b, stride=s, padding=p, dilation=d, groups=g)
        gy = torch.randn_like(y)
        y.backward(gy)
        cases[name] = {"stride": s, "padding": p, "dilation": d, "groups": g, "x": t(x), "w": t(w), "b": t(b),
                       "y": t(y), "gy": t(gy), "gx": t(x.grad), "gw": t(w.grad), "gb": t(b.grad)}
    write("conv2d", cases)


def norms():
    torch.manual_seed(3)
    x, w, b = leaf(2, 6, 3, 4), leaf(6), leaf(6)
    y = F.group_norm(x, 3, w, b, eps=1e-5)
    gy = torch.randn_like(y)
    y.backward(gy)
    gn = {"groups": 3, "x": t(x), "w": t(w), "b": t(b), "y": t(y), "gy": t(gy),
          "gx": t(x.grad), "gw": t(w.grad), "gb": t(b.grad)}
    x, w, b = leaf(4, 3, 5), leaf(5), leaf(5)
    y = F.layer_norm(x, [5], w, b, eps=1e-5)
    gy = torch.randn_like(y)
    y.backward(gy)
    ln = {"x": t(x), "w": t(w), "b": t(b), "y": t(y), "gy": t(gy), "gx": t(x.grad), "gw": t(w.grad), "gb": t(b.grad)}
    write("norms", {"group_norm": gn, "layer_norm": ln})


def softmax():
    torch.manual_seed(4)
    cases = {}
    for name, fn, axis in [("softmax_last", F.softmax, -1), ("softmax_0", F.softmax, 0),
                           ("log_softmax_last", F.log_softmax, -1), ("log_softmax_1", F.log_softmax, 1)]:
        x = (torch.randn(3, 4, 5) * 3).requires_grad_(True)
        y = fn(x, dim=axis)
        gy = torch.randn_like(y)
        y.backward(gy)
        cases[name] = {"axis": axis, "x": t(x), "y": t(y), "gy": t(gy), "gx": t(x.grad)}
    write("softmax", cases)


def attention():
    torch.manual_seed(5)
    q, k, v = leaf(2, 2, 4, 8), leaf(2, 2, 5, 8), leaf(2, 2, 5, 3)
    y = F.scaled_dot_product_attention(q, k, v)
    gy = torch.randn_like(y)
    y.backward(gy)
    write("attention", {"sdpa": {"q": t(q), "k": t(k), "v": t(v), "y": t(y), "gy": t(gy),
                                 "gq": t(q.grad), "gk": t(k.grad), "gv": t(v.grad)}})


def activations():
    torch.manual_seed(6)
    cases = {}
    for name, fn in [("gelu", lambda x: F.gelu(x)), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
                     ("silu", F.silu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)]:
        x = (torch.randn(40) * 3).requires_grad_(True)
        y = fn(x)
        gy = torch.randn_like(y)
        y.backward(gy)
        cases[name] = {"x": t(x), "y": t(y), "gy": t(gy), "gx": t(x.grad)}
    x = leaf(2, 3, 4, 5)
    y = F.interpolate(x, scale_factor=2, mode="nearest")
    gy = torch.randn_like(y)
    y.backward(gy)
    cases["upsample2"] = {"x": t(x), "y": t(y), "gy": t(gy), "gx": t(x.grad)}
    x = leaf(2, 3, 4, 6)
    y = F.avg_pool2d(x, 2)
    gy = torch.randn_like(y)
    y.backward(gy)
    cases["avgpool2"] = {"x": t(x), "y": t(y), "gy": t(gy), "gx": t(x.grad)}
    x = leaf(4, 6)
    cases["var_std"] = {"x": t(x), "var0": t(x.var(0)), "std1": t(x.std(1)), "var_biased": t(x.var(unbiased=False)),
                        "cumsum1": t(x.cumsum(1)), "cumprod0": t(x.cumprod(0))}
    write("activations", cases)


def optimizers():
    torch.manual_seed(7)
    p0 = torch.randn(6)
    grads = [torch.randn(6) for _ in range(10)]
    configs = {
        "adam": lambda p: torch.optim.Adam([p], lr=0.01),
        "adam_wd": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.05),
        "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1),
        "sgd_nesterov": lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "sgd_plain": lambda p: torch.optim.SGD([p], lr=0.1),
    }
    cases = {}
    for name, make in configs.items():
        p = p0.clone().requires_grad_(True)
        opt = make(p)
        traj = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            traj.append(t(p))
        cases[name] = {"p0": t(p0), "grads": [t(g) for g in grads], "params": traj}
    a, b = torch.randn(3, 4, requires_grad=True), torch.randn(5, requires_grad=True)
    torch.manual_seed(8)
    ga, gb = torch.randn(3, 4) * 2, torch.randn(5) * 2
    a.grad, b.grad = ga.clone(), gb.clone()
    norm = torch.nn.utils.clip_grad_norm_([a, b], 1.5)
    cases["clip"] = {"ga": t(ga), "gb": t(gb), "max": 1.5, "norm": float(norm),
                     "a_after": t(a.grad), "b_after": t(b.grad)}
    write("optimizers", cases)


def timestep():
    from diffusers.models.embeddings import get_timestep_embedding
    ts = torch.tensor([0, 1, 17, 500, 999])
    cases = {}
    for name, dim, flip, shift in [("default32", 32, False, 1), ("unet32", 32, True, 0), ("odd7", 7, True, 0)]:
        e = get_timestep_embedding(ts, dim, flip_sin_to_cos=flip, downscale_freq_shift=shift)
        cases[name] = {"t": t(ts.float()), "dim": dim, "flip": flip, "shift": shift, "emb": t(e)}
    write("timestep", cases)


if __name__ == "__main__":
    for f in [mlp, conv, norms, softmax, attention, activations, optimizers, timestep]:
        f()
    print("wrote fixtures to", os.path.normpath(OUT))
