"""The PyTorch twin of conv.dscript. Prints ms per forward+backward."""
import sys

import torch
from torch_timing import report

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2)
torch.manual_seed(0)
conv = torch.nn.Conv2d(32, 64, 3, padding=1)
x = torch.randn(32, 32, 32, 32)


def step():
    conv.zero_grad()
    conv(x).sum().backward()


report(step, warmup=2, n=10)
