"""The PyTorch twin of conv.dscript. Prints ms per forward+backward."""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)
conv = torch.nn.Conv2d(32, 64, 3, padding=1)
x = torch.randn(32, 32, 32, 32)


def step():
    conv.zero_grad()
    conv(x).sum().backward()


for _ in range(2):
    step()
n = 10
t0 = time.perf_counter()
for _ in range(n):
    step()
print(f"{(time.perf_counter() - t0) / n * 1000:.3f}")
