"""The toy-2d benchmark, PyTorch side (run by scripts/bench-toy2d): the same model, schedule, data
distribution, optimiser and sampler as scripts/bench/toy2d.dscript, written directly in PyTorch
(diffusers' DDIMScheduler for the timesteps and steps). Prints one RESULT line like the dscript side."""
import math
import time

import torch
from diffusers import DDIMScheduler

from torch_mlp import MLP, energy_distance, swiss_roll

torch.manual_seed(0)
torch.set_num_threads(int(__import__("os").environ.get("BENCH_THREADS", "2")))


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
