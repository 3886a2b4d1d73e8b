"""PyTorch / diffusers twin of unet_{train,forward,ddim}.dscript: python unet.py MODE THREADS.
MODE train_attn / forward_attn: the same with attention in every block (the .dscript's "attn" argument)."""
import sys
import time

import torch
from diffusers import DDIMScheduler, UNet2DModel

mode, threads = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
attn = mode.endswith("_attn")
mode = mode.removesuffix("_attn")
torch.set_num_threads(threads)
torch.manual_seed(0)
down = ("AttnDownBlock2D",) * 3 if attn else ("DownBlock2D", "DownBlock2D", "AttnDownBlock2D")
up = ("AttnUpBlock2D",) * 3 if attn else ("AttnUpBlock2D", "UpBlock2D", "UpBlock2D")
u = UNet2DModel(sample_size=32, in_channels=1, out_channels=1, block_out_channels=(32, 64, 64), layers_per_block=1,
                down_block_types=down, up_block_types=up)

if mode == "train":
    opt = torch.optim.Adam(u.parameters(), lr=1e-4)
    x, noise, t = torch.randn(32, 1, 32, 32), torch.randn(32, 1, 32, 32), torch.randint(0, 1000, (32,))

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(u(x, t).sample, noise)
        loss.backward()
        opt.step()

    step()
    n = 5
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    print(f"{(time.perf_counter() - t0) / n * 1000:.1f}")
elif mode == "forward":
    x = torch.randn(16, 1, 32, 32)
    with torch.no_grad():
        for _ in range(2):
            u(x, 500)
        n = 10
        t0 = time.perf_counter()
        for _ in range(n):
            u(x, 500)
    print(f"{(time.perf_counter() - t0) / n * 1000:.1f}")
else:
    sched = DDIMScheduler(num_train_timesteps=1000, beta_schedule="linear", clip_sample=False, set_alpha_to_one=True)
    sched.set_timesteps(50)
    t0 = time.perf_counter()
    x = torch.randn(16, 1, 32, 32)
    with torch.no_grad():
        for t in sched.timesteps:
            x = sched.step(u(x, t).sample, t, x, eta=0.0).prev_sample
    print(f"{time.perf_counter() - t0:.2f}")
