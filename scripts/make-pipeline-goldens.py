#!/usr/bin/env python3
"""Golden files for dscript's Hub support (docs/builtins.md § Models): scheduler configs and whole
pipelines, made by diffusers 0.42.1.

    /work/venv-ref/bin/python scripts/make-pipeline-goldens.py                 # writes Tests/Fixtures/pipelines/
    /work/venv-ref/bin/python scripts/make-pipeline-goldens.py --from-dscript  # io for pipelines/from_dscript/
    /work/venv-ref/bin/python scripts/make-pipeline-goldens.py --scheduler-classes  # ddpm_ddim/, ldm_ddpm/, ddpm_euler/, swapped/

`schedulers.json`: scheduler configs in the form the Hub publishes them (keys and values modelled on
google/ddpm-cifar10-32, google/ddpm-celebahq-256, CompVis/ldm-celebahq-256, Stable Diffusion 1.5 / 2.1
and DeepFloyd IF, plus small ones for trained_betas, sigmoid and laplace). For each: the scheduler class
diffusers builds from it (DDPMScheduler for DDPM configs, else DDIMScheduler.from_config as DDIMPipeline
does), its betas and alphas_cumprod, the timesteps of `steps` sampling steps, and a whole sampling loop
with the closed-form model eps(x, t) = 0.5*tanh(x) + 0.1*t/T (a learned-variance config gets
0.9*tanh(x) as its second half) from a stored x_T with stored per-step noises: "sample32" is diffusers
as shipped (float32 schedule), "sample64" diffusers' own step code on the float64 schedule and float64
tensors (so dscript, which computes schedules in float64, must match it tightly).

Pipeline folders (`ddpm/`, `ddim/`, `ldm/`) are diffusers `save_pretrained` folders of tiny random
models (float16 weights, kept small) with `io.safetensors`: the initial noise `x_T`, the per-step noises
(`noise.K`, in the order the pipeline draws them from its generator), `images` = the
`output_type="np"` result, transposed to [N, C, H, W], of the pipeline diffusers loads from the folder,
and `images64` = the same loop with diffusers' step code on the float64 schedule (see `images64`).
"""
import importlib.util
import json
import math
import os
import sys

import numpy as np
import torch
import diffusers
from diffusers import (DDIMPipeline, DDIMScheduler, DDPMPipeline, DDPMScheduler, DPMSolverMultistepScheduler,
                       EulerDiscreteScheduler, LDMPipeline, UNet2DModel, VQModel)
from diffusers.schedulers import scheduling_ddim, scheduling_ddpm
from safetensors.torch import load_file, save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "pipelines")
COMMAND = "/work/venv-ref/bin/python scripts/make-pipeline-goldens.py"
VERSIONS = {"diffusers": diffusers.__version__, "torch": torch.__version__.split("+")[0]}

_spec = importlib.util.spec_from_file_location(
    "diffusion_goldens", os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-diffusion-goldens.py"))
dg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dg)
_spec = importlib.util.spec_from_file_location(
    "model_goldens", os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-model-goldens.py"))
mg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mg)


# --------------------------------------------------------------------------------------------
# Scheduler configs
# --------------------------------------------------------------------------------------------

def config(cls, **keys):
    return dict({"_class_name": cls, "_diffusers_version": "0.1.1"}, **keys)


SCHEDULERS = [
    # google/ddpm-cifar10-32
    ("ddpm-cifar10", config("DDPMScheduler", beta_end=0.02, beta_schedule="linear", beta_start=0.0001, clip_sample=True,
                            num_train_timesteps=1000, trained_betas=None, variance_type="fixed_large"), "ddpm", 50, 0.0),
    # google/ddpm-celebahq-256 style, sampled with DDIM (DDIMPipeline converts the config)
    ("ddpm-celebahq-as-ddim", config("DDPMScheduler", beta_end=0.02, beta_schedule="linear", beta_start=0.0001,
                                     clip_sample=True, num_train_timesteps=1000, trained_betas=None,
                                     variance_type="fixed_small"), "ddim", 25, 0.0),
    # CompVis/ldm-celebahq-256 (note the obsolete key timestep_values)
    ("ldm-celebahq", config("DDIMScheduler", beta_end=0.0195, beta_schedule="scaled_linear", beta_start=0.0015,
                            clip_sample=False, num_train_timesteps=1000, timestep_values=None, trained_betas=None),
     "ddim", 50, 0.0),
    # Stable Diffusion 1.5's PNDM config, sampled with DDIM (set_alpha_to_one false, steps_offset 1)
    ("sd15-pndm-as-ddim", config("PNDMScheduler", beta_end=0.012, beta_schedule="scaled_linear", beta_start=0.00085,
                                 num_train_timesteps=1000, set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1,
                                 trained_betas=None, clip_sample=False), "ddim", 20, 0.5),
    # Stable Diffusion 2.1 style: v-prediction, trailing spacing, zero terminal SNR
    ("v-trailing-zsnr", config("DDIMScheduler", beta_end=0.012, beta_schedule="scaled_linear", beta_start=0.00085,
                               clip_sample=False, num_train_timesteps=1000, prediction_type="v_prediction",
                               set_alpha_to_one=False, steps_offset=1, timestep_spacing="trailing",
                               rescale_betas_zero_snr=True), "ddim", 10, 0.0),
    # DeepFloyd IF style: cosine, dynamic thresholding, learned_range variance, DDPM in 30 steps
    ("if-threshold-learned", config("DDPMScheduler", beta_schedule="squaredcos_cap_v2", beta_start=0.0001, beta_end=0.02,
                                    clip_sample=True, clip_sample_range=1.5, dynamic_thresholding_ratio=0.95,
                                    num_train_timesteps=1000, prediction_type="epsilon", sample_max_value=1.5,
                                    thresholding=True, variance_type="learned_range", timestep_spacing="linspace"),
     "ddpm", 30, 0.0),
    ("sigmoid-sample-linspace", config("DDPMScheduler", beta_schedule="sigmoid", num_train_timesteps=200,
                                       prediction_type="sample", clip_sample=False, timestep_spacing="linspace",
                                       variance_type="fixed_small_log"), "ddpm", 12, 0.0),
    ("laplace-large", config("DDPMScheduler", beta_schedule="laplace", num_train_timesteps=100, clip_sample=True,
                             clip_sample_range=2.0, steps_offset=1, variance_type="fixed_large"), "ddpm", 10, 0.0),
    ("trained-betas-ddim", config("DDIMScheduler", num_train_timesteps=20, clip_sample=False,
                                  trained_betas=[0.01 + 0.02 * i for i in range(20)]), "ddim", 5, 1.0),
]

SHAPE = (2, 1, 2, 2)


def betas64(c):
    """The float64 betas dscript computes for a config (diffusers' formulas in float64)."""
    T = c.get("num_train_timesteps", 1000)
    if c.get("trained_betas") is not None:
        b = np.array(c["trained_betas"], dtype=np.float64)
    elif c.get("beta_schedule", "linear") == "laplace":
        def f(t):
            lmb = -0.5 * math.copysign(1, 0.5 - t) * math.log(1 - 2 * math.fabs(0.5 - t) + 1e-6)
            snr = math.exp(lmb)
            return math.sqrt(snr / (1 + snr))
        b = np.array([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)], dtype=np.float64)
    else:
        b = dg.betas64(c.get("beta_schedule", "linear"), T, c.get("beta_start", 1e-4), c.get("beta_end", 0.02))
    return dg.rescale64(b) if c.get("rescale_betas_zero_snr") else b


def toy_model(x, t, T, learned):
    eps = 0.5 * torch.tanh(x) + 0.1 * float(t) / T
    return torch.cat([eps, 0.9 * torch.tanh(x)], dim=1) if learned else eps


def run_loop(s, kind, steps, eta, xT, noises, learned):
    s.set_timesteps(steps)
    x, k = xT.clone(), 0
    T = s.config.num_train_timesteps
    for t in s.timesteps:
        out = toy_model(x, int(t), T, learned)
        if kind == "ddpm":
            patch.noise = noises[k] if int(t) > 0 else None
            k += int(t) > 0
            x = s.step(out, t, x).prev_sample
        else:
            z = noises[k] if eta > 0 else None
            k += eta > 0
            x = s.step(out, t, x, eta=eta, variance_noise=z).prev_sample
    assert k == len(noises), (k, len(noises))
    return x


class PatchedNoise:
    """diffusers' DDPM step draws its noise from randn_tensor; hand it the stored noise instead."""
    noise = None

    def __call__(self, shape, generator=None, device=None, dtype=None, **kw):
        assert tuple(shape) == tuple(self.noise.shape)
        return self.noise.to(dtype)


patch = PatchedNoise()


def scheduler_entries():
    original = scheduling_ddpm.randn_tensor
    scheduling_ddpm.randn_tensor = patch
    try:
        return scheduler_loops()
    finally:
        scheduling_ddpm.randn_tensor = original


def scheduler_loops():
    gen = torch.Generator().manual_seed(1234)
    out = []
    for name, c, kind, steps, eta in SCHEDULERS:
        cls = DDPMScheduler if kind == "ddpm" else DDIMScheduler
        s = cls.from_config(c)
        learned = c.get("variance_type") in ("learned", "learned_range") and kind == "ddpm"
        s.set_timesteps(steps)
        timesteps = [int(t) for t in s.timesteps]
        draws = sum(1 for t in timesteps if t > 0) if kind == "ddpm" else (steps if eta > 0 else 0)
        xT = torch.randn(SHAPE, generator=gen)
        noises = [torch.randn(SHAPE, generator=gen) for _ in range(draws)]
        sample32 = run_loop(s, kind, steps, eta, xT, noises, learned)
        s64 = cls.from_config(c)
        b64 = betas64(c)
        ab64 = np.cumprod(1.0 - b64)
        dg.to64(s64, ab64)
        if kind == "ddim" and not s64.config.set_alpha_to_one:
            s64.final_alpha_cumprod = torch.tensor(ab64[0], dtype=torch.float64)
        sample64 = run_loop(s64, kind, steps, eta, xT.double(), [z.double() for z in noises], learned)
        idx = sorted(set([0, 1, len(b64) // 2, len(b64) - 1]))
        out.append({"name": name, "config": c, "sampler": kind, "steps": steps, "eta": eta, "shape": list(SHAPE),
                    "timesteps": timesteps, "index": idx,
                    "betas32": [float(s.betas[i]) for i in idx], "alphas_cumprod32": [float(s.alphas_cumprod[i]) for i in idx],
                    "betas64": [float(b64[i]) for i in idx],
                    "x_T": dg.floats(xT), "noises": [dg.floats(z) for z in noises],
                    "sample32": dg.floats(sample32), "sample64": dg.floats(sample64)})
    return out


def alpha_bar_betas():
    """Betas of the ᾱ-function schedules no DDPM/DDIM config above uses (`exp`, HeunDiscreteScheduler's)."""
    from diffusers.schedulers.scheduling_heun_discrete import betas_for_alpha_bar
    out = []
    for kind, T in (("exp", 1000), ("exp", 10), ("laplace", 1000), ("cosine", 10)):
        b = betas_for_alpha_bar(T, alpha_transform_type=kind)
        idx = sorted(set([0, 1, T // 2, T - 2, T - 1]))
        out.append({"alpha_transform_type": kind, "T": T, "index": idx, "betas32": [float(b[i]) for i in idx]})
    return out


# --------------------------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------------------------

def tiny_unet(seed, in_channels, sample_size):
    torch.manual_seed(seed)
    m = UNet2DModel(sample_size=sample_size, in_channels=in_channels, out_channels=in_channels, block_out_channels=(8, 16),
                    down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
                    layers_per_block=1, norm_num_groups=4, attention_head_dim=8)
    with torch.no_grad():  # float16-exact weights, so that the float16 files hold exactly the weights used
        for p in m.parameters():
            p.copy_(p.half().float())
    return m


def draws(seed, shapes):
    """The tensors a pipeline draws from torch.Generator().manual_seed(seed), in order."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=g) for shape in shapes]


def save_pipeline(pipe, name):
    """Writes the folder (float16 weight files: the weights are float16-exact) and returns the pipeline
    diffusers loads from it, in eval mode as users run it."""
    folder = os.path.join(ROOT, name)
    pipe.save_pretrained(folder)
    for part in ("unet", "vqvae"):
        sub = os.path.join(folder, part, "diffusion_pytorch_model.safetensors")
        if os.path.exists(sub):
            save_file({k: v.half() for k, v in load_file(sub).items()}, sub, metadata={"format": "pt"})
    return type(pipe).from_pretrained(folder)


def save_io(name, io, note):
    folder = os.path.join(ROOT, name)
    save_file({k: v.float().contiguous() for k, v in io.items()}, os.path.join(folder, "io.safetensors"),
              metadata={"command": COMMAND, "note": note})
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"Made by `{COMMAND}`: a diffusers `save_pretrained` pipeline folder of tiny random models "
                f"(float16 weights).\nio.safetensors: {', '.join(sorted(io))}. {note}\n")


def images64(pipe, kind, steps, eta, xT, noises, step=None):
    """The pipeline's loop with its scheduler on the float64 schedule (diffusers' own step code on float64
    tensors; the models run in float32 as they do in dscript): the images dscript must match tightly.
    `step` ("ddpm" or "ddim") is the scheduler whose step the loop runs, by default the kind's own."""
    step = step or ("ddpm" if kind == "ddpm" else "ddim")
    s = DDPMScheduler.from_config(pipe.scheduler.config) if step == "ddpm" else DDIMScheduler.from_config(pipe.scheduler.config)
    ab64 = np.cumprod(1.0 - betas64(dict(s.config)))
    dg.to64(s, ab64)
    if step == "ddim" and not s.config.set_alpha_to_one:
        s.final_alpha_cumprod = torch.tensor(ab64[0], dtype=torch.float64)
    s.set_timesteps(steps)
    x, k = xT.double(), 0
    original = scheduling_ddpm.randn_tensor
    scheduling_ddpm.randn_tensor = patch
    try:
        with torch.no_grad():
            for t in s.timesteps:
                out = pipe.unet(x.float(), t).sample.double()
                if step == "ddpm":
                    patch.noise = noises[k].double() if t > 0 else None
                    k += int(t > 0)
                    x = s.step(out, t, x).prev_sample
                else:
                    z = noises[k].double() if eta > 0 else None
                    k += eta > 0
                    x = s.step(out, t, x, eta=eta, variance_noise=z).prev_sample
            assert k == len(noises)
            if kind == "ldm":
                x = pipe.vqvae.decode((x / pipe.vqvae.config.scaling_factor).float()).sample.double()
    finally:
        scheduling_ddpm.randn_tensor = original
    return (x / 2 + 0.5).clamp(0, 1)


def images_nchw(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2)


def make_pipelines():
    # DDPMPipeline, 50 steps: x_T then one draw per step with t > 0
    unet = tiny_unet(20, 3, 8)
    scheduler = DDPMScheduler(beta_schedule="linear", clip_sample=True, variance_type="fixed_large")
    pipe = save_pipeline(DDPMPipeline(unet=unet, scheduler=scheduler), "ddpm")
    scheduler.set_timesteps(50)
    shape = (2, 3, 8, 8)
    drawn = draws(7, [shape] * (1 + sum(1 for t in scheduler.timesteps if t > 0)))
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(7), num_inference_steps=50, output_type="np").images
    io = {"x_T": drawn[0], "images": images_nchw(images), "images64": images64(pipe, "ddpm", 50, 0, drawn[0], drawn[1:])}
    io.update({f"noise.{k}": z for k, z in enumerate(drawn[1:])})
    save_io("ddpm", io, "DDPMPipeline(batch_size=2, num_inference_steps=50, generator seed 7).")

    # DDIMPipeline over a DDPMScheduler config (converted with DDIMScheduler.from_config): eta 0 and eta 0.5
    unet = tiny_unet(21, 3, 8)
    scheduler = DDPMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=False,
                              steps_offset=1, prediction_type="v_prediction")
    pipe = DDIMPipeline(unet=unet, scheduler=scheduler)
    pipe.register_modules(scheduler=scheduler)  # the folder keeps the DDPMScheduler config; loading converts it to DDIM
    pipe = save_pipeline(pipe, "ddim")
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(8), num_inference_steps=20, eta=0.0,
                  output_type="np").images
    xT = draws(8, [shape])[0]
    io = {"x_T": xT, "images": images_nchw(images), "images64": images64(pipe, "ddim", 20, 0, xT, [])}
    drawn = draws(9, [shape] * 21)
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(9), num_inference_steps=20, eta=0.5,
                  output_type="np").images
    io.update({"eta.x_T": drawn[0], "eta.images": images_nchw(images),
               "eta.images64": images64(pipe, "ddim", 20, 0.5, drawn[0], drawn[1:])})
    io.update({f"eta.noise.{k}": z for k, z in enumerate(drawn[1:])})
    save_io("ddim", io, "DDIMPipeline(batch_size=2, num_inference_steps=20): eta 0 (seed 8) and "
                  "eta 0.5 (eta.*, seed 9).")

    # LDMPipeline: VQModel + UNet on 4x4 latents + DDIMScheduler (CompVis/ldm-celebahq-256's scheduler config)
    torch.manual_seed(22)
    vq = VQModel(in_channels=3, out_channels=3, block_out_channels=(8, 16),
                 down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
                 up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), layers_per_block=1, latent_channels=3,
                 num_vq_embeddings=64, norm_num_groups=4, sample_size=8, scaling_factor=0.8)
    with torch.no_grad():
        for p in vq.parameters():
            p.copy_(p.half().float())
        vq.quantize.embedding.weight.copy_(torch.randn(64, 3).half().float())
    unet = tiny_unet(23, 3, 4)
    scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.0015, beta_end=0.0195, clip_sample=False)
    pipe = save_pipeline(LDMPipeline(vqvae=vq, unet=unet, scheduler=scheduler), "ldm")
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(10), num_inference_steps=10, eta=0.0,
                  output_type="np").images
    xT = draws(10, [(2, 3, 4, 4)])[0]
    io = {"x_T": xT, "images": images_nchw(images), "images64": images64(pipe, "ldm", 10, 0, xT, [])}
    save_io("ldm", io, "LDMPipeline(batch_size=2, num_inference_steps=10, eta=0, generator seed 10).")


def main():
    dg.write("schedulers.json", {"command": COMMAND, "versions": VERSIONS,
                                 "what": "scheduler configs: betas, timesteps, whole loops (toy model), float32 and float64",
                                 "entries": scheduler_entries(), "alpha_bar_betas": alpha_bar_betas()}, ROOT)
    make_pipelines()
    print("wrote", os.path.normpath(ROOT))


# --------------------------------------------------------------------------------------------
# Scheduler classes: the folder's own (part of the pipeline) and one swapped in by the user
# --------------------------------------------------------------------------------------------

class StoredNoises:
    """Hands out stored noises in order where a scheduler's step calls randn_tensor without a generator
    (LDMPipeline passes none to DDPMScheduler.step)."""
    def __init__(self, noises):
        self.noises, self.next = list(noises), 0

    def __call__(self, shape, generator=None, device=None, dtype=None, **kw):
        z = self.noises[self.next]
        assert tuple(shape) == tuple(z.shape)
        self.next += 1
        return z.to(dtype)


def make_scheduler_classes():
    """New folders only (the fixtures of main() are not rewritten):
    `ddpm_ddim/`: a DDPMPipeline whose scheduler is a DDIMScheduler: diffusers runs DDIM steps with eta 0.
    `ldm_ddpm/`: an LDMPipeline whose scheduler is a DDPMScheduler: DDPM steps (their noises stored, `noise.K`).
    `ddpm_euler/`: a DDPMPipeline whose scheduler is an EulerDiscreteScheduler (no io: dscript refuses its loop).
    `swapped/io.safetensors`: the `ddpm/` and `ldm/` folders sampled with a scheduler swapped in as users do
    (`pipe.scheduler = Cls.from_config(pipe.scheduler.config, ...)`): `dpm.*` DPMSolverMultistepScheduler
    with use_karras_sigmas=True on ddpm/, `euler.*` EulerDiscreteScheduler on ldm/ (diffusers' float32
    result only: there is no float64 run of these schedulers)."""
    shape = (2, 3, 8, 8)
    unet = tiny_unet(24, 3, 8)
    scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=True, steps_offset=1,
                              timestep_spacing="trailing", set_alpha_to_one=False)
    pipe = save_pipeline(DDPMPipeline(unet=unet, scheduler=scheduler), "ddpm_ddim")
    assert type(pipe.scheduler) is DDIMScheduler
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(11), num_inference_steps=20, output_type="np").images
    xT = draws(11, [shape])[0]
    io = {"x_T": xT, "images": images_nchw(images), "images64": images64(pipe, "ddpm", 20, 0, xT, [], step="ddim")}
    save_io("ddpm_ddim", io, "DDPMPipeline(batch_size=2, num_inference_steps=20, generator seed 11) over a "
                             "DDIMScheduler: DDIM steps, eta 0.")

    ldm = LDMPipeline.from_pretrained(os.path.join(ROOT, "ldm"))
    scheduler = DDPMScheduler(beta_schedule="scaled_linear", beta_start=0.0015, beta_end=0.0195, clip_sample=False,
                              variance_type="fixed_small")
    pipe = save_pipeline(LDMPipeline(vqvae=ldm.vqvae, unet=tiny_unet(25, 3, 4), scheduler=scheduler), "ldm_ddpm")
    assert type(pipe.scheduler) is DDPMScheduler
    scheduler.set_timesteps(10)
    latent = (2, 3, 4, 4)
    drawn = draws(12, [latent] * (1 + sum(1 for t in scheduler.timesteps if t > 0)))
    stored = StoredNoises(drawn[1:])
    original = scheduling_ddpm.randn_tensor
    scheduling_ddpm.randn_tensor = stored
    try:
        images = pipe(batch_size=2, generator=torch.Generator().manual_seed(12), num_inference_steps=10, eta=0.0,
                      output_type="np").images
    finally:
        scheduling_ddpm.randn_tensor = original
    assert stored.next == len(drawn) - 1
    io = {"x_T": drawn[0], "images": images_nchw(images),
          "images64": images64(pipe, "ldm", 10, 0, drawn[0], drawn[1:], step="ddpm")}
    io.update({f"noise.{k}": z for k, z in enumerate(drawn[1:])})
    save_io("ldm_ddpm", io, "LDMPipeline(batch_size=2, num_inference_steps=10, generator seed 12) over a "
                            "DDPMScheduler: DDPM steps, whose noises (drawn without the generator) are noise.K.")

    # a DDPMPipeline over an EulerDiscreteScheduler (a loop dscript refuses: DDPMPipeline neither scales x_T
    # by init_noise_sigma nor calls scale_model_input); the smallest unet, no io
    torch.manual_seed(26)
    unet = UNet2DModel(sample_size=8, in_channels=3, out_channels=3, block_out_channels=(4, 8), layers_per_block=1,
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       norm_num_groups=2, attention_head_dim=4)
    pipe = save_pipeline(DDPMPipeline(unet=unet, scheduler=EulerDiscreteScheduler()), "ddpm_euler")
    assert type(pipe.scheduler) is EulerDiscreteScheduler
    with open(os.path.join(ROOT, "ddpm_euler", "README.md"), "w") as f:
        f.write(f"Made by `{COMMAND} --scheduler-classes`: a DDPMPipeline folder whose scheduler is an "
                f"EulerDiscreteScheduler (tiny random unet, float16 weights; no io).\n")

    io = {}
    pipe = DDPMPipeline.from_pretrained(os.path.join(ROOT, "ddpm"))
    pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config, use_karras_sigmas=True)
    images = pipe(batch_size=2, generator=torch.Generator().manual_seed(13), num_inference_steps=12, output_type="np").images
    io.update({"dpm.x_T": draws(13, [shape])[0], "dpm.images": images_nchw(images)})
    ldm.scheduler = EulerDiscreteScheduler.from_config(ldm.scheduler.config)
    images = ldm(batch_size=2, generator=torch.Generator().manual_seed(14), num_inference_steps=10, output_type="np").images
    io.update({"euler.x_T": draws(14, [latent])[0], "euler.images": images_nchw(images)})
    os.makedirs(os.path.join(ROOT, "swapped"), exist_ok=True)
    save_io("swapped", io, "dpm.*: DDPMPipeline.from_pretrained(ddpm/) with pipe.scheduler = "
                           "DPMSolverMultistepScheduler.from_config(pipe.scheduler.config, use_karras_sigmas=True), "
                           "batch_size=2, num_inference_steps=12, generator seed 13. euler.*: "
                           "LDMPipeline.from_pretrained(ldm/) with EulerDiscreteScheduler.from_config, batch_size=2, "
                           "num_inference_steps=10, generator seed 14.")
    with open(os.path.join(ROOT, "swapped", "README.md"), "w") as f:
        f.write(f"Made by `{COMMAND} --scheduler-classes`: diffusers' images of the `ddpm/` and `ldm/` folders "
                f"with a scheduler swapped in (no models here).\nio.safetensors: {', '.join(sorted(io))}.\n")


# --------------------------------------------------------------------------------------------
# dscript -> diffusers
# --------------------------------------------------------------------------------------------

FROM_DSCRIPT = [  # folder, pipeline class, steps, eta, generator seed
    ("ddpm", DDPMPipeline, 40, 0.0, 41),
    ("ddim", DDIMPipeline, 25, 0.0, 42),
    ("ldm", LDMPipeline, 15, 0.0, 43),
]


def from_dscript():
    """Loads each pipeline folder dscript wrote (scripts/make-dscript-pipelines.dscript) with the diffusers
    pipeline class; exits 1 if a model has missing, unexpected or mismatched keys or unused config keys, or
    the scheduler config has keys its class does not take; then samples it from a seeded generator and
    writes io.safetensors (x_T, step noises, images, images64) next to model_index.json."""
    root = os.path.join(ROOT, "from_dscript")
    for name, cls, steps, eta, seed in FROM_DSCRIPT:
        folder = os.path.join(root, name)
        with open(os.path.join(folder, "model_index.json")) as f:
            index = json.load(f)
        for part, (library, part_cls) in sorted((k, v) for k, v in index.items() if not k.startswith("_")):
            sub = os.path.join(folder, part)
            if part_cls.endswith("Scheduler"):
                scheduler_cls = getattr(diffusers, part_cls)
                config = scheduler_cls.load_config(sub)
                _, unused, _ = scheduler_cls.extract_init_dict(config)
                unused = sorted(k for k in unused if not k.startswith("_"))
                if unused:
                    print(f"{sub}: scheduler config keys {part_cls} does not take: {unused}")
                    sys.exit(1)
            else:
                mg.load_from_dscript(getattr(diffusers, part_cls), sub)
        pipe = cls.from_pretrained(folder)
        unet = pipe.unet
        shape = (2, unet.config.in_channels, unet.config.sample_size, unet.config.sample_size)
        kind = {"DDPMPipeline": "ddpm", "DDIMPipeline": "ddim", "LDMPipeline": "ldm"}[cls.__name__]
        if kind == "ddpm":
            pipe.scheduler.set_timesteps(steps)
            count = 1 + sum(1 for t in pipe.scheduler.timesteps if t > 0)
        else:
            count = 1 + (steps if eta > 0 else 0)
        drawn = draws(seed, [shape] * count)
        extra = {} if kind == "ddpm" else {"eta": eta}
        images = pipe(batch_size=2, generator=torch.Generator().manual_seed(seed), num_inference_steps=steps,
                      output_type="np", **extra).images
        io = {"x_T": drawn[0], "images": images_nchw(images), "images64": images64(pipe, kind, steps, eta, drawn[0], drawn[1:])}
        io.update({f"noise.{k}": z for k, z in enumerate(drawn[1:])})
        save_file({k: v.float().contiguous() for k, v in io.items()}, os.path.join(folder, "io.safetensors"),
                  metadata={"command": COMMAND + " --from-dscript",
                            "call": f"{cls.__name__}.from_pretrained(folder)(batch_size=2, num_inference_steps={steps}, "
                                    f"eta={eta}, generator seed {seed})"})
        print(f"{cls.__name__} from {folder}: loaded with no missing/unexpected/mismatched keys, sampled")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--from-dscript":
        from_dscript()
    elif len(sys.argv) == 2 and sys.argv[1] == "--scheduler-classes":
        make_scheduler_classes()
    else:
        main()
