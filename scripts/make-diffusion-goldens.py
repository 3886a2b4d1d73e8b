#!/usr/bin/env python3
"""Golden values for DSDiffusion, computed with diffusers (float32, as shipped) and with the same
formulas in float64 (numpy / torch float64), written to Tests/Fixtures/diffusion/*.json.

Run from the repository root:
    /work/venv-ref/bin/python scripts/make-diffusion-goldens.py

dscript computes schedules in float64, so its tests compare tightly against the float64 values
("*64") and loosely against diffusers' float32 values ("*32"). The float64 step values are produced
by diffusers' own `step()` code after replacing the scheduler's float32 `alphas_cumprod` by the
float64 one and feeding float64 tensors, so they check the formulas, not a transcription.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import diffusers
from diffusers import DDIMScheduler, DDPMScheduler
from diffusers.schedulers import scheduling_ddpm
from diffusers.training_utils import compute_snr

COMMAND = "/work/venv-ref/bin/python scripts/make-diffusion-goldens.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "diffusion")
VERSIONS = {"diffusers": diffusers.__version__, "torch": torch.__version__.split("+")[0], "numpy": np.__version__}


def header(what):
    return {"command": COMMAND, "versions": VERSIONS, "what": what}


def write(name, obj, folder=OUT):
    """Writes `obj` as compact JSON to folder/name (make-pipeline-goldens.py writes its JSON with it too)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")


def floats(t):
    """A tensor or array as a flat list of Python floats (exact repr of its float32/64 values)."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().double().numpy()
    return [float(v) for v in np.asarray(t, dtype=np.float64).reshape(-1)]


def f32(shape, gen, scale=1.0):
    """Random float32 values; stored as float64 they are exact, so Swift reads the same float32s."""
    return (torch.randn(shape, generator=gen, dtype=torch.float32) * scale)


# --------------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------------

def betas64(kind, T, bs, be):
    """The float64 reference: diffusers' formulas evaluated in numpy float64."""
    if kind == "linear":
        return np.linspace(bs, be, T, dtype=np.float64)
    if kind == "scaled_linear":
        return np.linspace(bs ** 0.5, be ** 0.5, T, dtype=np.float64) ** 2
    if kind == "squaredcos_cap_v2":
        f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        return np.array([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)], dtype=np.float64)
    if kind == "sigmoid":
        x = np.linspace(-6, 6, T, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-x)) * (be - bs) + bs
    raise ValueError(kind)


def rescale64(betas):
    ab = np.cumprod(1.0 - betas)
    s = np.sqrt(ab)
    s0, sT = s[0], s[-1]
    s = (s - sT) * (s0 / (s0 - sT))
    ab = s ** 2
    alphas = np.concatenate([ab[:1], ab[1:] / ab[:-1]])
    return 1.0 - alphas


def schedule_entries():
    out = []
    kinds = [("linear", 1e-4, 0.02), ("scaled_linear", 0.00085, 0.012),
             ("squaredcos_cap_v2", 1e-4, 0.02), ("sigmoid", 1e-4, 0.02)]
    for kind, bs, be in kinds:
        for T in (1000, 10):
            for rescale in ((False, True) if kind == "linear" else (False,)):
                s = DDPMScheduler(num_train_timesteps=T, beta_start=bs, beta_end=be, beta_schedule=kind,
                                  rescale_betas_zero_snr=rescale)
                b64 = betas64(kind, T, bs, be)
                if rescale:
                    b64 = rescale64(b64)
                ab64 = np.cumprod(1.0 - b64)
                idx = list(range(T)) if T <= 10 else [0, 1, 2, 3, 10, 100, 250, 499, 500, 750, 900, 997, 998, 999]
                var_t = sorted(set([0, 1, 2, T // 2, T - 1]))
                abprev = np.concatenate([[1.0], ab64[:-1]])
                pv64 = (1 - abprev) / (1 - ab64) * b64
                out.append({
                    "kind": kind, "T": T, "beta_start": bs, "beta_end": be, "rescale_zero_snr": rescale,
                    "index": idx,
                    "betas32": [float(s.betas[i]) for i in idx],
                    "alphas_cumprod32": [float(s.alphas_cumprod[i]) for i in idx],
                    "betas64": [float(b64[i]) for i in idx],
                    "alphas_cumprod64": [float(ab64[i]) for i in idx],
                    "variance_t": var_t,
                    "fixed_small32": [float(s._get_variance(t, variance_type="fixed_small")) for t in var_t],
                    "fixed_large32": [float(s._get_variance(t, variance_type="fixed_large")) for t in var_t],
                    "posterior_variance64": [float(pv64[t]) for t in var_t],
                })
    return out


# --------------------------------------------------------------------------------------------
# DDIM timesteps
# --------------------------------------------------------------------------------------------

def timestep_entries():
    out = []
    cases = [(1000, 10, 0), (1000, 50, 0), (1000, 3, 0), (1000, 7, 0), (1000, 1, 0), (1000, 1000, 0),
             (1000, 61, 0), (10, 3, 0), (10, 4, 0), (10, 10, 0), (50, 29, 0), (1000, 10, 1), (1000, 7, 1)]
    for T, n, off in cases:
        for spacing in ("leading", "trailing", "linspace"):
            if off and spacing != "leading":
                continue
            s = DDIMScheduler(num_train_timesteps=T, timestep_spacing=spacing, steps_offset=off)
            s.set_timesteps(n)
            ts = [int(v) for v in s.timesteps]
            out.append({"T": T, "steps": n, "spacing": spacing, "steps_offset": off, "diffusers": ts,
                        # dscript keeps exactly `steps` entries: numpy's arange sometimes yields one more
                        # (a trailing -1) for `trailing` spacing; dscript drops it (see DDIMTimesteps.swift).
                        "dscript": ts[:n]})
    return out


# --------------------------------------------------------------------------------------------
# DDPM / DDIM steps
# --------------------------------------------------------------------------------------------

PRED = {"epsilon": "eps", "sample": "x0", "v_prediction": "v"}


def to64(s, ab64):
    """Make a diffusers scheduler compute in float64 with the float64 schedule."""
    s.alphas_cumprod = torch.tensor(ab64, dtype=torch.float64)
    s.one = torch.tensor(1.0, dtype=torch.float64)
    if hasattr(s, "final_alpha_cumprod"):
        s.final_alpha_cumprod = torch.tensor(1.0, dtype=torch.float64)


class PatchedNoise:
    """diffusers' DDPM step draws its noise from randn_tensor; hand it our noise instead."""
    def __init__(self):
        self.noise = None
        self.orig = scheduling_ddpm.randn_tensor

    def __call__(self, shape, generator=None, device=None, dtype=None, **kw):
        assert tuple(shape) == tuple(self.noise.shape)
        return self.noise.to(dtype)


def ddpm_entries(gen):
    patch = PatchedNoise()
    scheduling_ddpm.randn_tensor = patch
    out = []
    shape = (2, 1, 2, 2)
    configs = []
    for pred in ("epsilon", "sample", "v_prediction"):
        for var in ("fixed_small", "fixed_large", "learned_range"):
            for clip in (False, True):
                for t in (999, 500, 1, 0):
                    configs.append(dict(kind="linear", T=1000, pred=pred, var=var, clip=clip, t=t, n=None,
                                        spacing="leading", thr=False, rescale=False))
    # strided previous timestep (set_timesteps), incl. linspace where prev is taken from the list
    for pred, var, t, n, spacing in (("epsilon", "fixed_small", 900, 10, "leading"),
                                     ("epsilon", "fixed_large", 900, 10, "leading"),
                                     ("v_prediction", "learned_range", 900, 10, "leading"),
                                     ("epsilon", "fixed_small", 999, 10, "linspace"),
                                     ("epsilon", "fixed_small", 0, 10, "leading")):
        configs.append(dict(kind="linear", T=1000, pred=pred, var=var, clip=False, t=t, n=n, spacing=spacing,
                            thr=False, rescale=False))
    # dynamic thresholding (sample_max_value 4 so that it differs from clipping), cosine, zero-SNR
    for pred in ("epsilon", "v_prediction"):
        configs.append(dict(kind="linear", T=1000, pred=pred, var="fixed_small", clip=False, t=700, n=None,
                            spacing="leading", thr=True, rescale=False))
    configs.append(dict(kind="squaredcos_cap_v2", T=1000, pred="epsilon", var="fixed_small", clip=True, t=300,
                        n=None, spacing="leading", thr=False, rescale=False))
    configs.append(dict(kind="linear", T=1000, pred="v_prediction", var="learned_range", clip=False, t=999,
                        n=None, spacing="leading", thr=False, rescale=True))
    for c in configs:
        kw = dict(num_train_timesteps=c["T"], beta_schedule=c["kind"], prediction_type=c["pred"],
                  variance_type=c["var"], clip_sample=c["clip"], timestep_spacing=c["spacing"],
                  rescale_betas_zero_snr=c["rescale"])
        if c["thr"]:
            kw.update(thresholding=True, dynamic_thresholding_ratio=0.9, sample_max_value=4.0)
        s32 = DDPMScheduler(**kw)
        s64 = DDPMScheduler(**kw)
        b64 = betas64(c["kind"], c["T"], 1e-4, 0.02)
        if c["rescale"]:
            b64 = rescale64(b64)
        to64(s64, np.cumprod(1.0 - b64))
        if c["n"]:
            s32.set_timesteps(c["n"])
            s64.set_timesteps(c["n"])
        x = f32(shape, gen, 1.5)
        out_ch = 2 if c["var"] == "learned_range" else 1
        mo = f32((2, out_ch, 2, 2), gen, 3.0 if c["thr"] else 1.0)
        if c["var"] == "learned_range":
            mo[:, 1] = torch.tanh(mo[:, 1])  # learned range values in [-1, 1]
        noise = f32(shape, gen)
        patch.noise = noise
        r32 = s32.step(mo, c["t"], x, return_dict=False)
        patch.noise = noise.double()
        r64 = s64.step(mo.double(), c["t"], x.double(), return_dict=False)
        prev_t = int(s32.previous_timestep(c["t"]))
        out.append({
            "schedule": c["kind"], "T": c["T"], "rescale_zero_snr": c["rescale"], "prediction": PRED[c["pred"]],
            "variance": c["var"], "clip": c["clip"], "threshold": c["thr"],
            "threshold_ratio": 0.9 if c["thr"] else None, "threshold_max": 4.0 if c["thr"] else None,
            "t": c["t"], "t_prev": prev_t, "shape": list(shape), "model_shape": list(mo.shape),
            "xt": floats(x), "model_output": floats(mo), "noise": floats(noise),
            "x_prev32": floats(r32[0]), "x0_32": floats(r32[1]), "x_prev64": floats(r64[0]), "x0_64": floats(r64[1]),
        })
    scheduling_ddpm.randn_tensor = patch.orig
    return out


def ddim_entries(gen):
    out = []
    shape = (2, 3)
    ab64 = np.cumprod(1.0 - betas64("linear", 1000, 1e-4, 0.02))
    cases = []
    for pred in ("epsilon", "sample", "v_prediction"):
        for eta in (0.0, 0.5, 1.0):
            for clip in (False, True):
                for t, n in ((900, 10), (50, 10), (0, 10), (999, 50)):
                    cases.append((pred, eta, clip, t, n, "leading", False))
    cases.append(("sample", 0.5, True, 600, 10, "leading", True))  # use_clipped_model_output
    # diffusers' known linspace bug: step() uses t - T//n = 899 instead of the list's 888.
    cases.append(("epsilon", 0.0, False, 999, 10, "linspace", False))
    for pred, eta, clip, t, n, spacing, ucmo in cases:
        kw = dict(num_train_timesteps=1000, beta_schedule="linear", prediction_type=pred, clip_sample=clip,
                  timestep_spacing=spacing)
        s32, s64 = DDIMScheduler(**kw), DDIMScheduler(**kw)
        to64(s64, ab64)
        s32.set_timesteps(n)
        s64.set_timesteps(n)
        x = f32(shape, gen, 1.5)
        mo = f32(shape, gen)
        noise = f32(shape, gen)
        r32 = s32.step(mo, t, x, eta=eta, use_clipped_model_output=ucmo, variance_noise=noise, return_dict=False)
        r64 = s64.step(mo.double(), t, x.double(), eta=eta, use_clipped_model_output=ucmo,
                       variance_noise=noise.double(), return_dict=False)
        list_ts = [int(v) for v in s32.timesteps]
        i = list_ts.index(t) if t in list_ts else None
        out.append({
            "prediction": PRED[pred], "eta": eta, "clip": clip, "use_clipped_model_output": ucmo,
            "t": t, "steps": n, "spacing": spacing,
            "t_prev_diffusers": t - 1000 // n,
            "t_prev_list": (list_ts[i + 1] if i is not None and i + 1 < len(list_ts) else -1) if i is not None else None,
            "shape": list(shape), "xt": floats(x), "model_output": floats(mo), "noise": floats(noise),
            "variance64": float(s64._get_variance(t, t - 1000 // n)),
            "x_prev32": floats(r32[0]), "x0_32": floats(r32[1]), "x_prev64": floats(r64[0]), "x0_64": floats(r64[1]),
        })
    return out


# --------------------------------------------------------------------------------------------
# Whole samplers with a closed-form "model": eps(x, t) = 0.5 * tanh(x) + 0.1 * t / T
# --------------------------------------------------------------------------------------------

def toy_model(x, t, T):
    return 0.5 * torch.tanh(x) + 0.1 * (t / T)


def sampler_entries(gen):
    out = []
    # DDPM, T = 20, linear 1e-4 .. 0.2, fixed_small, eps prediction, no clipping
    patch = PatchedNoise()
    scheduling_ddpm.randn_tensor = patch
    T = 20
    kw = dict(num_train_timesteps=T, beta_start=1e-4, beta_end=0.2, beta_schedule="linear", clip_sample=False)
    for var in ("fixed_small", "fixed_large"):
        s64 = DDPMScheduler(variance_type=var, **kw)
        to64(s64, np.cumprod(1.0 - betas64("linear", T, 1e-4, 0.2)))
        shape = (3, 2)
        noises = [f32(shape, gen) for _ in range(T)]  # x_T, then z for t = T-1 .. 1
        x = noises[0].double()
        for k, t in enumerate(range(T - 1, -1, -1)):
            patch.noise = noises[k + 1].double() if t > 0 else None
            x = s64.step(toy_model(x, t, T), t, x, return_dict=False)[0]
        out.append({"sampler": "ddpm", "T": T, "beta_start": 1e-4, "beta_end": 0.2, "variance": var,
                    "prediction": "eps", "shape": list(shape), "noises": [floats(z) for z in noises],
                    "sample64": floats(x)})
    scheduling_ddpm.randn_tensor = patch.orig
    # DDIM, T = 1000 linear, 10 leading steps, eta 0 and 1
    ab64 = np.cumprod(1.0 - betas64("linear", 1000, 1e-4, 0.02))
    for eta in (0.0, 1.0):
        s64 = DDIMScheduler(num_train_timesteps=1000, clip_sample=False)
        to64(s64, ab64)
        s64.set_timesteps(10)
        shape = (3, 2)
        noises = [f32(shape, gen) for _ in range(11 if eta > 0 else 1)]
        x = noises[0].double()
        for k, t in enumerate(s64.timesteps):
            t = int(t)
            vn = noises[k + 1].double() if eta > 0 else None
            x = s64.step(toy_model(x, t, 1000), t, x, eta=eta, variance_noise=vn, return_dict=False)[0]
        out.append({"sampler": "ddim", "T": 1000, "steps": 10, "spacing": "leading", "eta": eta,
                    "prediction": "eps", "shape": list(shape), "noises": [floats(z) for z in noises],
                    "sample64": floats(x)})
    return out


# --------------------------------------------------------------------------------------------
# Forward process, posterior, losses, min-SNR weights
# --------------------------------------------------------------------------------------------

def forward_entries(gen):
    T = 1000
    b64 = betas64("linear", T, 1e-4, 0.02)
    ab = np.cumprod(1.0 - b64)
    abp = np.concatenate([[1.0], ab[:-1]])
    s32 = DDPMScheduler(num_train_timesteps=T)
    s64 = DDPMScheduler(num_train_timesteps=T)
    to64(s64, ab)
    x0, eps = f32((3, 2, 2), gen), f32((3, 2, 2), gen)
    t = torch.tensor([0, 500, 999])
    xt64 = s64.add_noise(x0.double(), eps.double(), t)
    v64 = s64.get_velocity(x0.double(), eps.double(), t)
    c1 = np.sqrt(abp) * b64 / (1 - ab)
    c2 = np.sqrt(1 - b64) * (1 - abp) / (1 - ab)
    pv = (1 - abp) / (1 - ab) * b64
    tt = t.numpy()
    x0d, xtd = x0.double().numpy(), xt64.numpy()
    mean = c1[tt][:, None, None] * x0d + c2[tt][:, None, None] * xtd
    return {
        "T": T, "t": tt.tolist(), "shape": [3, 2, 2], "x0": floats(x0), "eps": floats(eps),
        "xt32": floats(s32.add_noise(x0, eps, t)), "xt64": floats(xt64),
        "v32": floats(s32.get_velocity(x0, eps, t)), "v64": floats(v64),
        "posterior_mean64": floats(mean), "posterior_variance64": [float(pv[i]) for i in tt],
        "posterior_log_variance64": [float(np.log(pv[1] if i == 0 else pv[i])) for i in tt],
    }


def approx_cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def discretized_log_likelihood(x, means, log_scales):
    """improved-diffusion's discretized_gaussian_log_likelihood (the formula of Ho et al.'s code), in torch."""
    centered = x - means
    inv = torch.exp(-log_scales)
    cdf_plus = approx_cdf(inv * (centered + 1.0 / 255.0))
    cdf_min = approx_cdf(inv * (centered - 1.0 / 255.0))
    log_cdf_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_one_minus_cdf_min = torch.log((1.0 - cdf_min).clamp(min=1e-12))
    cdf_delta = cdf_plus - cdf_min
    return torch.where(x < -0.999, log_cdf_plus,
                       torch.where(x > 0.999, log_one_minus_cdf_min, torch.log(cdf_delta.clamp(min=1e-12))))


def loss_entries(gen):
    n = 8
    m1, m2 = f32((n,), gen), f32((n,), gen)
    lv1, lv2 = f32((n,), gen), f32((n,), gen)
    N = torch.distributions.Normal
    d = lambda t: t.double()
    kl = torch.distributions.kl_divergence(N(d(m1), torch.exp(0.5 * d(lv1))), N(d(m2), torch.exp(0.5 * d(lv2))))
    x = f32((n,), gen)
    nll = -N(d(m1), torch.exp(0.5 * d(lv1))).log_prob(d(x))
    # VAE KL per sample, shape [2, 3]
    vm, vlv = f32((2, 3), gen), f32((2, 3), gen)
    vkl = torch.distributions.kl_divergence(N(d(vm), torch.exp(0.5 * d(vlv))), N(0.0, 1.0)).sum(dim=1)
    # discretized NLL: data on the 256-level grid incl. both edges, and means far away (1e-12 clamp)
    xs = torch.tensor([-1.0, -1.0, 1.0, 1.0, 0.0, 3 / 255 * 2 - 1, 0.5, -0.25, 1.0, -1.0], dtype=torch.float32)
    xs = (torch.round((xs + 1) / 2 * 255) / 255 * 2 - 1).float()
    means = torch.tensor([-0.9, 0.5, 0.95, -0.5, 0.01, -0.98, 0.48, 3.0, -4.0, 4.0], dtype=torch.float32)
    logvar = torch.tensor([-4.0, -2.0, -6.0, -1.0, -9.0, -7.0, -8.0, -3.0, -10.0, -10.0], dtype=torch.float32)
    dnll = -discretized_log_likelihood(d(xs), d(means), 0.5 * d(logvar))
    # min-SNR weights (diffusers' compute_snr and the weighting of examples/text_to_image/train_text_to_image.py)
    sch = DDPMScheduler(num_train_timesteps=1000)
    ts = torch.tensor([0, 1, 10, 100, 300, 500, 999])
    snr = compute_snr(sch, ts)
    base = torch.stack([snr, 5.0 * torch.ones_like(snr)], dim=1).min(dim=1)[0]
    weights = {"eps": floats(base / snr), "v": floats(base / (snr + 1)), "x0": floats(base)}
    return {
        "kl_normal": {"mean1": floats(m1), "logvar1": floats(lv1), "mean2": floats(m2), "logvar2": floats(lv2),
                      "kl64": floats(kl)},
        "gaussian_nll": {"x": floats(x), "mean": floats(m1), "logvar": floats(lv1), "nll64": floats(nll),
                         "source": "-torch.distributions.Normal(mean, exp(logvar/2)).log_prob(x), float64"},
        "vae_kl": {"shape": [2, 3], "mean": floats(vm), "logvar": floats(vlv), "kl64": floats(vkl),
                   "source": "kl_divergence(Normal(mean, exp(logvar/2)), Normal(0, 1)).sum(dim=1), float64"},
        "discretized_gaussian_nll": {"x": floats(xs), "mean": floats(means), "logvar": floats(logvar),
                                     "nll64": floats(dnll),
                                     "source": "improved-diffusion discretized_gaussian_log_likelihood "
                                               "(log_scales = logvar/2), transcribed in torch float64"},
        "min_snr": {"T": 1000, "t": ts.tolist(), "gamma": 5.0, "snr32": floats(snr), "weights32": weights,
                    "source": "diffusers.training_utils.compute_snr + train_text_to_image.py weighting"},
    }


def vlb_entries(gen):
    """improved-diffusion's calc_bpd_loop / _vb_terms_bpd for a closed-form model, transcribed in torch
    float64 (no clipping), T = 10 linear 1e-4 .. 0.2, model eps = 0.5*tanh(x) + 0.1*t/T."""
    T = 10
    b = torch.tensor(betas64("linear", T, 1e-4, 0.2), dtype=torch.float64)
    ab = torch.cumprod(1 - b, 0)
    abp = torch.cat([torch.ones(1, dtype=torch.float64), ab[:-1]])
    pv = b * (1 - abp) / (1 - ab)
    log_pv_clipped = torch.log(torch.cat([pv[1:2], pv[1:]]))
    c1, c2 = b * abp.sqrt() / (1 - ab), (1 - abp) * (1 - b).sqrt() / (1 - ab)
    x0 = torch.tensor([[-1.0, 1.0, 0.0, 0.5], [-0.25, 1.0, -1.0, 0.75]], dtype=torch.float64)
    x0 = torch.round((x0 + 1) / 2 * 255) / 255 * 2 - 1
    x0 = x0.float().double()
    out = []
    for var in ("fixed_small", "fixed_large"):
        model_logvar = log_pv_clipped if var == "fixed_small" else torch.log(torch.cat([pv[1:2], b[1:]]))
        noises, terms = [], [None] * T
        for t in range(T - 1, -1, -1):
            z = f32(tuple(x0.shape), gen).double()
            noises.append(floats(z))
            xt = ab[t].sqrt() * x0 + (1 - ab[t]).sqrt() * z
            eps = 0.5 * torch.tanh(xt.float()).double() + 0.1 * t / T
            x0hat = (xt - (1 - ab[t]).sqrt() * eps) / ab[t].sqrt()
            mean = c1[t] * x0hat + c2[t] * xt
            if t == 0:
                nll = -discretized_log_likelihood(x0, mean, 0.5 * model_logvar[t])
                terms[t] = floats(nll.mean(dim=1) / math.log(2.0))
            else:
                true_mean = c1[t] * x0 + c2[t] * xt
                lv1, lv2 = log_pv_clipped[t], model_logvar[t]
                kl = 0.5 * (-1.0 + lv2 - lv1 + torch.exp(lv1 - lv2) + (true_mean - mean) ** 2 * torch.exp(-lv2))
                terms[t] = floats(kl.mean(dim=1) / math.log(2.0))
        m, lv = ab[-1].sqrt() * x0, torch.log(1 - ab[-1])
        prior = 0.5 * (-1.0 - lv + torch.exp(lv) + m ** 2)
        prior = prior.mean(dim=1) / math.log(2.0)
        total = prior + torch.tensor(terms).sum(dim=0)
        out.append({"T": T, "beta_start": 1e-4, "beta_end": 0.2, "variance": var, "shape": list(x0.shape),
                    "x0": floats(x0), "noises": noises, "terms": terms, "prior": floats(prior), "total": floats(total)})
    return out


def main():
    gen = torch.Generator().manual_seed(20240501)
    write("schedules.json", dict(header("betas, alphas_cumprod, _get_variance for the four schedules"),
                                 entries=schedule_entries()))
    write("timesteps.json", dict(header("DDIMScheduler.set_timesteps for each spacing"), entries=timestep_entries()))
    write("ddpm_steps.json", dict(header("DDPMScheduler.step, float32 and float64 schedules"),
                                  entries=ddpm_entries(gen)))
    write("ddim_steps.json", dict(header("DDIMScheduler.step with variance_noise, float32 and float64"),
                                  entries=ddim_entries(gen)))
    write("samplers.json", dict(header("whole DDPM/DDIM loops with model eps = 0.5*tanh(x) + 0.1*t/T, float64"),
                                entries=sampler_entries(gen)))
    write("vlb.json", dict(header("VLB terms in bits/dim (improved-diffusion calc_bpd_loop, transcribed, float64)"),
                           entries=vlb_entries(gen)))
    write("forward.json", dict(header("add_noise, get_velocity, q posterior (float64)"), **forward_entries(gen)))
    write("losses.json", dict(header("KL, NLL, discretized NLL, min-SNR weights"), **loss_entries(gen)))


if __name__ == "__main__":
    sys.exit(main())
