"""Twin of scripts/bench/sd_unet.dscript: diffusers' UNet2DConditionModel from the SD 1.5 config at
32x32 latents, batch 1, a 77-token context; the best of ROUNDS forward passes under torch.no_grad after
one warm-up pass. Usage: python scripts/bench/sd_unet.py THREADS [ROUNDS]   (prints ms)"""
import json
import os
import sys
import time

import torch
from diffusers import UNet2DConditionModel

torch.set_num_threads(int(sys.argv[1]))
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sd_unet_config.json")) as f:
    config = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
torch.manual_seed(0)
u = UNet2DConditionModel(**config).eval()
x = torch.randn(1, 4, 32, 32)
context = torch.randn(1, 77, 768)
best = 1e9
with torch.no_grad():
    u(x, 500, encoder_hidden_states=context)
    for _ in range(rounds):
        t0 = time.perf_counter()
        u(x, 500, encoder_hidden_states=context)
        best = min(best, (time.perf_counter() - t0) * 1000)
print(f"{best:.0f}")
