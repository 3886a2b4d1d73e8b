"""The sampler benchmark, diffusers side (run by scripts/bench-samplers): the 2-D model that
scripts/bench/samplers.dscript trained, loaded into the same MLP in PyTorch, sampled with diffusers'
own schedulers (float32, as shipped) from the same starting noise at 5, 10, 20 and 50 trailing steps.
Prints one line per sampler: the energy distance to the same held-out points and the seconds per run.
Usage: python scripts/bench/samplers_diffusers.py PREFIX    (reads PREFIX-2d-model.safetensors, ...)"""
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file
from diffusers import (DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
                       EulerDiscreteScheduler, HeunDiscreteScheduler, UniPCMultistepScheduler)

from torch_mlp import MLP, energy_distance

torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
prefix = sys.argv[1]
COUNTS = [5, 10, 20, 50]
BASE = dict(num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02, beta_schedule="linear",
            timestep_spacing="trailing")
SCHEDULERS = {
    "ddpm": lambda: DDPMScheduler(clip_sample=False, **BASE),
    "ddim": lambda: DDIMScheduler(clip_sample=False, **BASE),
    "euler": lambda: EulerDiscreteScheduler(**BASE),
    "euler_a": lambda: EulerAncestralDiscreteScheduler(**BASE),
    "heun": lambda: HeunDiscreteScheduler(**BASE),
    "dpmpp_2m": lambda: DPMSolverMultistepScheduler(**BASE),
    "dpmpp_2m_sde": lambda: DPMSolverMultistepScheduler(algorithm_type="sde-dpmsolver++", **BASE),
    "unipc": lambda: UniPCMultistepScheduler(**BASE),
    "dpmpp_2m karras": lambda: DPMSolverMultistepScheduler(use_karras_sigmas=True, **BASE),
}


model = MLP()
model.load_state_dict(load_file(prefix + "-2d-model.safetensors"))
noise = torch.from_numpy(np.load(prefix + "-2d-noise.npy"))
held_out = torch.from_numpy(np.load(prefix + "-2d-held-out.npy"))
torch.manual_seed(1)
with torch.no_grad():
    for name, make in SCHEDULERS.items():
        cells = []
        for n in COUNTS:
            s = make()
            s.set_timesteps(n)
            start = time.time()
            x = noise * s.init_noise_sigma
            for t in s.timesteps:
                x = s.step(model(s.scale_model_input(x, t), torch.as_tensor(t)), t, x).prev_sample
            seconds = time.time() - start
            cells.append(f"{energy_distance(x, held_out):9.4f} ({seconds:5.2f}s)")
        print(f"  {name:<16}" + "".join(cells))
