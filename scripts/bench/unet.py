"""PyTorch / diffusers twin of unet_{train,forward,ddim,cifar}.dscript: python unet.py MODE THREADS [--flops].
MODE train / forward / ddim: the small UNet (32, 64, 64) on 1×32×32; train_attn / forward_attn: the same
with attention in every block (the .dscript's "attn" argument); cifar_train / cifar_forward: the UNet
of google/ddpm-cifar10-32 (its config.json: 35.7 M parameters) on 3×32×32 at batch 4.
With --flops it prints the GFLOP of one step (matrix products, convolutions, attention; counted by
torch.utils.flop_counter) instead of timing it."""
import sys
import time

import torch
from diffusers import DDIMScheduler, UNet2DModel
from torch_timing import COUNT_FLOPS, print_gflop, report

mode, threads = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
if mode.startswith("cifar_"):
    mode = mode.removeprefix("cifar_")
    # google/ddpm-cifar10-32's config.json (diffusers' conversion of the DDPM paper's CIFAR-10 model).
    u = UNet2DModel(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(128, 256, 256, 256),
                    layers_per_block=2, down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"),
                    up_block_types=("UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"), attention_head_dim=None,
                    downsample_padding=0, flip_sin_to_cos=False, freq_shift=1, norm_eps=1e-6)
    shape, train_batch, forward_batch = (3, 32, 32), 4, 4
else:
    attn = mode.endswith("_attn")
    mode = mode.removesuffix("_attn")
    down = ("AttnDownBlock2D",) * 3 if attn else ("DownBlock2D", "DownBlock2D", "AttnDownBlock2D")
    up = ("AttnUpBlock2D",) * 3 if attn else ("AttnUpBlock2D", "UpBlock2D", "UpBlock2D")
    u = UNet2DModel(sample_size=32, in_channels=1, out_channels=1, block_out_channels=(32, 64, 64), layers_per_block=1,
                    down_block_types=down, up_block_types=up)
    shape, train_batch, forward_batch = (1, 32, 32), 32, 16


if mode == "train":
    opt = torch.optim.Adam(u.parameters(), lr=1e-4)
    x, noise = torch.randn(train_batch, *shape), torch.randn(train_batch, *shape)
    t = torch.randint(0, 1000, (train_batch,))

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(u(x, t).sample, noise)
        loss.backward()
        opt.step()

    report(step, warmup=1, n=5, decimals=1)
elif mode == "forward":
    x = torch.randn(forward_batch, *shape)
    with torch.no_grad():
        report(lambda: u(x, 500), warmup=2, n=10, decimals=1)
else:
    sched = DDIMScheduler(num_train_timesteps=1000, beta_schedule="linear", clip_sample=False, set_alpha_to_one=True)
    sched.set_timesteps(50)

    def sample():
        x = torch.randn(16, *shape)
        with torch.no_grad():
            for t in sched.timesteps:
                x = sched.step(u(x, t).sample, t, x, eta=0.0).prev_sample

    if COUNT_FLOPS:
        print_gflop(sample)
        sys.exit()
    t0 = time.perf_counter()
    sample()
    print(f"{time.perf_counter() - t0:.2f}")
