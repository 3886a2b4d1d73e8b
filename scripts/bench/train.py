"""The PyTorch twin of train.dscript (same model, batch, optimizer and step). Prints ms/step."""
import math
import sys

import torch
from torch_timing import report

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2)
torch.manual_seed(0)
T = 1000
betas = torch.linspace(1e-4, 0.02, T)
alpha_bar = (1 - betas).cumprod(0)
data = torch.randn(8192, 2) * torch.tensor([1, 0.3])
net = torch.nn.Sequential(
    torch.nn.Linear(66, 128), torch.nn.SiLU(), torch.nn.Linear(128, 128), torch.nn.SiLU(),
    torch.nn.Linear(128, 128), torch.nn.SiLU(), torch.nn.Linear(128, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
freqs = torch.exp(-math.log(10000) * torch.arange(32) / 32)


def step():
    x0 = data[torch.randint(0, 8192, (1024,))]
    t = torch.randint(0, T, (1024,))
    noise = torch.randn_like(x0)
    ab = alpha_bar[t].unsqueeze(1)
    xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
    e = t.float()[:, None] * freqs[None]
    h = torch.cat([xt, torch.cos(e), torch.sin(e)], 1)
    loss = torch.nn.functional.mse_loss(net(h), noise)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


report(step, warmup=10, n=100)
