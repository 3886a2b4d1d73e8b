"""The PyTorch twin of dscript's 2-D pieces for the benchmarks: the swiss roll, mlp_denoiser's
network (same parameter names) and the energy distance."""
import math

import torch


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
        return self.net(torch.cat([x, embed(t.reshape(-1).expand(x.shape[0]))], 1))


def energy_distance(a, b):
    a, b = a.double(), b.double()
    return (2 * torch.cdist(a, b).mean() - torch.cdist(a, a).mean() - torch.cdist(b, b).mean()).item()
