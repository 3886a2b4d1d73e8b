"""The PyTorch twin of conv.dscript. Prints ms per forward+backward."""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2)
torch.manual_seed(0)
conv = torch.nn.Conv2d(32, 64, 3, padding=1)
x = torch.randn(32, 32, 32, 32)


def step():
    conv.zero_grad()
    conv(x).sum().backward()


if "--flops" in sys.argv:   # GFLOP of one step (matrix products and convolutions), for the % of peak
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        step()
    print(f"{counter.get_total_flops() / 1e9:.4f}")
    sys.exit()


for _ in range(2):
    step()
n = 10
t0 = time.perf_counter()
for _ in range(n):
    step()
print(f"{(time.perf_counter() - t0) / n * 1000:.3f}")
