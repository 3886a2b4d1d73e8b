"""The toy-2d benchmark, PyTorch side (run by scripts/bench-toy2d): the same model, schedule, data
distribution, optimiser and sampler as scripts/bench/toy2d.dscript, written directly in PyTorch
(diffusers' DDIMScheduler for the timesteps and steps). Prints one RESULT line like the dscript side."""
import math
import time

import torch
from diffusers import DDIMScheduler

torch.manual_seed(0)
torch.set_num_threads(int(__import__("os").environ.get("BENCH_THREADS", "2")))


def swiss_roll(n):
    # the formula of DSDiffusion's Datasets2D.swissRoll
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n))
    z = torch.randn(n, 2)
    x = (t * torch.cos(t) + 0.25 * z[:, 0] - 2) / 6.79
    y = (t * torch.sin(t) + 0.25 * z[:, 1] - 2 / (3 * math.pi)) / 6.79
    return torch.stack([x, y], 1)


def embed(t, dim=32):
    # diffusers' get_timestep_embedding(flip_sin_to_cos=True, downscale_freq_shift=0)
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
    e = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(e), torch.sin(e)], 1)


class MLP(torch.nn.Module):
    def __init__(self, dim=2, hidden=128, layers=3, time_dim=32):
        super().__init__()
        mods, width = [], dim + time_dim
        for _ in range(layers):
            mods += [torch.nn.Linear(width, hidden), torch.nn.SiLU()]
            width = hidden
        mods.append(torch.nn.Linear(width, dim))
        self.net = torch.nn.Sequential(*mods)

    def forward(self, x, t):
        return self.net(torch.cat([x, embed(t)], 1))


def energy_distance(a, b):
    a, b = a.double(), b.double()
    return (2 * torch.cdist(a, b).mean() - torch.cdist(a, a).mean() - torch.cdist(b, b).mean()).item()


started = time.time()
betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
alpha_bar = torch.cumprod(1 - betas, 0).float()
data, held_out = swiss_roll(20000), swiss_roll(2000)
model = MLP()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(3000):
    x0 = data[torch.randint(0, 20000, (512,))]
    t = torch.randint(0, 1000, (512,))
    eps = torch.randn_like(x0)
    a = alpha_bar[t][:, None]
    xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
    loss = torch.nn.functional.mse_loss(model(xt, t), eps)
    opt.zero_grad()
    loss.backward()
    opt.step()
trained = time.time()
sched = DDIMScheduler(num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02, beta_schedule="linear",
                      clip_sample=False, set_alpha_to_one=True)
sched.set_timesteps(50)
x = torch.randn(2000, 2)
with torch.no_grad():
    for t in sched.timesteps:
        x = sched.step(model(x, t.repeat(2000)), t, x).prev_sample
done = time.time()
print(f"RESULT train_s={trained - started:.2f} sample_s={done - trained:.2f} total_s={done - started:.2f} "
      f"energy={energy_distance(x, held_out):.4f} noise={energy_distance(torch.randn(2000, 2), held_out):.4f} "
      f"self={energy_distance(swiss_roll(2000), held_out):.4f}")
