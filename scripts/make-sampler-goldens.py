#!/usr/bin/env python3
"""Golden runs of the samplers behind `sample()`, made by diffusers' own schedulers in float64,
written to Tests/Fixtures/diffusion/sampler_runs.json (and the σ grids alone, for many step counts,
to sampler_grids.json), and pytorch-fid's Fréchet distance on seeded features to frechet.json.

Run from the repository root:
    /work/venv-ref/bin/python scripts/make-sampler-goldens.py

diffusers rounds its σ tables and samples to float32 in several places (`astype(np.float32)`,
`sample.to(torch.float32)`). To get float64 references from diffusers' own code, each scheduler
module's source is loaded with every `torch.float32` / `np.float32` replaced by float64 and executed as
a fresh module; the default torch dtype is float64 and the betas are passed as float64
`trained_betas` (the same formulas as dscript's float64 schedule). Nothing else is changed.

Each run drives the scheduler the way diffusers' pipelines do (x = noise·init_noise_sigma, then
scale_model_input → model → step for every timestep) with a closed-form model of (x_t, t, label)
and records the timestep and the input of every model call and the final sample. Stochastic
samplers take their noise from the fixture's list (randn_tensor is replaced), in draw order:
first x_T, then one tensor per step.
"""
import importlib
import inspect
import json
import math
import os

import numpy as np
import torch
import diffusers

torch.set_default_dtype(torch.float64)

COMMAND = "/work/venv-ref/bin/python scripts/make-sampler-goldens.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "diffusion")
VERSIONS = {"diffusers": diffusers.__version__, "torch": torch.__version__.split("+")[0], "numpy": np.__version__}
T = 1000
NULL = 3  # the null label of the toy model


class Noise:
    """Hands out the run's noise tensors in order (replaces diffusers' randn_tensor)."""
    def __init__(self, tensors):
        self.tensors, self.next = tensors, 0

    def __call__(self, shape, generator=None, device=None, dtype=None, **kw):
        assert tuple(shape) == tuple(self.tensors[0].shape), (shape, self.tensors[0].shape)
        z = self.tensors[self.next]
        self.next += 1
        return z.clone()


def float64_module(name):
    """diffusers.schedulers.<name> with its float32 dtypes replaced by float64."""
    original = importlib.import_module(f"diffusers.schedulers.{name}")
    source = inspect.getsource(original).replace("torch.float32", "torch.float64").replace("np.float32", "np.float64")
    namespace = {"__name__": f"diffusers.schedulers._f64_{name}", "__package__": "diffusers.schedulers"}
    exec(compile(source, original.__file__, "exec"), namespace)
    return namespace


MODULES = {
    "euler": ("scheduling_euler_discrete", "EulerDiscreteScheduler"),
    "euler_a": ("scheduling_euler_ancestral_discrete", "EulerAncestralDiscreteScheduler"),
    "heun": ("scheduling_heun_discrete", "HeunDiscreteScheduler"),
    "dpmpp_2m": ("scheduling_dpmsolver_multistep", "DPMSolverMultistepScheduler"),
    "dpmpp_2m_sde": ("scheduling_dpmsolver_multistep", "DPMSolverMultistepScheduler"),
    "unipc": ("scheduling_unipc_multistep", "UniPCMultistepScheduler"),
    "ddim": ("scheduling_ddim", "DDIMScheduler"),
    "ddpm": ("scheduling_ddpm", "DDPMScheduler"),
}
NAMESPACES = {}


def scheduler_class(sampler):
    module, cls = MODULES[sampler]
    if module not in NAMESPACES:
        NAMESPACES[module] = float64_module(module)
    return NAMESPACES[module], NAMESPACES[module][cls]


def betas64(kind, bs=1e-4, be=0.02):
    if kind == "linear":
        return np.linspace(bs, be, T, dtype=np.float64)
    if kind == "scaled_linear":
        return np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=np.float64) ** 2
    if kind == "cosine":
        f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        return np.array([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)], dtype=np.float64)
    raise ValueError(kind)


def toy_model(x, t, labels):
    """out(x, t, y) = 0.5·tanh(x) + 0.1·t/T + 0.2·(y − 1)·cos(x) (y = NULL without labels).

    Like every dscript model it takes and returns float32 tensors: x is rounded to float32 on the way
    in and the output on the way out, so both sides evaluate the same function and the comparison
    measures the samplers' float64 arithmetic alone.
    """
    x = x.float().double()
    y = torch.full((x.shape[0],), float(NULL)) if labels is None else torch.tensor(labels, dtype=torch.float64)
    y = y.reshape([-1] + [1] * (x.dim() - 1))
    return (0.5 * torch.tanh(x) + 0.1 * (t / T) + 0.2 * (y - 1) * torch.cos(x)).float().double()


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def run(case, gen):
    sampler = case["sampler"]
    ns, cls = scheduler_class(sampler)
    pred = {"eps": "epsilon", "x0": "sample", "v": "v_prediction"}[case["prediction"]]
    kw = dict(num_train_timesteps=T, trained_betas=case["betas"], prediction_type=pred,
              timestep_spacing=case["spacing"], steps_offset=case["steps_offset"])
    if sampler in ("euler", "heun", "dpmpp_2m", "dpmpp_2m_sde", "unipc"):
        kw["use_karras_sigmas"] = case["karras"]
    if sampler == "dpmpp_2m_sde":
        kw["algorithm_type"] = "sde-dpmsolver++"
    if sampler in ("ddim", "ddpm", "heun"):
        kw["clip_sample"] = case["clip"]
    if case["threshold"]:
        kw.update(thresholding=True, dynamic_thresholding_ratio=0.9, sample_max_value=4.0)
    if case["rescale"] and sampler != "heun":
        kw["rescale_betas_zero_snr"] = True
    s = cls(**kw)
    if case["rescale"] and sampler == "heun":
        # HeunDiscreteScheduler has no rescale_betas_zero_snr: rescale as the others do, with the same
        # 2^-24 in place of the zero terminal alpha_bar.
        ab = torch.cumprod(1 - scheduler_class("euler")[0]["rescale_zero_terminal_snr"](torch.tensor(case["betas"])), 0)
        ab[-1] = 2 ** -24
        s.alphas_cumprod = ab
    s.set_timesteps(case["steps"])
    if sampler == "euler_a" and case["karras"]:
        # EulerAncestralDiscreteScheduler has no use_karras_sigmas: give it EulerDiscrete's Karras grid.
        _, euler = scheduler_class("euler")
        e = euler(**{**kw, "use_karras_sigmas": True})
        e.set_timesteps(case["steps"])
        s.sigmas, s.timesteps = e.sigmas.clone(), e.timesteps.clone()
    shape = tuple(case["shape"])
    draws = 1 + (len(s.timesteps) if sampler in ("euler_a", "dpmpp_2m_sde") or
                 (sampler == "ddim" and case["eta"] > 0) else 0)
    if sampler == "ddpm":
        draws = 1 + sum(1 for t in s.timesteps if int(t) > 0)
    noises = [torch.randn(shape, generator=gen, dtype=torch.float32).double() for _ in range(draws)]
    patch = Noise(noises[1:])
    ns["randn_tensor"] = patch
    x = noises[0] * s.init_noise_sigma
    calls, inputs = [], []
    labels, w = case["labels"], case["guidance"]
    for t in s.timesteps:
        inp = s.scale_model_input(x, t)
        tt = float(t)
        calls.append(tt)
        inputs.append(floats(inp))
        if labels is not None and w is not None:
            cond, uncond = toy_model(inp, tt, labels), toy_model(inp, tt, [NULL] * shape[0])
            out = uncond + w * (cond - uncond)
        else:
            out = toy_model(inp, tt, labels)
        extra = {"eta": case["eta"]} if sampler == "ddim" else {}
        if sampler == "ddim" and case["eta"] > 0:
            extra["variance_noise"] = patch(shape)
        x = s.step(out, t, x, **extra).prev_sample
    assert patch.next == len(noises) - 1, (sampler, patch.next, len(noises))
    assert x.dtype == torch.float64 and s.alphas_cumprod.dtype == torch.float64, sampler
    assert getattr(s, "sigmas", torch.zeros(1)).dtype == torch.float64, sampler
    entry = {k: v for k, v in case.items() if k != "betas"}
    entry.update(noises=[floats(z) for z in noises], calls=calls, inputs=inputs, sample=floats(x))
    return entry


def cases():
    base = dict(schedule="linear", steps=7, spacing="linspace", karras=False, prediction="eps", clip=False,
                threshold=False, rescale=False, steps_offset=0, labels=None, guidance=None, eta=0.0,
                shape=[2, 1, 2, 2])
    out = []
    for sampler in ("euler", "euler_a", "heun", "dpmpp_2m", "dpmpp_2m_sde", "unipc"):
        for spacing in ("leading", "trailing", "linspace"):
            for karras in (False, True):
                out.append({**base, "sampler": sampler, "spacing": spacing, "karras": karras})
        for prediction in ("v", "x0"):
            if not (sampler == "euler_a" and prediction == "x0"):
                out.append({**base, "sampler": sampler, "prediction": prediction})
        out.append({**base, "sampler": sampler, "schedule": "scaled_linear", "karras": True, "steps": 12})
        out.append({**base, "sampler": sampler, "schedule": "cosine", "karras": True, "steps": 5})
        out.append({**base, "sampler": sampler, "rescale": True, "spacing": "trailing", "prediction": "v"})
        out.append({**base, "sampler": sampler, "spacing": "leading", "steps_offset": 1, "steps": 1})
        out.append({**base, "sampler": sampler, "steps": 2, "labels": [0, 2], "guidance": 3.0})
    for sampler in ("dpmpp_2m", "unipc"):
        out.append({**base, "sampler": sampler, "threshold": True, "prediction": "v", "steps": 10})
    out.append({**base, "sampler": "heun", "clip": True, "prediction": "x0"})
    out.append({**base, "sampler": "euler", "labels": [1, 0]})
    out.append({**base, "sampler": "ddim", "spacing": "leading", "steps": 10, "eta": 0.5, "labels": [2, 0],
                "guidance": 2.5})
    out.append({**base, "sampler": "ddpm", "spacing": "leading", "steps": 10, "labels": [1, 1], "guidance": 4.0})
    return out


def grid_entries():
    """timesteps and σs after set_timesteps for many step counts (float64 schedulers)."""
    out = []
    for sampler in ("euler", "dpmpp_2m", "unipc"):
        _, cls = scheduler_class(sampler)
        for schedule in ("linear", "cosine"):
            for spacing in ("leading", "trailing", "linspace"):
                for karras in (False, True):
                    for n in (1, 4, 10, 25, 50):
                        s = cls(num_train_timesteps=T, trained_betas=betas64(schedule), timestep_spacing=spacing,
                                use_karras_sigmas=karras)
                        s.set_timesteps(n)
                        out.append({"sampler": sampler, "schedule": schedule, "spacing": spacing, "karras": karras,
                                    "steps": n, "timesteps": floats(s.timesteps.double()), "sigmas": floats(s.sigmas)})
    return out


def frechet_entries():
    """pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm) on seeded float32 features."""
    import scipy.linalg

    def fid(a, b):
        mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
        s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
        covmean = scipy.linalg.sqrtm(s1.dot(s2))
        if not np.isfinite(covmean).all():
            offset = np.eye(s1.shape[0]) * 1e-6
            covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
        covmean = covmean.real
        diff = mu1 - mu2
        return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))

    rng = np.random.default_rng(7)
    out = []
    for n, m, d, shift, scale in ((50, 60, 3, 0.5, 1.0), (100, 80, 16, 0.1, 1.3), (200, 200, 8, 0.0, 1.0),
                                  (30, 40, 12, 1.0, 0.7)):
        mix = rng.standard_normal((d, d)) / np.sqrt(d)
        a = (rng.standard_normal((n, d)) @ mix).astype(np.float32)
        b = ((rng.standard_normal((m, d)) * scale + shift) @ mix).astype(np.float32)
        short = lambda x: [float(str(v)) for v in x.reshape(-1)]  # shortest text that reads back to the float32
        out.append({"a": short(a), "b": short(b), "n": n, "m": m, "d": d,
                    "fid": fid(a.astype(np.float64), b.astype(np.float64)),
                    "self": fid(a.astype(np.float64), a.astype(np.float64))})
    return out


def main():
    gen = torch.Generator().manual_seed(1234)
    entries = []
    for case in cases():
        betas = betas64(case["schedule"])
        entries.append(run({**case, "betas": betas}, gen))
    write("sampler_runs.json", {
        "command": COMMAND, "versions": VERSIONS, "null_label": NULL,
        "what": "whole runs of diffusers' schedulers in float64 with model out = 0.5·tanh(x) + 0.1·t/T "
                "+ 0.2·(y − 1)·cos(x) (float32 in and out); calls = model timesteps, inputs = model inputs, sample = final x",
        "entries": entries})
    write("sampler_grids.json", {
        "command": COMMAND, "versions": VERSIONS,
        "what": "timesteps and sigmas of diffusers' Euler / DPMSolverMultistep / UniPC set_timesteps in float64",
        "entries": grid_entries()})
    write("frechet.json", {
        "command": COMMAND, "versions": {**VERSIONS, "scipy": __import__("scipy").__version__},
        "what": "pytorch-fid's calculate_frechet_distance on float32 features a [n, d], b [m, d]",
        "entries": frechet_entries()})


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes,", len(obj["entries"]), "entries")


if __name__ == "__main__":
    main()
